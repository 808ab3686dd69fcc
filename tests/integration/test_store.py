"""The store on SQLite and on real PostgreSQL: migrations, identity and race-free inserts."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from alerts.subscriptions import load_subscriptions
from core.sources_config import FeedSource
from models import items_repo, sources_repo, sql
from models.db import session_factory
from models.migrate import check, upgrade
from models.tables import Event, EventMention, Item, Label, Source
from pipeline.fetch import FetchResult
from pipeline.intel.rules_loading import load_rules
from pipeline.types import ExtractedEvent
from services.ingest import ingest_feed_response
from tests.support.items import DPC, processed


def test_migrations_match_models(store_url: str) -> None:
    check(store_url)  # raises if models and migrations drift


def test_items_are_stored_once_by_url_guid_and_content(store_url: str) -> None:
    factory = session_factory(store_url)
    with factory.begin() as s:
        sources_repo.ensure_source(s, "src", "feed", "http://example.org/rss")
        first = items_repo.store_items(
            s,
            [
                processed(
                    "http://Example.org/a?utm_source=rss#top",
                    "Alpha text about AI policy.",
                    guid="g1",
                    events=(DPC,),
                ),
                processed("http://example.org/b", "Beta text about AI policy."),
            ],
        )
    assert (first.new_items, first.duplicates, first.already_stored) == (2, 0, 0)
    assert len(first.new_event_ids) == 1
    with factory.begin() as s:
        again = items_repo.store_items(
            s,
            [
                processed(
                    "http://example.org/a", "Alpha text, edited slightly.", guid="g9"
                ),  # same canonical URL
                processed("http://example.org/c", "Beta text about AI policy!"),  # same content, other URL
                processed("http://example.org/d", "Gamma text, mentions the same council.", events=(DPC,)),
            ],
        )
    assert (again.new_items, again.duplicates, again.already_stored) == (1, 1, 1)
    assert again.new_event_ids == []  # the meeting is already known: a mention, not a new event
    with factory() as s:
        assert s.scalar(select(Item.canonical_url).where(Item.guid == "g1")) == "http://example.org/a"
        assert sql.count_rows(s, Item) == 3
        assert sql.count_rows(s, Event) == 1
        assert sql.count_rows(s, EventMention) == 2
        assert sql.count_rows(s, Label) == 3
        item = s.scalars(select(Item).order_by(Item.id)).first()
        assert item is not None and item.published == datetime(2026, 11, 16, tzinfo=UTC)
        assert item.jurisdictions == ["EU", "JP"]


def test_later_mention_fills_missing_event_details(store_url: str) -> None:
    factory = session_factory(store_url)
    bare = DPC
    detailed = ExtractedEvent(
        **{
            **{f: getattr(DPC, f) for f in DPC.__slots__},  # type: ignore[attr-defined]
            "date": "2026-12-09",
            "location": "Tokyo",
        }
    )
    with factory.begin() as s:
        sources_repo.ensure_source(s, "src", "feed", "http://example.org/rss")
        items_repo.store_items(s, [processed("http://example.org/1", "First report.", events=(bare,))])
    with factory.begin() as s:
        out = items_repo.store_items(
            s, [processed("http://example.org/2", "Second report.", events=(detailed,))]
        )
    assert out.updated_event_ids and not out.new_event_ids
    with factory() as s:
        ev = s.scalars(select(Event)).one()
        assert (ev.date, ev.location) == ("2026-12-09", "Tokyo")


def test_a_later_report_refines_a_month_to_its_day_without_a_follow_up(store_url: str) -> None:
    factory = session_factory(store_url)
    in_december = replace(DPC, date="2026-12", location="Tokyo")
    on_the_day = replace(DPC, date="2026-12-09", location="Tokyo")
    another_month = replace(DPC, date="2027-01-09", location="Tokyo")
    with factory.begin() as s:
        sources_repo.ensure_source(s, "src", "feed", "http://example.org/rss")
        items_repo.store_items(s, [processed("http://example.org/1", "First report.", events=(in_december,))])
    with factory.begin() as s:
        out = items_repo.store_items(
            s, [processed("http://example.org/2", "Second report.", events=(on_the_day,))]
        )
    assert not out.new_event_ids and not out.updated_event_ids  # finer, not news: no follow-up
    with factory.begin() as s:
        items_repo.store_items(
            s, [processed("http://example.org/3", "Third report.", events=(another_month,))]
        )
    with factory() as s:
        ev = s.scalars(select(Event)).one()
        assert (ev.date, ev.revision) == ("2026-12-09", 0)  # a contradicting date does not overwrite


def test_poll_state_round_trip(store_url: str) -> None:
    factory = session_factory(store_url)
    with factory.begin() as s:
        sources_repo.ensure_source(s, "src", "feed", "http://example.org/rss")
        sources_repo.record_poll(s, "src", ok=False, status="error", error="HTTP 503")
        sources_repo.record_poll(s, "src", ok=False, status="error", error="HTTP 503")
    with factory() as s:
        src = sources_repo.get_source(s, "src")
        assert src is not None and (src.consecutive_failures, src.last_error) == (2, "HTTP 503")
    with factory.begin() as s:
        sources_repo.record_poll(
            s, "src", ok=True, status="200", etag='"abc"', last_modified="Mon, 16 Nov 2026 10:00:00 GMT"
        )
    with factory() as s:
        src = sources_repo.get_source(s, "src")
        assert src is not None
        assert (src.consecutive_failures, src.etag, src.last_error) == (0, '"abc"', None)


def test_sqlite_writers_of_one_process_take_turns(tmp_path: Path) -> None:
    """Threads writing to one SQLite store queue on our lock (never inside SQLite's sleeping busy
    handler); every write lands."""
    import threading

    from models.db import writing
    from models.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'w.db'}"
    upgrade(url)
    factory = session_factory(url)
    inside, most = 0, 0
    guard = threading.Lock()

    def worker(n: int) -> None:
        nonlocal inside, most
        for k in range(10):
            with writing(factory) as session:
                with guard:
                    inside += 1
                    most = max(most, inside)
                sources_repo.ensure_source(session, f"s{n}-{k}", "feed", "http://example.org/", "")
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 1
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Source)) == 80


def test_reports_of_one_event_under_other_keys_join_it(store_url: str) -> None:
    """Outlets key one meeting differently; the store still holds one event, listing both reports.
    A later meeting of the same council (another ordinal) stays a second event."""
    factory = session_factory(store_url)
    by_parties = replace(DPC, key="dpc_meeting:eu-japan:2026-11", ordinal=None, series=None)
    next_meeting = replace(DPC, key="dpc_meeting:eu-japan-digital-partnership-council:5", ordinal=5)
    with factory.begin() as s:
        sources_repo.ensure_source(s, "src", "feed", "http://example.org/rss")
        first = items_repo.store_items(s, [processed("http://example.org/1", "First report.", events=(DPC,))])
    with factory.begin() as s:
        second = items_repo.store_items(
            s, [processed("http://example.org/2", "Other outlet.", events=(by_parties,))]
        )
        third = items_repo.store_items(
            s, [processed("http://example.org/3", "Next one.", events=(next_meeting,))]
        )
    assert len(first.new_event_ids) == 1 and second.new_event_ids == [] and len(third.new_event_ids) == 1
    with factory() as s:
        events = {e.key: e.id for e in s.scalars(select(Event))}
        assert set(events) == {DPC.key, next_meeting.key}
        mentions = s.scalar(
            select(func.count()).select_from(EventMention).where(EventMention.event_id == events[DPC.key])
        )
        assert mentions == 2


# --- a poison item: control characters from the web never reach a column ---------------------------

GOOD_TITLE = "EU and Japan to hold fourth Digital Partnership Council in Tokyo"
POISON_FEED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Outlet</title>'
    "<item><title>EU\x00 and Japan \x1b[31mto meet\u202e</title><link>http://example.org/poison\x00</link>"
    "<description>A poison\x00 item \x07about AI policy.</description><guid>g\x00-1</guid></item>"
    f"<item><title>{GOOD_TITLE}</title><link>http://example.org/good</link>"
    "<description>The European Union and Japan will hold the fourth meeting of the EU-Japan Digital "
    "Partnership Council in Tokyo on 9 December 2026. Ministers will discuss artificial intelligence "
    "governance.</description></item>"
    "</channel></rss>"
).encode()
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069]")


def test_a_poison_item_is_cleaned_and_its_batch_stored(store_url: str, tmp_path: Path) -> None:
    """A NUL made PostgreSQL refuse the whole batch (and the good item's event with it), run
    after run; ingest now strips control characters and bidi overrides from every field."""
    factory = session_factory(store_url)
    subs_path = tmp_path / "subs.yaml"
    subs_path.write_text(
        f"subscribers:\n  - name: t\n    channels:\n      - {{name: f, url: 'pwfile://{tmp_path}/a.txt'}}\n"
    )
    source = FeedSource(id="poison", kind="feed", url="http://example.org/rss")
    result = FetchResult(
        url=source.url, status=200, body=POISON_FEED, headers={"content-type": "application/rss+xml"}
    )
    report = ingest_feed_response(
        factory, source, result, load_subscriptions(subs_path, environ={}), load_rules()
    )
    assert report.new_items == 2 and report.new_events == 1, report
    with factory() as s:
        items = {i.canonical_url: i for i in s.scalars(select(Item))}
        event_names = list(s.scalars(select(Event.name)))
    assert set(items) == {"http://example.org/poison", "http://example.org/good"}
    poison = items["http://example.org/poison"]
    assert (poison.title, poison.guid) == ("EU and Japan [31mto meet", "g-1")
    assert poison.text == "A poison item about AI policy."
    assert items["http://example.org/good"].title == GOOD_TITLE
    assert event_names == ["EU-Japan Digital Partnership Council"]
    for item in items.values():
        for value in (
            item.title,
            item.url,
            item.canonical_url,
            item.summary,
            item.text,
            item.guid,
            item.evidence,
        ):
            assert not UNSAFE.search(value or ""), (item.canonical_url, value)


def test_item_links_other_than_http_are_dropped_at_ingest(sqlite_url: str, tmp_path: Path) -> None:
    """A feed item linking to ``javascript:``, ``data:`` or ``file:`` is never stored (so never
    shown as a clickable link); the run report counts it and names the schemes."""
    upgrade(sqlite_url)
    factory = session_factory(sqlite_url)
    subs_path = tmp_path / "subs.yaml"
    subs_path.write_text(
        f"subscribers:\n  - name: t\n    channels:\n      - {{name: f, url: 'pwfile://{tmp_path}/a.txt'}}\n"
    )
    links = ["JavaScript:alert(1)", "data:text/html,x", "file:///etc/passwd", "http://example.org/fine"]
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Outlet</title>'
        + "".join(f"<item><title>Item {i}</title><link>{link}</link></item>" for i, link in enumerate(links))
        + "</channel></rss>"
    ).encode()
    source = FeedSource(id="links", kind="feed", url="http://example.org/rss")
    result = FetchResult(url=source.url, status=200, body=body)
    report = ingest_feed_response(factory, source, result, load_subscriptions(subs_path, environ={}), None)
    assert (report.new_items, report.unsafe_links) == (1, 3), report
    assert report.error == "dropped item(s) whose link is not http(s): data:, file:, javascript:"
    with factory() as s:
        assert list(s.scalars(select(Item.url))) == ["http://example.org/fine"]


def test_a_report_naming_the_series_names_the_event_without_a_follow_up(store_url: str) -> None:
    factory = session_factory(store_url)
    generic = replace(DPC, name="AI 정상회의", series=None, key="summit:ai", type="summit")
    named = replace(generic, name="AI Impact Summit", series="AI Impact Summit")
    with factory.begin() as s:
        sources_repo.ensure_source(s, "src", "feed", "http://example.org/rss")
        items_repo.store_items(s, [processed("http://example.org/1", "First report.", events=(generic,))])
    with factory.begin() as s:
        out = items_repo.store_items(
            s, [processed("http://example.org/2", "Second report.", events=(named,))]
        )
    assert not out.new_event_ids and not out.updated_event_ids
    with factory() as s:
        ev = s.scalars(select(Event)).one()
        assert (ev.name, ev.series, ev.revision) == ("AI Impact Summit", "AI Impact Summit", 0)


def test_two_events_sharing_a_generic_key_stay_two_and_a_third_report_joins_its_own(store_url: str) -> None:
    factory = session_factory(store_url)
    summit = ExtractedEvent(
        type="summit",
        name="AI summit",
        key="summit:ai-summit",
        evidence="An AI summit was held.",
        series=None,
    )
    incheon = replace(summit, location="Incheon", date="2025-08-04")
    elsewhere = replace(summit, location="Lyon", date="2025-12-08")
    incheon_again = replace(summit, location="Incheon")
    with factory.begin() as s:
        sources_repo.ensure_source(s, "src", "feed", "http://example.org/rss")
        items_repo.store_items(
            s, [processed("http://example.org/1", "A summit in Incheon.", events=(incheon,))]
        )
    with factory.begin() as s:
        out = items_repo.store_items(
            s, [processed("http://example.org/2", "A summit in Lyon.", events=(elsewhere,))]
        )
    assert len(out.new_event_ids) == 1  # the same generic key, a place that contradicts: another event
    with factory.begin() as s:
        out = items_repo.store_items(
            s, [processed("http://example.org/3", "Incheon again.", events=(incheon_again,))]
        )
    assert not out.new_event_ids
    with factory() as s:
        events = {e.key: e.location for e in s.scalars(select(Event))}
        assert events == {"summit:ai-summit": "Incheon", "summit:ai-summit:lyon": "Lyon"}
        mentions = s.execute(select(EventMention.event_id, EventMention.item_id)).all()
        assert len({event_id for event_id, _ in mentions}) == 2 and len(mentions) == 3

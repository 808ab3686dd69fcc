"""Digests on a frozen clock, follow-ups when an event gains details, and the digest schedule."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from alerts.deliver import deliver_pending
from alerts.digest import deliver_digests, period_start
from alerts.outbox import queue_alerts, queue_follow_ups
from alerts.subscriptions import DigestSchedule, load_subscriptions
from models import items_repo, sources_repo
from models.db import session_factory
from models.migrate import upgrade
from models.tables import Alert
from pipeline.text import content_hash
from pipeline.types import Classification, ExtractedEvent, ProcessedItem, RawItem


def add_event(n: int, type_: str = "summit", **details: Any) -> list[int]:
    ev = ExtractedEvent(
        type=type_, name=f"Event {n}", key=f"{type_}:event-{n}", evidence=f"Evidence <{n}> & co.", **details
    )  # type: ignore[arg-type]
    raw = RawItem(
        source_id="src",
        url=f"http://example.org/{n}-{len(details)}",
        title=f"Item {n}",
        body=f"Body {n} {details}",
        published=datetime(2026, 11, 2, tzinfo=UTC),
    )
    item = ProcessedItem(
        raw=raw,
        canonical_url=raw.url,
        text=raw.body,
        content_hash=content_hash("", raw.body),
        classification=Classification(True, type_, ["EU"], [], [], [ev], ev.evidence),
    )
    with session_factory().begin() as s:
        sources_repo.ensure_source(s, "src", "feed", "http://example.org/rss", name="Example")
        out = items_repo.store_items(s, [item])
    return out.new_event_ids or out.updated_event_ids


@pytest.fixture
def digest_subs(tmp_path: Path) -> Path:
    path = tmp_path / "subs.yaml"
    path.write_text(
        "subscribers:\n"
        "  - name: weekly-reader\n"
        "    mode: digest\n"
        "    digest: {every: daily, at: '08:00', timezone: Europe/Brussels}\n"
        f"    channels:\n      - name: file\n        url: pwfile://{tmp_path / 'digest.txt'}\n"
        "    filters: {event_types: [summit]}\n"
    )
    upgrade()
    return path


def test_two_digests_never_repeat(digest_subs: Path, tmp_path: Path) -> None:
    subs = load_subscriptions(digest_subs, environ={})
    factory = session_factory()
    with time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=UTC), tick=False):
        ids = add_event(1) + add_event(2)
        with factory.begin() as s:
            assert queue_alerts(s, ids, subs) == 2
        assert deliver_pending(factory, subs).sent == 0  # digest rows are not sent one by one
        assert deliver_digests(factory, subs).sent == 0  # today's 08:00 digest had nothing: closed empty
    with time_machine.travel(datetime(2026, 11, 2, 12, 0, tzinfo=UTC), tick=False):
        assert deliver_digests(factory, subs).alerts == 0  # not due before tomorrow 08:00 Brussels
    with time_machine.travel(datetime(2026, 11, 3, 7, 5, tzinfo=UTC), tick=False):  # 08:05 in Brussels
        first = deliver_digests(factory, subs)
    with time_machine.travel(datetime(2026, 11, 3, 12, 0, tzinfo=UTC), tick=False):
        ids = add_event(3)
        with factory.begin() as s:
            queue_alerts(s, ids, subs)
        assert deliver_digests(factory, subs).alerts == 0  # the day-2 digest was already sent
    with time_machine.travel(datetime(2026, 11, 4, 7, 30, tzinfo=UTC), tick=False):
        second = deliver_digests(factory, subs)
        third = deliver_digests(factory, subs)
    assert (first.sent, first.alerts) == (1, 2)
    assert (second.sent, second.alerts) == (1, 1)
    assert (third.sent, third.alerts) == (0, 0)
    text = (tmp_path / "digest.txt").read_text()
    blocks = text.split("=== ")[1:]
    assert len(blocks) == 2
    assert (
        "Daily digest 2026-11-03: 2 events" in blocks[0] and "Event 1" in blocks[0] and "Event 2" in blocks[0]
    )
    assert "Daily digest 2026-11-04: 1 event" in blocks[1] and "Event 3" in blocks[1]
    assert "Event 1" not in blocks[1]
    with factory() as s:
        assert all(a.status == "sent" and a.digest_id for a in s.scalars(select(Alert)))


def test_empty_period_sends_one_line_only_when_asked(digest_subs: Path, tmp_path: Path) -> None:
    digest_subs.write_text(
        digest_subs.read_text().replace(
            "timezone: Europe/Brussels}", "timezone: Europe/Brussels, send_empty: true}"
        )
    )
    subs = load_subscriptions(digest_subs, environ={})
    with time_machine.travel(datetime(2026, 11, 3, 7, 5, tzinfo=UTC), tick=False):
        report = deliver_digests(session_factory(), subs)
    assert report.sent == 1 and report.alerts == 0
    assert "nothing new" in (tmp_path / "digest.txt").read_text()


@pytest.mark.parametrize(
    ("schedule", "now", "expected"),
    [
        (
            DigestSchedule(at="08:00", timezone="UTC"),
            datetime(2026, 11, 3, 9, 0, tzinfo=UTC),
            datetime(2026, 11, 3, 8, 0, tzinfo=UTC),
        ),
        (
            DigestSchedule(at="08:00", timezone="UTC"),
            datetime(2026, 11, 3, 7, 59, tzinfo=UTC),
            datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
        ),
        (
            DigestSchedule(at="09:30", timezone="Asia/Tokyo"),
            datetime(2026, 11, 3, 1, 0, tzinfo=UTC),
            datetime(2026, 11, 3, 0, 30, tzinfo=UTC),
        ),
        (
            DigestSchedule(every="weekly", weekday="monday", at="08:00"),
            datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
            datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
        ),
    ],
)
def test_period_start(schedule: DigestSchedule, now: datetime, expected: datetime) -> None:
    assert period_start(schedule, now) == expected


def test_follow_up_only_for_subscribers_who_asked(tmp_path: Path) -> None:
    upgrade()
    path = tmp_path / "subs.yaml"
    sink = tmp_path / "alerts.txt"
    path.write_text(
        "subscribers:\n"
        f"  - name: eager\n    follow_ups: true\n    channels:\n      - name: f\n        url: pwfile://{sink}\n"
        f"  - name: quiet\n    channels:\n      - name: f\n        url: pwfile://{sink}\n"
    )
    subs = load_subscriptions(path, environ={})
    factory = session_factory()
    ids = add_event(7, "dpc_meeting", ordinal=3)
    with factory.begin() as s:
        assert queue_alerts(s, ids, subs) == 2
    updated = add_event(7, "dpc_meeting", ordinal=3, date="2027-01-14", location="Seoul")
    with factory.begin() as s:
        assert queue_follow_ups(s, updated, subs) == 1
        assert queue_follow_ups(s, updated, subs) == 0  # once per revision
    report = deliver_pending(factory, subs)
    assert report.sent == 3
    with factory() as s:
        kinds = sorted((a.subscriber, a.kind) for a in s.scalars(select(Alert)))
    assert kinds == [("eager", "follow_up"), ("eager", "new"), ("quiet", "new")]
    assert "Update — " in sink.read_text() and "Seoul" in sink.read_text()

"""The monitor flow over the bundled demo web, twice, under a real (test) Prefect server:
exact counts on the first run, zeros on the second, and a real email on loopback SMTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from models.db import session_factory
from models.migrate import upgrade
from models.tables import Alert, Event, Item, Source
from policywatch.demo import DEMO_DIR
from policywatch.demo.server import DemoWeb
from testkit.loopback import smtp_server
from tests.support.loopback import broken_demo


@pytest.fixture
def demo_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    sink = tmp_path / "alerts.txt"
    monkeypatch.setenv("POLICYWATCH_SUBSCRIPTIONS", str(DEMO_DIR / "subscriptions.yaml"))
    monkeypatch.setenv("POLICYWATCH_DEMO_SINK", f"pwfile://{sink}")
    upgrade()
    return sink


def run(web: DemoWeb, sources: Path | None = None) -> dict[str, Any]:
    from flows.monitor import run_monitor

    return run_monitor(sources_file=str(sources or DEMO_DIR / "sources.yaml"), base_url=web.base_url)


def test_monitor_twice_over_the_demo_web(
    prefect_harness: None, demo_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server() as (inbox, port), DemoWeb() as web:
        monkeypatch.setenv(
            "POLICYWATCH_EMAIL_URL",
            f"mailto://127.0.0.1:{port}?from=watch@example.com&to=team@example.com&format=html",
        )
        first = run(web)
        requests_after_first = len(web.requests)
        second = run(web)
        second_requests = web.requests[requests_after_first:]

    t1, t2 = first["totals"], second["totals"]
    assert t1["sources_polled"] == 4 and t1["failed_sources"] == 0
    assert t1["items_seen"] == 10
    assert t1["new_items"] == 9
    assert t1["duplicates_dropped"] == 1  # the syndicated copy with other boilerplate
    assert t1["alerts_sent"] == t1["alerts_queued"] == 4  # 2 events x 2 channels (file + email)
    # second run: every feed answers 304, nothing stored, nothing sent
    assert t2["not_modified"] == 4
    assert {
        k: t2[k] for k in ("new_items", "duplicates_dropped", "new_events", "alerts_sent", "alerts_queued")
    } == dict.fromkeys(("new_items", "duplicates_dropped", "new_events", "alerts_sent", "alerts_queued"), 0)
    assert len(second_requests) == 4 and all(status == 304 for _p, _inm, status in second_requests)

    with session_factory()() as s:
        assert len(s.scalars(select(Item)).all()) == 9
        events = {e.id: e for e in s.scalars(select(Event))}
        alerted = {(events[a.event_id].type, events[a.event_id].location) for a in s.scalars(select(Alert))}
        assert all(a.status == "sent" and a.attempts == 1 for a in s.scalars(select(Alert)))
        sources = {src.id: src for src in s.scalars(select(Source))}
    assert alerted == {("dpc_meeting", "Tokyo"), ("summit", "Geneva")}
    dpc = next(e for e in events.values() if e.type == "dpc_meeting" and "Japan" in e.name)
    assert (dpc.ordinal, dpc.date, dpc.location, dpc.status) == (4, "2026-12-09", "Tokyo", "upcoming")
    assert all(
        src.etag and src.last_status == "304" and src.consecutive_failures == 0 for src in sources.values()
    )

    # the file sink and the email got the same two alerts
    assert demo_env.read_text().count("=== ") == 2
    assert len(inbox.messages) == 2
    subjects = sorted(str(m["Subject"]) for m in inbox.messages)
    assert any("EU-Japan Digital Partnership Council" in s for s in subjects)
    for msg in inbox.messages:
        assert msg.get_body(preferencelist=("html",)) is not None
        assert msg.get_body(preferencelist=("plain",)) is not None


def test_a_failing_source_does_not_stop_the_others(
    prefect_harness: None, demo_env: Path, tmp_path: Path
) -> None:
    web_root, sources = broken_demo(tmp_path)
    with DemoWeb(root=web_root) as web:
        summary = run(web, sources)
    by_id = {s["source_id"]: s for s in summary["sources"]}
    assert by_id["dead-source"]["status"] == "failed" and "HTTP 404" in by_id["dead-source"]["error"]
    assert by_id["demo-govuk"]["status"] == "failed" and "not a feed" in by_id["demo-govuk"]["error"]
    assert by_id["demo-commission"]["new_items"] == 4  # the others carried on
    with session_factory()() as s:
        dead = s.get(Source, "dead-source")
        assert dead is not None and dead.consecutive_failures == 1 and "404" in (dead.last_error or "")
    json.dumps(summary)  # the summary is plain data (it is the flow's return value)


def test_crawled_sources_go_through_the_same_path(
    prefect_harness: None, demo_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A WordPress API source is crawled in its own Scrapy process, then stored, classified, alerted."""
    monkeypatch.setenv("POLICYWATCH_CRAWL_FAST", "1")
    root = tmp_path / "site"
    (root / "wp-json" / "wp" / "v2").mkdir(parents=True)
    posts = [
        {
            "id": 101,
            "date_gmt": "2026-11-20T08:00:00",
            "link": "{base}/2026/11/seoul-digital-council/",
            "title": {"rendered": "EU and Korea to convene third Digital Partnership Council in Seoul"},
            "content": {
                "rendered": "<p>The third meeting of the EU-Korea Digital Partnership Council will take "
                "place in Seoul on 14 January 2027, the European Commission announced.</p>"
                "<p>Ministers will discuss artificial intelligence, semiconductors and data.</p>"
            },
        },
        {
            "id": 100,
            "date_gmt": "2026-11-10T08:00:00",
            "link": "{base}/2026/11/budget/",
            "title": {"rendered": "Council adopts the 2027 budget for fisheries"},
            "content": {"rendered": "<p>The Council adopted the fisheries budget for 2027.</p>"},
        },
    ]
    (root / "wp-json" / "wp" / "v2" / "posts").write_text(json.dumps(posts))
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        'sources:\n  - id: wp-demo\n    kind: wordpress\n    url: "{base}/wp-json/wp/v2/posts"\n'
        "    private_network: true\n"
        "    jurisdictions: [EU]\n"
    )
    with DemoWeb(root=root) as web:
        first = run(web, sources)
        second = run(web, sources)
    report = first["sources"][0]
    assert (report["status"], report["new_items"], report["new_events"] >= 1) == ("ok", 2, True), report
    assert first["totals"]["alerts_sent"] == 1
    assert second["totals"]["new_items"] == 0 and second["totals"]["alerts_sent"] == 0
    assert any("after=" in path for path, _inm, _st in web.requests)  # incremental on the second crawl
    with session_factory()() as s:
        titles = sorted(i.title for i in s.scalars(select(Item)))
    assert titles[1] == "EU and Korea to convene third Digital Partnership Council in Seoul"

"""The monitor run's Markdown, rendered from data alone (``services.run_report``): no store, no
Prefect. The flow publishes exactly what these functions return."""

from __future__ import annotations

from datetime import UTC, datetime

from alerts.deliver import DeliveryReport
from core.vocabulary import PollStatus
from models.run_queries import AlertCount, NewItemRow
from models.tables import Event
from services.run_report import (
    MAX_ROWS,
    RunFacts,
    health_description,
    latest_run_link,
    render_summary,
    source_table,
)
from services.run_summary import RunSummary
from services.source_report import SourceReport

STARTED = datetime(2026, 12, 7, 4, 15, 2, tzinfo=UTC)


def summary(*reports: SourceReport, alerts: DeliveryReport | None = None) -> RunSummary:
    return RunSummary(
        sources=list(reports),
        started_at=STARTED,
        finished_at=datetime(2026, 12, 7, 4, 16, 0, tzinfo=UTC),
        alerts=alerts or DeliveryReport(),
    )


def test_the_page_shows_failures_then_sources_then_items_events_and_alerts_in_that_order() -> None:
    ok = SourceReport(
        "ministry", "feed", http_status=200, items_seen=3, new_items=2, new_events=1, alerts_queued=1
    )
    bad = SourceReport("broken", "feed", status=PollStatus.FAILED, http_status=503, error="HTTP 503")
    facts = RunFacts(
        new_items=[
            NewItemRow("ministry", "Council meets | in *Tokyo*", "https://m.example/a", STARTED),
            NewItemRow("ministry", "Second", "javascript:alert(1)", None),
        ],
        new_events=[
            Event(
                type="dpc_meeting",
                name="EU-Japan Digital Partnership Council",
                date="2026-10-14",
                location="Tokyo",
                status="upcoming",
            )
        ],
        alerts=[
            AlertCount("desk", "file", "sent", 1, None),
            AlertCount("desk", "slack", "failed", 2, "boom"),
        ],
    )
    page = render_summary(
        summary(ok, bad, alerts=DeliveryReport(sent=1, failed=2, errors=["slack: HTTP 500"])), facts
    )
    lines = page.splitlines()
    assert lines[0] == "# AI Policy Watch — monitor run"
    assert lines[2].startswith(
        "2026-12-07 04:15:02Z → 2026-12-07 04:16:00Z (58 s) · **1 of 2 sources failed**"
    )
    assert "**2 new items**" in lines[2] and "**1 new event**" in lines[2] and "1 alert sent" in lines[2]
    assert "- **broken** (HTTP 503): HTTP 503" in lines
    order = ["## Failed sources (1)", "## Sources", "## New items (2)", "## New events (1)", "## Alerts"]
    assert [page.index(h) for h in order] == sorted(page.index(h) for h in order)
    assert page.index("| broken | failed | 503 |") < page.index("| ministry | ok | 200 | 3 | 2 | 0 | 1 | 1 |")
    # web text is inert, a link is http(s) only, times to the second
    assert "- [Council meets \\| in \\*Tokyo\\*](https://m.example/a) · 2026-12-07 04:15:02Z" in lines
    assert "- Second" in lines
    assert "| dpc\\_meeting | EU-Japan Digital Partnership Council | 2026-10-14 | Tokyo | upcoming |" in lines
    # failed alerts first, then the delivery problems
    assert page.index("| desk | slack | failed | 2 |") < page.index("| desk | file | sent | 1 |")
    assert lines[-1] == "- slack: HTTP 500" and "Delivery problems:" in lines
    assert page.endswith("\n")


def test_a_quiet_run_has_no_empty_sections_and_a_long_one_is_cut() -> None:
    quiet = render_summary(
        summary(SourceReport("ministry", "feed", status=PollStatus.NOT_MODIFIED)), RunFacts()
    )
    assert "## Sources" in quiet and "(1 unchanged)" in quiet
    assert not any(h in quiet for h in ("## Failed", "## New items", "## New events", "## Alerts"))
    assert "## Sources" not in render_summary(summary(), RunFacts())

    busy = SourceReport("busy", "feed", new_items=MAX_ROWS + 7)
    rows = [NewItemRow("busy", f"Item {n}", f"https://b.example/{n}", None) for n in range(MAX_ROWS + 1)]
    page = render_summary(summary(busy), RunFacts(new_items=rows))
    assert page.count("\n- [Item ") == MAX_ROWS
    assert "… and 7 more (`policywatch items`)." in page


def test_the_tables_and_links_a_run_publishes() -> None:
    ok = SourceReport("fine", "feed", new_items=1)
    bad = SourceReport(
        "broken", "json_api", status=PollStatus.FAILED, error="https://a.example/?api_key=SECRET x" * 10
    )
    table = source_table(summary(ok, bad))
    assert [row["source"] for row in table] == ["broken", "fine"]  # failed first
    assert "SECRET" not in str(table[0]["error"]) and len(str(table[0]["error"])) == 160
    assert source_table(summary()) == [{"source": "(none)", "status": "no source due"}]

    healthy = [{"source": "a", "health": "ok", "last_error": "", "consecutive_failures": 0}]
    failing = [{"source": "a", "health": "failing", "last_error": "HTTP 503", "consecutive_failures": 1}]
    again = [{"source": "a", "health": "failing", "last_error": "HTTP 503", "consecutive_failures": 2}]
    assert health_description(healthy) != health_description(failing) == health_description(again)

    assert latest_run_link("feeds 2026-12-07 04:15Z", summary(ok, bad), 42) == (
        "[feeds 2026-12-07 04:15Z: 1 of 2 sources failed: broken](/artifacts/artifact/42)"
    )
    assert (
        latest_run_link("all [x]", summary(ok), "id")
        == "[all \\[x\\]: 1 new items, no failure](/artifacts/artifact/id)"
    )

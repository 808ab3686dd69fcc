"""The operator's page (issue 14, item 7): the run summary puts failed sources first with their
real error (a crawl's own message included), keeps columns short, escapes web text, gives times
to the second; `policywatch demo-web` serves the demo web alone and says where."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import httpx

from core.vocabulary import PollStatus
from services.ingest import SourceReport
from services.run_report import md, md_link, summary_markdown
from services.run_summary import RunSummary
from spiders.runner import CrawlResult
from tests.support.paths import PW


def test_failures_first_with_the_whole_error_below_short_columns() -> None:
    from models.migrate import upgrade

    upgrade()  # the page also lists the run's new items and alerts (none here)
    long_error = (
        "HTTP 503 from https://example.org/feed.xml?api_key=SECRET123 | <b>[x](javascript:alert(1))</b> " * 5
    )
    summary = RunSummary(
        sources=[
            SourceReport(source_id="fine", kind="feed", status=PollStatus.NOT_MODIFIED, http_status=304),
            SourceReport(
                source_id="broken", kind="feed", status=PollStatus.FAILED, http_status=503, error=long_error
            ),
        ],
        started_at=datetime(2026, 12, 7, 4, 15, 2, tzinfo=UTC),
        finished_at=datetime(2026, 12, 7, 4, 15, 40, tzinfo=UTC),
    )
    page = summary_markdown(summary)
    assert "2026-12-07 04:15:02Z → 2026-12-07 04:15:40Z (38 s)" in page
    assert "**1 of 2 sources failed**" in page
    assert page.index("## Failed sources") < page.index("## Sources") < page.index("| broken | failed |")
    assert page.index("| broken | failed |") < page.index("| fine | not\\_modified |")
    table = [line for line in page.splitlines() if line.startswith("| ")]
    assert all(len(line) < 100 for line in table), table  # no error column: fits the screen
    failure = next(line for line in page.splitlines() if line.startswith("- **broken**"))
    assert "SECRET123" not in page  # keys in URLs are masked
    assert "<b>" not in failure and "](javascript" not in failure  # inert: no HTML, no link
    assert "\\<b\\>" in failure and "\\[x\\]\\(javascript:alert\\(1\\)\\)" in failure
    assert "\\|" in failure  # a pipe cannot open a table cell


def test_links_are_http_only_and_cannot_be_broken_out_of() -> None:
    assert (
        md_link("A *bold* [title]", "https://e.org/a (b)")
        == "[A \\*bold\\* \\[title\\]](https://e.org/a%20%28b%29)"
    )
    assert md_link("x", "javascript:alert(1)") == "x"
    assert md("line one\nline two") == "line one line two"
    assert md("x" * 50, 10) == "x" * 9 + "…"


def test_a_crawl_failure_says_what_the_spider_said() -> None:
    result = CrawlResult(
        source_id="meti",
        returncode=0,
        finish_reason="finished",
        stats={
            "finish_reason": "finished",
            "log_count/ERROR": 1,
            "policywatch/log_errors": ["meti: no links matched 'dl a' on https://meti.example/press"],
        },
    )
    reason = result.failed_reason()
    assert reason is not None and "no links matched 'dl a' on https://meti.example/press" in reason
    assert "see log" not in reason
    assert not result.transient  # the site answered: trying again in a minute would not help
    assert CrawlResult(source_id="x", timed_out=True).transient


def test_demo_web_serves_on_its_own_and_says_where(tmp_path: Path) -> None:
    env = {**os.environ, "POLICYWATCH_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [str(PW), "demo-web", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().decode()
        found = re.search(r"serving on (http://127\.0\.0\.1:\d+)", first)
        assert found, first
        feed = httpx.get(found.group(1) + "/commission/rss.xml", timeout=10)
        assert feed.status_code == 200 and b"<rss" in feed.content
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_demo_web_says_when_it_moves_port(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        env = {**os.environ, "POLICYWATCH_DATA_DIR": str(tmp_path), "POLICYWATCH_DEMO_PORT": str(taken)}
        proc = subprocess.Popen(
            [str(PW), "demo-web"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline().decode()
            assert f"(port {taken} is busy)" in first and f":{taken}" not in first.split(" (port")[0], first
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def test_new_items_are_a_list_per_source_that_wraps_instead_of_a_wide_table(tmp_path: Path) -> None:
    """Headlines in a table column overflowed the 1,280-px page (the UI cut them off): a list
    per source wraps any headline, each a link with its time to the second."""
    import json

    from alerts.subscriptions import Subscriptions
    from core.sources_config import JsonlSource
    from models.db import session_factory
    from models.migrate import upgrade
    from services.ingest import import_items, read_jsonl
    from services.run_report import new_items_markdown

    upgrade()
    started = datetime.now(UTC)
    long_title = "Ministers of two countries meet to discuss " + "a very long agenda item, " * 6
    rows = [
        {
            "id": "n1",
            "title": long_title,
            "text": "Body.",
            "url": "https://example.org/a",
            "published": "2026-12-01T09:00:00Z",
        },
        {"id": "n2", "title": "Short one", "text": "Other body.", "url": "https://example.org/b"},
    ]
    lines = tmp_path / "in.jsonl"
    lines.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    source = JsonlSource()
    report = import_items(
        session_factory(),
        read_jsonl(lines, source.id),
        Subscriptions(path=Path("x"), subscribers=[], channels={}),
        None,
        source,
    )
    assert report.new_items == 2
    page = new_items_markdown(RunSummary(sources=[report], started_at=started))
    assert "## New items (2)" in page
    assert f"**{md(source.id)}**" in page
    items = [line for line in page if line.startswith("- ")]
    assert len(items) == 2 and not any(line.startswith("| ") for line in page)
    assert items[0].startswith("- [Ministers of two countries") and items[0].endswith(
        " · 2026-12-01 09:00:00Z"
    )
    assert "](https://example.org/b)" in items[1]

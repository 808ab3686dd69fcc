"""Adaptive polling within bounds (issue 14): every source is polled at least every
POLICYWATCH_MAX_POLL_INTERVAL (2 h by default), a server's Retry-After is still honoured, and a
run says how many sources were not due and when the next one is. Pure functions, table-driven,
on a frozen clock; then the same through the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.health import DUE_SLACK, MAX_INTERVAL, due_at, is_due, next_poll_at
from core.settings import max_poll_interval
from core.vocabulary import PollStatus
from core.yamlconf import ConfigError
from flows.monitor import run_name
from models import sources_repo
from models.db import session_factory
from models.migrate import upgrade
from models.tables import Source
from services.due import due_sources
from services.ingest import SourceReport
from services.run_summary import RunSummary, failure_message, not_due_line

NOW = datetime(2026, 12, 7, 4, 10, tzinfo=UTC)
MIN = 60.0
HOUR = 3600.0
DAY = 86400.0


@pytest.mark.parametrize(
    ("rhythm", "retry_after", "max_age", "max_interval", "expected"),
    [
        (None, None, None, MAX_INTERVAL, timedelta(minutes=15)),  # never measured: the minimum
        (5 * MIN, None, None, MAX_INTERVAL, timedelta(minutes=15)),  # busy: never below the minimum
        (4 * HOUR, None, None, MAX_INTERVAL, timedelta(hours=1)),  # a quarter of its rhythm
        (8 * HOUR, None, None, MAX_INTERVAL, timedelta(hours=2)),  # exactly at the bound
        (5 * DAY, None, None, MAX_INTERVAL, timedelta(hours=2)),  # every 5 days: still every 2 h
        (5 * DAY, None, None, timedelta(hours=6), timedelta(hours=6)),  # the bound is configurable
        (5 * DAY, None, None, timedelta(minutes=5), timedelta(minutes=5)),  # even below the minimum
        (None, None, 30 * MIN, MAX_INTERVAL, timedelta(minutes=30)),  # max-age later than the wait
        (None, None, 10 * HOUR, MAX_INTERVAL, timedelta(hours=2)),  # max-age: only up to the bound
        (None, 6 * HOUR, None, MAX_INTERVAL, timedelta(hours=6)),  # Retry-After past the bound wins
        (None, 10 * DAY, None, MAX_INTERVAL, timedelta(hours=24)),  # but a silly one is capped at a day
        (
            4 * HOUR,
            10 * MIN,
            None,
            MAX_INTERVAL,
            timedelta(hours=1),
        ),  # an earlier Retry-After changes nothing
    ],
)
def test_next_poll_table(
    rhythm: float | None,
    retry_after: float | None,
    max_age: float | None,
    max_interval: timedelta,
    expected: timedelta,
) -> None:
    got = next_poll_at(NOW, rhythm, retry_after=retry_after, max_age=max_age, max_interval=max_interval)
    assert got - NOW == expected


@pytest.mark.parametrize(
    ("next_poll", "last_polled", "failing", "expected"),
    [
        (None, None, False, None),  # never polled: due now
        (NOW + timedelta(hours=1), NOW, False, NOW + timedelta(hours=1)),  # its own time, within the bound
        # stored under the old 24 h bound: due 2 h after the last poll all the same
        (NOW + timedelta(hours=20), NOW - timedelta(hours=4), False, NOW - timedelta(hours=2)),
        # failing: its backoff or Retry-After (bounded when stored) is kept
        (NOW + timedelta(hours=6), NOW, True, NOW + timedelta(hours=6)),
        (NOW + timedelta(hours=3), None, False, NOW + timedelta(hours=3)),  # no poll time recorded
    ],
)
def test_due_at_table(
    next_poll: datetime | None, last_polled: datetime | None, failing: bool, expected: datetime | None
) -> None:
    assert due_at(next_poll, last_polled, failing=failing, max_interval=MAX_INTERVAL) == expected


@pytest.mark.parametrize(
    ("when", "due"),
    [
        (None, True),
        (NOW - timedelta(hours=1), True),
        (NOW + DUE_SLACK, True),  # a poll ended a few seconds after the last run started
        (NOW + DUE_SLACK + timedelta(seconds=1), False),
        (NOW + timedelta(hours=1), False),
    ],
)
def test_is_due_table(when: datetime | None, due: bool) -> None:
    assert is_due(when, NOW) is due


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", MAX_INTERVAL), ("3600", timedelta(hours=1)), ("90.5", timedelta(seconds=90.5))],
)
def test_max_poll_interval_from_the_environment(
    raw: str, expected: timedelta, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICYWATCH_MAX_POLL_INTERVAL", raw)
    assert max_poll_interval() == expected


@pytest.mark.parametrize("raw", ["0", "-5", "two hours", "inf", "nan"])
def test_a_bad_max_poll_interval_is_a_configuration_error(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYWATCH_MAX_POLL_INTERVAL", raw)
    with pytest.raises(ConfigError, match="POLICYWATCH_MAX_POLL_INTERVAL"):
        max_poll_interval()


def test_a_rare_source_is_polled_within_the_bound_through_the_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """A source that publishes every 5 days: its next poll is set 2 h out (1 h when configured)."""
    upgrade()
    factory = session_factory()
    with factory.begin() as s:
        sources_repo.ensure_source(s, "rare", "feed", "http://example.org/rss")
        src = s.get(Source, "rare")
        assert src is not None
        src.rhythm_seconds = 5 * DAY
    waits = []
    with time_machine.travel(NOW, tick=False):
        for bound in ("", "3600"):
            monkeypatch.setenv("POLICYWATCH_MAX_POLL_INTERVAL", bound)
            with factory.begin() as s:
                sources_repo.record_poll(s, "rare", ok=True, status="304")
                src = s.get(Source, "rare")
                assert src is not None and src.next_poll_at is not None
                waits.append(src.next_poll_at - NOW)
    assert waits == [timedelta(hours=2), timedelta(hours=1)]


def test_due_sources_honour_the_bound_and_name_the_next_time(monkeypatch: pytest.MonkeyPatch) -> None:
    upgrade()
    factory = session_factory()
    with factory.begin() as s:
        for sid in ("fresh", "stale", "soon", "never", "failing"):
            sources_repo.ensure_source(s, sid, "feed", f"http://example.org/{sid}")
        rows = {src.id: src for src in s.query(Source)}
        rows["fresh"].last_polled_at, rows["fresh"].next_poll_at = NOW, NOW + timedelta(hours=1)
        # polled 3 h ago and told to wait a day (the old bound): overdue by the 2 h bound
        rows["stale"].last_polled_at, rows["stale"].next_poll_at = (
            NOW - timedelta(hours=3),
            NOW + timedelta(hours=21),
        )
        rows["soon"].last_polled_at, rows["soon"].next_poll_at = (
            NOW - timedelta(minutes=10),
            NOW + timedelta(minutes=3),
        )
        rows["failing"].last_polled_at, rows["failing"].next_poll_at = NOW, NOW + timedelta(minutes=40)
        rows["failing"].consecutive_failures = 2
    ids = ["fresh", "stale", "soon", "never", "failing"]
    due, next_due = due_sources(factory, ids, now=NOW)
    assert due == {"stale", "soon", "never"}
    assert next_due == NOW + timedelta(minutes=40)  # the failing one, before "fresh" at +1 h

    monkeypatch.setenv("POLICYWATCH_MAX_POLL_INTERVAL", "1800")  # 30 min: "fresh" waits 30 min now
    due, next_due = due_sources(factory, ids, now=NOW)
    assert due == {"stale", "soon", "never"} and next_due == NOW + timedelta(minutes=30)


def test_the_not_due_line() -> None:
    summary = RunSummary(not_due=["a", "b", "c"], next_due=NOW + timedelta(hours=1, minutes=45, seconds=3))
    with time_machine.travel(NOW, tick=False):
        line = not_due_line(summary.as_dict())
        one = not_due_line(RunSummary(not_due=["a"], next_due=NOW + timedelta(minutes=9)).as_dict())
    assert line == "3 sources not due; next at 2026-12-07 05:55:03Z (in 1 h 45 min): a, b, c"
    assert one == "1 source not due; next at 2026-12-07 04:19:00Z (in 9 min): a"
    assert not_due_line(RunSummary().as_dict()) == ""
    many = not_due_line(RunSummary(not_due=[f"s{i}" for i in range(12)]).as_dict())
    assert many == "12 sources not due: s0, s1, s2, s3, s4, s5, s6, s7, s8, s9 and 2 more"


@pytest.mark.parametrize(
    ("tier", "only", "name"),
    [
        ("feeds", None, "feeds 2026-12-07 04:10Z"),
        (None, None, "all 2026-12-07 04:10Z"),
        (None, ["ec-presscorner"], "all ec-presscorner 2026-12-07 04:10Z"),
        ("apis", ["a" * 50], "apis " + "a" * 39 + "… 2026-12-07 04:10Z"),
    ],
)
def test_run_names(tier: str | None, only: list[str] | None, name: str) -> None:
    paris = datetime(2026, 12, 7, 5, 10, 59, tzinfo=ZoneInfo("Europe/Paris"))  # 04:10:59 UTC
    assert run_name(tier, only, paris) == name  # in UTC, whatever zone the time came in


def test_failure_message() -> None:
    ok = SourceReport(source_id="good", kind="feed")
    bad = [SourceReport(source_id=f"bad{i}", kind="feed", status=PollStatus.FAILED) for i in range(12)]
    assert failure_message(RunSummary(sources=[ok])) is None
    assert failure_message(RunSummary(sources=[ok, bad[0], bad[1]])) == "2 of 3 sources failed: bad0, bad1"
    assert failure_message(RunSummary(sources=bad)) == (
        "12 of 12 sources failed: bad0, bad1, bad2, bad3, bad4, bad5, bad6, bad7, bad8, bad9 and 2 more"
    )


@pytest.mark.parametrize(("n", "text"), [(0, "0 new items"), (1, "1 new item"), (2, "2 new items")])
def test_the_operator_page_counts_in_words(n: int, text: str) -> None:
    from services.run_report import counted

    assert counted(n, "new item") == text

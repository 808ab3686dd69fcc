"""Source health and adaptive polling: table-driven on a frozen clock, and operator notices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from alerts.subscriptions import load_subscriptions
from core.health import health_of, next_poll_at, updated_rhythm
from models import sources_repo
from models.db import session_factory
from models.migrate import upgrade
from services.operators import notify_operators

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
HOUR = 3600.0


@pytest.mark.parametrize(
    ("failures", "last_new", "rhythm", "state"),
    [
        (0, NOW - timedelta(hours=1), HOUR, "ok"),
        (2, NOW - timedelta(hours=1), HOUR, "ok"),  # below the threshold of 3
        (3, NOW - timedelta(hours=1), HOUR, "failing"),
        (0, NOW - timedelta(days=1), HOUR, "ok"),  # quiet, but not for two days
        (0, NOW - timedelta(days=3), HOUR, "silent"),  # hourly source, three days quiet
        (0, NOW - timedelta(days=3), 86400.0, "ok"),  # daily source: 3 days is within 6x its rhythm
        (0, NOW - timedelta(days=8), 86400.0, "silent"),
        (0, None, None, "ok"),  # never had an item: nothing to compare with
        (5, NOW - timedelta(days=8), 86400.0, "failing"),  # failing wins over silent
    ],
)
def test_health_states(failures: int, last_new: datetime | None, rhythm: float | None, state: str) -> None:
    health = health_of(
        consecutive_failures=failures,
        last_error="HTTP 503",
        last_new_item_at=last_new,
        rhythm_seconds=rhythm,
        now=NOW,
        failing_runs=3,
    )
    assert health.state == state
    if state == "failing":
        assert "HTTP 503" in health.reason and f"{failures} runs" in health.reason


@pytest.mark.parametrize(
    ("rhythm", "retry_after", "max_age", "expected"),
    [
        (None, None, None, timedelta(minutes=15)),  # unknown rhythm: the base interval
        (60.0, None, None, timedelta(minutes=15)),  # very busy source: never below the minimum
        (4 * HOUR, None, None, timedelta(hours=1)),  # a quarter of its usual interval
        (30 * 86400.0, None, None, timedelta(hours=2)),  # rare source: capped (POLICYWATCH_MAX_POLL_INTERVAL)
        (4 * HOUR, 7200.0, None, timedelta(hours=2)),  # Retry-After wins when later
        (None, None, 3600.0, timedelta(hours=1)),  # so does Cache-Control max-age
        (None, 10 * 86400.0, None, timedelta(hours=24)),  # but a silly Retry-After is capped
    ],
)
def test_next_poll(
    rhythm: float | None, retry_after: float | None, max_age: float | None, expected: timedelta
) -> None:
    assert next_poll_at(NOW, rhythm, retry_after=retry_after, max_age=max_age) == NOW + expected


def test_rhythm_moving_average() -> None:
    assert updated_rhythm(None, NOW - timedelta(hours=2), NOW, 2) == HOUR
    assert updated_rhythm(HOUR, NOW - timedelta(hours=11), NOW, 1) == pytest.approx(
        0.7 * HOUR + 0.3 * 11 * HOUR
    )
    assert updated_rhythm(HOUR, NOW, NOW, 0) == HOUR  # no new item: unchanged


def test_operators_hear_of_each_change_once(tmp_path: Path) -> None:
    upgrade()
    sink = tmp_path / "ops.txt"
    path = tmp_path / "subs.yaml"
    path.write_text(
        f"operators:\n  failing_runs: 3\n  channels:\n    - name: ops\n      url: pwfile://{sink}\n"
    )
    subs = load_subscriptions(path, environ={})
    factory = session_factory()
    with factory.begin() as s:
        sources_repo.ensure_source(s, "flaky", "feed", "http://example.org/rss")

    def run(ok: bool) -> list[str]:
        with factory.begin() as s:
            sources_repo.record_poll(
                s, "flaky", ok=ok, status="200" if ok else "error", error=None if ok else "HTTP 503"
            )
        return notify_operators(factory, subs)

    with time_machine.travel(NOW, tick=False):
        assert run(False) == [] and run(False) == []
        third = run(False)
        fourth = run(False)
        recovered = run(True)
        after = run(True)
    assert third == ["Source flaky is failing: failed 3 runs in a row: HTTP 503"]
    assert fourth == [] and after == []
    assert recovered == ["Source flaky is healthy again (was failing)."]
    assert sink.read_text().count("=== ") == 2


def test_failures_back_off_the_next_poll() -> None:
    upgrade()
    factory = session_factory()
    with factory.begin() as s:
        sources_repo.ensure_source(s, "flaky", "feed", "http://example.org/rss")
    waits = []
    with time_machine.travel(NOW, tick=False):
        for _ in range(4):
            with factory.begin() as s:
                sources_repo.record_poll(s, "flaky", ok=False, status="error", error="timeout")
                src = sources_repo.get_source(s, "flaky")
                assert src is not None and src.next_poll_at is not None
                waits.append(src.next_poll_at - NOW)
    assert waits == [timedelta(minutes=m) for m in (15, 30, 60, 120)]

"""What a poll or a batch of new items decides about a source's schedule, as tables: the source's
state and the outcome in, the failure streak, next poll time and rhythm out. The store
(``models/sources_repo.py``) only loads the source and writes these; the interval maths itself is
``tests/unit/test_poll_bounds.py``'s."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.health import MAX_INTERVAL
from pipeline.polling import Arrivals, NextPoll, after_new_items, after_poll

NOW = datetime(2031, 3, 3, 12, 0, tzinfo=UTC)
MIN = 60.0
HOUR = 3600.0
DAY = 86400.0


@pytest.mark.parametrize(
    ("ok", "rhythm", "failures", "retry_after", "max_age", "bound", "expected"),
    [
        # a success: the rhythm decides, the streak ends
        (True, None, 0, None, None, MAX_INTERVAL, NextPoll(0, NOW + timedelta(minutes=15))),
        (True, 4 * HOUR, 0, None, None, MAX_INTERVAL, NextPoll(0, NOW + timedelta(hours=1))),
        (True, 5 * DAY, 0, None, None, MAX_INTERVAL, NextPoll(0, NOW + timedelta(hours=2))),
        (True, 4 * HOUR, 5, None, None, MAX_INTERVAL, NextPoll(0, NOW + timedelta(hours=1))),
        (True, None, 0, None, 30 * MIN, MAX_INTERVAL, NextPoll(0, NOW + timedelta(minutes=30))),
        (True, None, 0, 6 * HOUR, None, MAX_INTERVAL, NextPoll(0, NOW + timedelta(hours=6))),
        # a failure: the wait doubles per failure in a row, whatever the rhythm
        (False, None, 0, None, None, MAX_INTERVAL, NextPoll(1, NOW + timedelta(minutes=15))),
        (False, 10 * MIN, 1, None, None, MAX_INTERVAL, NextPoll(2, NOW + timedelta(minutes=30))),
        (False, 5 * DAY, 2, None, None, MAX_INTERVAL, NextPoll(3, NOW + timedelta(hours=1))),
        (False, None, 3, None, None, MAX_INTERVAL, NextPoll(4, NOW + timedelta(hours=2))),
        (False, None, 4, None, None, MAX_INTERVAL, NextPoll(5, NOW + timedelta(hours=2))),  # the bound
        (False, None, 4, None, None, timedelta(hours=12), NextPoll(5, NOW + timedelta(hours=4))),
        (False, None, 6, None, None, timedelta(days=1), NextPoll(7, NOW + timedelta(hours=16))),
        (
            False,
            None,
            40,
            None,
            None,
            timedelta(days=1),
            NextPoll(41, NOW + timedelta(hours=16)),
        ),  # 2**6 at most
        (
            False,
            None,
            0,
            6 * HOUR,
            None,
            MAX_INTERVAL,
            NextPoll(1, NOW + timedelta(hours=6)),
        ),  # Retry-After wins
        (
            False,
            None,
            0,
            None,
            1 * HOUR,
            MAX_INTERVAL,
            NextPoll(1, NOW + timedelta(minutes=15)),
        ),  # max-age: not on failure
    ],
)
def test_after_poll(
    ok: bool,
    rhythm: float | None,
    failures: int,
    retry_after: float | None,
    max_age: float | None,
    bound: timedelta,
    expected: NextPoll,
) -> None:
    got = after_poll(
        ok=ok,
        now=NOW,
        rhythm_seconds=rhythm,
        failures_before=failures,
        max_interval=bound,
        retry_after=retry_after,
        max_age=max_age,
    )
    assert got == expected


def days_ago(*days: float) -> list[datetime]:
    return [NOW - timedelta(days=d) for d in days]


@pytest.mark.parametrize(
    ("before", "new", "published", "rhythm"),
    [
        # the first batch: its own publication dates give the first estimate
        (Arrivals(None, None, 0), 3, days_ago(0, 1, 2), DAY),
        (Arrivals(None, None, 0), 4, days_ago(0, 0.5, 1, 3), DAY),
        (Arrivals(None, None, 0), 3, days_ago(1, 1, 1), 60.0),  # one stamp for all: the floor
        (Arrivals(None, None, 0), 1, days_ago(1), None),  # one date measures nothing
        (Arrivals(None, None, 0), 2, [], None),
        # later batches fold the interval since the last one, per item, into the average
        (Arrivals(None, NOW - timedelta(hours=2), 5), 1, days_ago(0, 9), 2 * HOUR),
        (Arrivals(None, NOW - timedelta(hours=2), 5), 4, [], 0.5 * HOUR),
        (Arrivals(HOUR, NOW - timedelta(hours=2), 5), 1, [], 0.7 * HOUR + 0.3 * 2 * HOUR),
        (Arrivals(HOUR, NOW - timedelta(seconds=0.5), 5), 2, [], 0.7 * HOUR + 0.3 * 1.0),  # at least 1 s
        (Arrivals(HOUR, None, 5), 1, days_ago(0, 1, 2), HOUR),  # rhythm known: the dates are not used
    ],
)
def test_after_new_items(before: Arrivals, new: int, published: list[datetime], rhythm: float | None) -> None:
    after = after_new_items(before, new, NOW, published)
    if rhythm is None:
        assert after.rhythm_seconds is None
    else:
        assert after.rhythm_seconds == pytest.approx(rhythm)
    assert after.last_new_item_at == NOW
    assert after.items_total == before.items_total + new

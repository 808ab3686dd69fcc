"""Adaptive polling: what a poll's outcome and a batch of new items mean for a source's schedule.

The store keeps a source's rhythm and failures; deciding what they become is policy, and policy
is easier to read and to test as plain values in, plain values out. So the store loads a source,
asks these functions, and writes back what they return (``models/sources_repo.py``). The maths
of the intervals (bounds, Retry-After, max-age, the moving average) is ``core/health.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.health import MIN_INTERVAL, next_poll_at, updated_rhythm

FIRST_RHYTHM_FLOOR = 60.0
"""Seconds: a first estimate from publication dates is never below a minute (a feed that stamps
its whole history with one time would otherwise look like it publishes continuously)."""
MAX_BACKOFF_DOUBLINGS = 6
"""A failing source's wait doubles per failure, up to 2**6 times the base (then the bound rules)."""
FAILURE_BACKOFF_FACTOR = 4
"""The backoff is passed as a rhythm, of which ``next_poll_at`` waits a quarter: times 4 makes
the wait the backoff itself."""


@dataclass(frozen=True, slots=True)
class Arrivals:
    """How a source has been publishing: what adaptive polling learns from new items."""

    rhythm_seconds: float | None
    """The moving average of the interval between new items, or None before it is known."""
    last_new_item_at: datetime | None
    items_total: int


def after_new_items(
    before: Arrivals, new_items: int, now: datetime, published: Sequence[datetime] = ()
) -> Arrivals:
    """A source's arrivals once ``new_items`` came in at ``now``.

    The first batch has no earlier arrival to measure from, so its own publication dates give the
    first estimate (the feed's history tells how often it publishes); after that each batch folds
    the interval since the last one into the moving average."""
    if before.rhythm_seconds is None and before.last_new_item_at is None and len(published) >= 2:
        span = (max(published) - min(published)).total_seconds()
        rhythm: float | None = max(span / (len(published) - 1), FIRST_RHYTHM_FLOOR)
    else:
        rhythm = updated_rhythm(before.rhythm_seconds, before.last_new_item_at, now, new_items)
    return Arrivals(rhythm_seconds=rhythm, last_new_item_at=now, items_total=before.items_total + new_items)


@dataclass(frozen=True, slots=True)
class NextPoll:
    """What one poll decides about the next: the failure streak and when to poll again."""

    consecutive_failures: int
    next_poll_at: datetime


def after_poll(
    *,
    ok: bool,
    now: datetime,
    rhythm_seconds: float | None,
    failures_before: int,
    max_interval: timedelta,
    retry_after: float | None = None,
    max_age: float | None = None,
) -> NextPoll:
    """When to poll a source next, after a poll that succeeded or failed at ``now``.

    A success follows the source's rhythm (and the server's Retry-After or max-age); a failure
    backs off, doubling per failure in a row, so a source that is down is not hammered, while the
    bound keeps a recovered source from waiting long (a Retry-After may still exceed it)."""
    if ok:
        when = next_poll_at(
            now, rhythm_seconds, retry_after=retry_after, max_age=max_age, max_interval=max_interval
        )
        return NextPoll(consecutive_failures=0, next_poll_at=when)
    failures = failures_before + 1
    backoff = MIN_INTERVAL.total_seconds() * 2 ** min(failures - 1, MAX_BACKOFF_DOUBLINGS)
    when = next_poll_at(
        now, backoff * FAILURE_BACKOFF_FACTOR, retry_after=retry_after, max_interval=max_interval
    )
    return NextPoll(consecutive_failures=failures, next_poll_at=when)

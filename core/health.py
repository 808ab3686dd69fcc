"""Source health and adaptive polling, as pure functions of a source's state and the clock.

Operators need to hear once when a source starts failing or goes quiet (not on every run),
and sources that publish rarely should be polled less often than busy ones (Miniflux's
entry-frequency scheduling), within bounds: never more often than MIN_INTERVAL, never less
often than the maximum interval (POLICYWATCH_MAX_POLL_INTERVAL, 2 h by default), and never
before a server's Retry-After (up to a day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.vocabulary import HealthState

MIN_INTERVAL = timedelta(minutes=15)
MAX_INTERVAL = timedelta(hours=2)
"""Default upper bound of the wait between two polls of a source (POLICYWATCH_MAX_POLL_INTERVAL):
a source that publishes every few days is still polled every 2 h, so its next item is heard
of within 2 h plus one schedule interval (a conditional GET answered 304 costs about 0.5 KB)."""
RETRY_AFTER_LIMIT = timedelta(hours=24)
"""A server's explicit Retry-After is honoured beyond the maximum interval, up to this."""
DUE_SLACK = timedelta(minutes=5)
"""A source due within this much of a run's start is polled by that run. Poll times are recorded
when a poll ends, a few seconds after the run started: without the slack, a source due every
15 minutes would just miss the next quarter-hour run and wait for the one after."""
SILENT_FACTOR = 6.0
"""A source is silent when nothing new came for SILENT_FACTOR times its usual interval..."""
MIN_SILENCE = timedelta(days=2)
"""...and at least this long (a feed that posts hourly is not 'silent' after six quiet hours at night)."""
RHYTHM_WEIGHT = 0.3
"""Weight of the newest interval in the moving average of the rhythm."""


@dataclass(frozen=True, slots=True)
class Health:
    state: HealthState
    reason: str


def health_of(
    *,
    consecutive_failures: int,
    last_error: str | None,
    last_new_item_at: datetime | None,
    rhythm_seconds: float | None,
    now: datetime,
    failing_runs: int,
) -> Health:
    if consecutive_failures >= failing_runs:
        return Health(
            HealthState.FAILING,
            f"failed {consecutive_failures} runs in a row: {last_error or 'unknown error'}",
        )
    if rhythm_seconds and last_new_item_at:
        quiet = now - last_new_item_at
        limit = max(timedelta(seconds=rhythm_seconds * SILENT_FACTOR), MIN_SILENCE)
        if quiet > limit:
            usual = _human(timedelta(seconds=rhythm_seconds))
            return Health(
                HealthState.SILENT, f"no new item for {_human(quiet)} (it usually publishes every {usual})"
            )
    return Health(HealthState.OK, "")


def updated_rhythm(
    rhythm_seconds: float | None, last_new_item_at: datetime | None, now: datetime, new_items: int
) -> float | None:
    """Fold the interval since the last new item, per new item, into the moving average."""
    if new_items <= 0 or last_new_item_at is None:
        return rhythm_seconds
    interval = max((now - last_new_item_at).total_seconds() / new_items, 1.0)
    if rhythm_seconds is None:
        return interval
    return (1 - RHYTHM_WEIGHT) * rhythm_seconds + RHYTHM_WEIGHT * interval


def next_poll_at(
    now: datetime,
    rhythm_seconds: float | None,
    *,
    retry_after: float | None = None,
    max_age: float | None = None,
    min_interval: timedelta = MIN_INTERVAL,
    max_interval: timedelta = MAX_INTERVAL,
) -> datetime:
    """When to poll next: a quarter of the usual interval between items, clamped to
    [min_interval, max_interval]; not before the end of the server's Cache-Control max-age (up to
    max_interval: a conditional GET after it is cheap) nor before its Retry-After (an explicit
    request to back off: honoured up to a day, even past max_interval)."""
    wait = min_interval if rhythm_seconds is None else timedelta(seconds=rhythm_seconds / 4)
    wait = min(max(wait, min_interval), max_interval)
    if max_age:
        wait = max(wait, min(timedelta(seconds=max_age), max_interval))
    if retry_after:
        wait = max(wait, min(timedelta(seconds=retry_after), max(RETRY_AFTER_LIMIT, max_interval)))
    return now + wait


def due_at(
    next_poll: datetime | None,
    last_polled: datetime | None,
    *,
    failing: bool,
    max_interval: timedelta = MAX_INTERVAL,
) -> datetime | None:
    """When a source is next due (None: never polled, due now).

    A healthy source is due at its stored next-poll time, but never later than max_interval
    after its last poll, so a lower POLICYWATCH_MAX_POLL_INTERVAL takes effect at once even for
    times stored under an older bound. A failing source keeps its stored time: its backoff and
    a server's Retry-After are already bounded when that time is computed."""
    if next_poll is None:
        return None
    if failing or last_polled is None:
        return next_poll
    return min(next_poll, last_polled + max_interval)


def is_due(when: datetime | None, now: datetime, slack: timedelta = DUE_SLACK) -> bool:
    return when is None or when <= now + slack


def _human(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.0f} hours"
    return f"{max(seconds / 60, 1):.0f} minutes"

"""Source health and adaptive polling, as pure functions of a source's state and the clock.

Operators need to hear once when a source starts failing or goes quiet (not on every run),
and sources that publish rarely should be polled less often than busy ones (Miniflux's
entry-frequency scheduling), within bounds, always honouring Retry-After and max-age.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MIN_INTERVAL = timedelta(minutes=15)
MAX_INTERVAL = timedelta(hours=24)
SILENT_FACTOR = 6.0
"""A source is silent when nothing new came for SILENT_FACTOR times its usual interval..."""
MIN_SILENCE = timedelta(days=2)
"""...and at least this long (a feed that posts hourly is not 'silent' after six quiet hours at night)."""
RHYTHM_WEIGHT = 0.3
"""Weight of the newest interval in the moving average of the rhythm."""


@dataclass(frozen=True, slots=True)
class Health:
    state: str
    """ok | failing | silent"""
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
            "failing", f"failed {consecutive_failures} runs in a row: {last_error or 'unknown error'}"
        )
    if rhythm_seconds and last_new_item_at:
        quiet = now - last_new_item_at
        limit = max(timedelta(seconds=rhythm_seconds * SILENT_FACTOR), MIN_SILENCE)
        if quiet > limit:
            usual = _human(timedelta(seconds=rhythm_seconds))
            return Health("silent", f"no new item for {_human(quiet)} (it usually publishes every {usual})")
    return Health("ok", "")


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
    """When to poll next: a quarter of the usual interval between items, clamped, never before
    the server's Retry-After or the end of its Cache-Control max-age."""
    wait = min_interval if rhythm_seconds is None else timedelta(seconds=rhythm_seconds / 4)
    wait = min(max(wait, min_interval), max_interval)
    for server_says in (retry_after, max_age):
        if server_says:
            wait = max(wait, timedelta(seconds=min(server_says, max_interval.total_seconds())))
    return now + wait


def _human(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.0f} hours"
    return f"{max(seconds / 60, 1):.0f} minutes"

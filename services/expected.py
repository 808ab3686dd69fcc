"""Expected events: an announced meeting whose date has passed with no report that it was held.

"The third meeting is scheduled for 2025 in Tokyo" creates an upcoming event. A later report
that it was held links to it (same key) and moves it on; if its date passes first (with a
grace period for reporting), it becomes ``overdue`` once, and subscribers of that series hear
about it once: no peer tool watches for the news that did not come.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from alerts.outbox import queue_overdue
from alerts.subscriptions import Subscriptions
from core.vocabulary import EventStatus
from models import events_repo
from models.base import utcnow

GRACE = timedelta(days=3)
"""Reports of a meeting can trail it by a few days."""
_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def last_day(value: str | None) -> date | None:
    """The last day an event's (possibly partial) date covers: '2025' -> 2025-12-31."""
    match = _PARTIAL.match(value or "")
    if not match:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else 12
    if not 1 <= month <= 12:
        return None
    day = int(match.group(3)) if match.group(3) else calendar.monthrange(year, month)[1]
    try:
        return date(year, month, day)
    except ValueError:
        return None


def mark_overdue(session: Session, now: datetime | None = None) -> list[int]:
    """Move expected events past their date (plus grace) to ``overdue``; return their ids."""
    now = now or utcnow()
    overdue: list[int] = []
    for event in events_repo.events_with_status(session, EventStatus.UPCOMING):
        end = last_day(event.date)
        if end is None or end < event.created_at.date():
            continue  # already past when we first read of it: old news, not an expectation
        if datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1) + GRACE <= now:
            event.status, event.updated_at = EventStatus.OVERDUE, now
            event.revision = (event.revision or 0) + 1
            overdue.append(event.id)
    return overdue


def overdue_events(factory: sessionmaker[Session], subs: Subscriptions) -> list[int]:
    """Mark the expected events whose date passed with no report overdue, and queue their alerts
    in the same transaction (told once); the ids marked."""
    with factory.begin() as session:
        overdue = mark_overdue(session)
        queue_overdue(session, overdue, subs)
    return overdue

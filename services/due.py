"""Which sources an adaptive run polls: those whose next-poll time has come."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from core import settings
from core.health import due_at, is_due
from models import run_queries
from models.base import utcnow


def due_sources(
    factory: sessionmaker[Session], source_ids: Sequence[str], now: datetime | None = None
) -> tuple[set[str], datetime | None]:
    """Sources whose adaptive next-poll time has come (or that were never polled), and the
    earliest time one of the others is due. Every source is due at least every
    POLICYWATCH_MAX_POLL_INTERVAL (``core.health.due_at``)."""
    now = now or utcnow()
    bound = settings.max_poll_interval()
    with factory() as session:
        rows = run_queries.poll_times(session, source_ids)
    when = {
        row.source_id: due_at(
            row.next_poll_at, row.last_polled_at, failing=bool(row.consecutive_failures), max_interval=bound
        )
        for row in rows
    }
    not_due = {sid: t for sid, t in when.items() if t is not None and not is_due(t, now)}
    return set(source_ids) - set(not_due), min(not_due.values(), default=None)

"""Sources in the store: their rows, their poll outcomes and their arrivals.

Reads a source, asks ``pipeline/polling.py`` what a poll or a batch of new items means for its
schedule, and writes the answer; the validators and health fields it records as given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.settings import max_poll_interval
from models.base import utcnow
from models.sql import dialect_insert
from models.tables import Source
from pipeline.polling import Arrivals, after_new_items, after_poll


def ensure_source(session: Session, source_id: str, kind: str, url: str, name: str = "") -> None:
    stmt = dialect_insert(session, Source).values(id=source_id, kind=kind, url=url, name=name)
    session.execute(stmt.on_conflict_do_nothing())
    session.execute(update(Source).where(Source.id == source_id).values(kind=kind, url=url, name=name))


def get_source(session: Session, source_id: str) -> Source | None:
    return session.get(Source, source_id)


def all_sources(session: Session) -> list[Source]:
    """Every stored source, in id order."""
    return list(session.scalars(select(Source).order_by(Source.id)))


def note_new_items(
    session: Session, source_id: str, new_items: int, now: datetime, published: Sequence[datetime] = ()
) -> None:
    """Count new items and fold their arrival into the source's rhythm (for adaptive polling).

    On PostgreSQL the row is locked first: two workers storing items of one source at once
    would otherwise each fold their batch into the same old rhythm, and one count would be lost."""
    src = session.get(Source, source_id, with_for_update=session.get_bind().dialect.name == "postgresql")
    if src is None:
        return
    before = Arrivals(src.rhythm_seconds, src.last_new_item_at, src.items_total or 0)
    after = after_new_items(before, new_items, now, published)
    src.rhythm_seconds, src.last_new_item_at, src.items_total = (
        after.rhythm_seconds,
        after.last_new_item_at,
        after.items_total,
    )


def record_poll(
    session: Session,
    source_id: str,
    *,
    ok: bool,
    status: str,
    error: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    retry_after: float | None = None,
    max_age: float | None = None,
) -> None:
    """Remember the outcome of a poll: validators for the next conditional GET, health, and
    when to poll next (``pipeline.polling.after_poll``: adaptive; failures back off; the server's
    Retry-After/max-age win; never later than POLICYWATCH_MAX_POLL_INTERVAL, except for a
    Retry-After)."""
    now = utcnow()
    bound = max_poll_interval()
    src = session.get(Source, source_id)
    if src is None:
        return
    plan = after_poll(
        ok=ok,
        now=now,
        rhythm_seconds=src.rhythm_seconds,
        failures_before=src.consecutive_failures or 0,
        max_interval=bound,
        retry_after=retry_after,
        max_age=max_age,
    )
    src.last_polled_at, src.last_status = now, status
    src.consecutive_failures, src.next_poll_at, src.last_error = (
        plan.consecutive_failures,
        plan.next_poll_at,
        error,
    )
    if ok:
        src.last_success_at = now
        if etag is not None or last_modified is not None:
            src.etag, src.last_modified = etag, last_modified
    session.flush()

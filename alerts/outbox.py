"""The transactional outbox: alert rows written in the same transaction as their events.

A row is unique per (subscriber, event, channel), so re-running a source, replaying rules or
two workers racing can never queue an alert twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.subscriptions import EventView, Subscriptions, match
from models.repository import dialect_insert
from models.tables import Alert, Event


def queue_alerts(session: Session, event_ids: Sequence[int], subs: Subscriptions) -> int:
    """Queue one pending alert per matching subscriber x channel; return how many were new."""
    if not event_ids:
        return 0
    queued = 0
    events = session.scalars(select(Event).where(Event.id.in_(list(event_ids))).order_by(Event.id)).all()
    for event in events:
        view = EventView(
            type=event.type,
            name=event.name,
            series=event.series,
            jurisdictions=list(event.jurisdictions or []),
            confidence=event.confidence,
            evidence=event.evidence,
        )
        for sub in subs.subscribers:
            if sub.mode != "immediate":
                continue  # digests are assembled from stored events on their own schedule
            reason = match(sub, view)
            if reason is None:
                continue
            for channel in subs.channels.get(sub.name, []):
                stmt = (
                    dialect_insert(session, Alert)
                    .values(
                        subscriber=sub.name,
                        event_id=event.id,
                        channel=channel.name,
                        channel_redacted=channel.redacted,
                        reason=reason,
                        status="pending",
                    )
                    .on_conflict_do_nothing()
                    .returning(Alert.id)
                )
                if session.execute(stmt).scalar() is not None:
                    queued += 1
    return queued

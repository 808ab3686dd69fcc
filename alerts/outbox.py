"""The transactional outbox: alert rows written in the same transaction as their events.

A row is unique per (subscriber, event, channel, kind, revision), so re-running a source,
replaying rules or two workers racing can never queue the same alert twice. Digest
subscribers get the same rows with ``mode='digest'``; the digest job sends them in batches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from alerts.subscriptions import EventView, Subscriber, Subscriptions, match
from core.vocabulary import AlertKind
from models import alerts_repo, events_repo
from models.tables import Event


def event_view(event: Event) -> EventView:
    return EventView(
        type=event.type,
        name=event.name,
        series=event.series,
        jurisdictions=list(event.jurisdictions or []),
        confidence=event.confidence,
        evidence=event.evidence,
    )


def _insert(
    session: Session,
    sub: Subscriber,
    subs: Subscriptions,
    event: Event,
    reason: str,
    kind: str,
    revision: int,
) -> int:
    queued = 0
    for channel in subs.channels.get(sub.name, []):
        if alerts_repo.queue_alert(
            session,
            subscriber=sub.name,
            event_id=event.id,
            channel=channel.name,
            channel_redacted=channel.redacted,
            reason=reason,
            kind=kind,
            revision=revision,
            mode=sub.mode,
        ):
            queued += 1
    return queued


def _queue(
    session: Session,
    event_ids: Sequence[int],
    subs: Subscriptions,
    kind: str,
    preface: str = "",
    wants: Callable[[Subscriber, Event], bool] = lambda _sub, _event: True,
) -> int:
    """Queue one pending alert of ``kind`` per matching (and willing) subscriber x channel."""
    if not event_ids:
        return 0
    queued = 0
    for event in events_repo.events_by_id(session, event_ids):
        view = event_view(event)
        for sub in subs.subscribers:
            if not wants(sub, event):
                continue
            reason = match(sub, view)
            if reason is not None:
                revision = 0 if kind == AlertKind.NEW else event.revision
                queued += _insert(session, sub, subs, event, preface + reason, kind, revision)
    return queued


def queue_alerts(session: Session, event_ids: Sequence[int], subs: Subscriptions) -> int:
    """Queue one pending alert per matching subscriber x channel for new events."""
    return _queue(session, event_ids, subs, AlertKind.NEW)


def queue_overdue(session: Session, event_ids: Sequence[int], subs: Subscriptions) -> int:
    """An expected event's date passed with no report: tell its matching subscribers, once."""
    preface = "Expected but not reported: its date has passed with no report that it took place. "
    return _queue(session, event_ids, subs, AlertKind.OVERDUE, preface)


def queue_follow_ups(session: Session, event_ids: Sequence[int], subs: Subscriptions) -> int:
    """An event already alerted gained a detail: tell the subscribers who asked for follow-ups."""
    if not event_ids:
        return 0
    alerted = alerts_repo.alerted_pairs(session, event_ids, AlertKind.NEW)
    return _queue(
        session,
        event_ids,
        subs,
        AlertKind.FOLLOW_UP,
        "Follow-up: this event gained new details. ",
        lambda sub, event: sub.follow_ups and (sub.name, event.id) in alerted,
    )

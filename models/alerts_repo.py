"""Alerts and digests in the store: the outbox's rows, their claims and their digests.

What to queue, when to retry and how to render are ``alerts/``'s decisions; this module holds
the statements that carry them out, so the guarantees live next to the SQL that gives them:

- an alert is queued with ``INSERT ... ON CONFLICT DO NOTHING`` on its unique key (subscriber,
  event, channel, kind, revision), so a re-run, a replay of the rules or two racing workers
  never queue it twice;
- a delivery claims a row with one conditional ``UPDATE`` (still pending or sending, its lease
  or backoff over), so two workers never send the same row at once;
- a digest is one row per (subscriber, channel, period start), created with ``ON CONFLICT DO
  NOTHING``, and its alerts are attached to it before the send.

Every function runs in the caller's session and transaction; none of them commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from core.vocabulary import AlertStatus, DeliveryMode, DigestStatus
from models.sql import dialect_insert
from models.tables import Alert, Digest

_OPEN = (AlertStatus.PENDING, AlertStatus.SENDING)
"""A row in either state may be (re)claimed once its ``next_attempt_at`` has passed: a pending
row waits for its backoff, a sending one for its lease (a worker killed mid-send)."""


def queue_alert(
    session: Session,
    *,
    subscriber: str,
    event_id: int,
    channel: str,
    channel_redacted: str,
    reason: str,
    kind: str,
    revision: int,
    mode: str,
) -> bool:
    """Write one pending alert unless its (subscriber, event, channel, kind, revision) is already
    there; True when this call wrote it."""
    stmt = (
        dialect_insert(session, Alert)
        .values(
            subscriber=subscriber,
            event_id=event_id,
            channel=channel,
            channel_redacted=channel_redacted,
            reason=reason,
            kind=kind,
            revision=revision,
            mode=mode,
            status=AlertStatus.PENDING,
        )
        .on_conflict_do_nothing()
        .returning(Alert.id)
    )
    return session.execute(stmt).scalar() is not None


def alerted_pairs(session: Session, event_ids: Sequence[int], kind: str) -> set[tuple[str, int]]:
    """The (subscriber, event id) pairs among these events that have an alert of ``kind``."""
    return set(
        session.execute(
            select(Alert.subscriber, Alert.event_id).where(
                Alert.event_id.in_(list(event_ids)), Alert.kind == kind
            )
        ).tuples()
    )


def all_alerts(session: Session) -> list[Alert]:
    """Every alert, in id order (the CLI's ``alerts`` listing)."""
    return list(session.scalars(select(Alert).order_by(Alert.id)))


def due_immediate(session: Session, now: datetime) -> list[Alert]:
    """Immediate alerts that may be sent at ``now``: open, and past their backoff or lease."""
    return list(
        session.scalars(
            select(Alert)
            .where(
                Alert.mode == DeliveryMode.IMMEDIATE,
                Alert.status.in_(_OPEN),
                or_(Alert.next_attempt_at.is_(None), Alert.next_attempt_at <= now),
            )
            .order_by(Alert.id)
        ).all()
    )


def claim(session: Session, alert_id: int, now: datetime, lease: timedelta) -> bool:
    """Mark the alert ``sending`` with one more attempt and a lease until ``now + lease``, if it is
    still open and due; True when this call claimed it. One conditional UPDATE: of two workers
    racing for a row, one sees a row count of 1, the other 0. The caller commits the claim."""
    result = cast(
        CursorResult[tuple[()]],
        session.execute(
            update(Alert)
            .where(
                Alert.id == alert_id,
                Alert.status.in_(_OPEN),
                or_(Alert.next_attempt_at.is_(None), Alert.next_attempt_at <= now),
            )
            .values(status=AlertStatus.SENDING, attempts=Alert.attempts + 1, next_attempt_at=now + lease)
        ),
    )
    return (result.rowcount or 0) == 1


def open_digest(session: Session, subscriber: str, channel: str, period_start: datetime) -> Digest:
    """The digest of this subscriber, channel and period, created pending if there is none yet
    (``ON CONFLICT DO NOTHING``: a second worker gets the row the first one wrote)."""
    session.execute(
        dialect_insert(session, Digest)
        .values(
            subscriber=subscriber, channel=channel, period_start=period_start, status=DigestStatus.PENDING
        )
        .on_conflict_do_nothing()
    )
    return session.execute(
        select(Digest).where(
            Digest.subscriber == subscriber,
            Digest.channel == channel,
            Digest.period_start == period_start,
        )
    ).scalar_one()


def attach_to_digest(session: Session, digest: Digest, queued_until: datetime) -> None:
    """Attach to the digest its subscriber's pending digest alerts on its channel that were queued
    at or before ``queued_until`` and are in no digest yet."""
    session.execute(
        update(Alert)
        .where(
            Alert.subscriber == digest.subscriber,
            Alert.channel == digest.channel,
            Alert.mode == DeliveryMode.DIGEST,
            Alert.status == AlertStatus.PENDING,
            Alert.digest_id.is_(None),
            Alert.created_at <= queued_until,
        )
        .values(digest_id=digest.id)
    )


def digest_alerts(session: Session, digest_id: int) -> list[Alert]:
    """The alerts attached to a digest, in id order."""
    return list(session.scalars(select(Alert).where(Alert.digest_id == digest_id).order_by(Alert.id)).all())

"""The store: sources with fetch state, items, labels, events and the alert outbox.

Identity lives in unique constraints (canonical URL, source+GUID, event key, one alert per
subscriber x event x channel) so that re-runs and concurrent workers cannot insert twice.
Relationships are ``lazy="raise"``: every query says what it loads, so no N+1 sneaks in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Double, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.vocabulary import AlertKind, AlertStatus, DeliveryMode, DigestStatus, HealthState
from models.base import Base, utcnow


class Source(Base):
    """A watched source and its polling state (conditional GET validators, health)."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(400))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status: Mapped[str | None] = mapped_column(String(40))
    last_polled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_new_item_at: Mapped[datetime | None]
    items_total: Mapped[int] = mapped_column(default=0)
    health: Mapped[str] = mapped_column(String(16), default=HealthState.OK)
    """ok | failing (N runs in a row) | silent (far beyond its normal rhythm)."""
    health_notified: Mapped[str] = mapped_column(String(16), default=HealthState.OK)
    """The health state the operators were last told about: they hear of each change once."""
    rhythm_seconds: Mapped[float | None] = mapped_column(Double)
    """Typical time between new items (moving average): drives adaptive polling and silence."""
    next_poll_at: Mapped[datetime | None]


class Item(Base):
    """One stored article or press release, after dedup and classification."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("canonical_url"),
        UniqueConstraint("source_id", "guid"),
        Index("ix_items_content_hash", "content_hash", unique=True),
        Index("ix_items_published", "published"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(400))
    guid: Mapped[str | None] = mapped_column(String(1000))
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[datetime | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))
    ai_policy: Mapped[bool] = mapped_column(default=False)
    event_type: Mapped[str] = mapped_column(String(32), default="none")
    evidence: Mapped[str] = mapped_column(Text, default="")
    jurisdictions: Mapped[list[str]] = mapped_column(default=list)
    topics: Mapped[list[str]] = mapped_column(default=list)
    story_id: Mapped[int | None] = mapped_column(index=True)
    """Id of the first item of the near-duplicate story this item belongs to (itself when first)."""
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)

    labels: Mapped[list[Label]] = relationship(back_populates="item", lazy="raise", cascade="all")


class ItemBand(Base):
    """LSH band keys of an item's MinHash: the index that makes story lookup sub-linear."""

    __tablename__ = "item_bands"

    band: Mapped[str] = mapped_column(String(24), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)


class Label(Base):
    """A classification decision with the rule and evidence sentence behind it."""

    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(200))
    rule: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[Item] = relationship(back_populates="labels", lazy="raise")


class Event(Base):
    """A real-world event (meeting, summit, MoU, law milestone, declaration), once per key."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400))
    type: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(Text)
    series: Mapped[str | None] = mapped_column(String(300))
    ordinal: Mapped[int | None]
    date: Mapped[str | None] = mapped_column(String(32))
    location: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str | None] = mapped_column(String(32))
    evidence: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float] = mapped_column(Double, default=1.0)
    jurisdictions: Mapped[list[str]] = mapped_column(default=list)
    first_item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    revision: Mapped[int] = mapped_column(default=0)
    """Bumped each time a later report adds a detail (date, place, ordinal, status): follow-ups key on it."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class EventMention(Base):
    """An item reporting an event: the link that lets one event carry many outlets."""

    __tablename__ = "event_mentions"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    evidence: Mapped[str] = mapped_column(Text, default="")


class Alert(Base):
    """Outbox row: one per subscriber x event x channel, written with the event, sent once."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("subscriber", "event_id", "channel", "kind", "revision"),
        Index("ix_alerts_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber: Mapped[str] = mapped_column(String(200))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(200))
    """The channel's name in the subscriptions file (never the secret-bearing URL)."""
    channel_redacted: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    """'Why you got this': the subscription filter that matched."""
    kind: Mapped[str] = mapped_column(String(16), default=AlertKind.NEW)
    """new (first alert of an event) | follow_up (the event gained a detail) | overdue (expected event)."""
    revision: Mapped[int] = mapped_column(default=0)
    """The event revision this alert reports (0 for the first alert)."""
    mode: Mapped[str] = mapped_column(String(16), default=DeliveryMode.IMMEDIATE)
    """immediate: sent by the next delivery; digest: held for the subscriber's next digest."""
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id"))
    status: Mapped[str] = mapped_column(String(16), default=AlertStatus.PENDING)
    """pending -> sending -> sent | failed (after max attempts)."""
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class Digest(Base):
    """One digest per subscriber, channel and period: the unique key makes 'never twice' race-free."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("subscriber", "channel", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=DigestStatus.PENDING)
    alert_count: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class DeliveryAttempt(Base):
    """Every send attempt of an alert, with a redacted error, for the operator's audit trail."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str | None] = mapped_column(Text)

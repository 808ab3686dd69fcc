"""The store's reads for a monitor run and its operator's views: when sources are due, what a run
stored and queued (its summary page), what a re-crawl may skip, why an item was read as it was,
and each source's stored state.

They lived as inline SQL in the flow and the CLI; here they are plain functions of a session,
so the flow only orchestrates, the CLI only presents, and a change of schema touches the store
alone. Read-only: none of them writes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models.tables import Alert, Event, EventMention, Item, Label, Source


class PollTimes(NamedTuple):
    """What decides when a source is due again (``core.health.due_at``)."""

    source_id: str
    next_poll_at: datetime | None
    last_polled_at: datetime | None
    consecutive_failures: int


class NewItemRow(NamedTuple):
    source_id: str
    title: str
    url: str
    published: datetime | None


class AlertCount(NamedTuple):
    """Alerts of one subscriber, channel and status, with one of their errors."""

    subscriber: str
    channel: str
    status: str
    alerts: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class ItemReasons:
    """One stored item with the labels and events read in it (``policywatch explain``)."""

    item: Item
    labels: list[Label]
    events: list[Event]


def poll_times(session: Session, source_ids: Collection[str]) -> list[PollTimes]:
    """The poll times of the given sources that were ever polled (a source never polled has no row)."""
    rows = session.execute(
        select(Source.id, Source.next_poll_at, Source.last_polled_at, Source.consecutive_failures).where(
            Source.id.in_(list(source_ids))
        )
    ).all()
    return [PollTimes(*row) for row in rows]


def new_items_since(
    session: Session, source_ids: Collection[str], since: datetime, limit: int
) -> list[NewItemRow]:
    """Items of these sources stored since ``since``, by source then id, at most ``limit``."""
    rows = session.execute(
        select(Item.source_id, Item.title, Item.url, Item.published)
        .where(Item.source_id.in_(list(source_ids)), Item.fetched_at >= since)
        .order_by(Item.source_id, Item.id)
        .limit(limit)
    ).all()
    return [NewItemRow(*row) for row in rows]


def alert_counts_since(session: Session, since: datetime) -> list[AlertCount]:
    """Alerts created or sent since ``since``, counted by subscriber, channel and status."""
    rows = session.execute(
        select(Alert.subscriber, Alert.channel, Alert.status, func.count(), func.max(Alert.last_error))
        .where(or_(Alert.created_at >= since, Alert.sent_at >= since))
        .group_by(Alert.subscriber, Alert.channel, Alert.status)
        .order_by(Alert.subscriber, Alert.channel, Alert.status)
    ).all()
    return [AlertCount(*row) for row in rows]


def item_reasons(session: Session, item_id: int) -> ItemReasons | None:
    """The item, its labels (in the order they were written) and the events it mentions, or None."""
    item = session.get(Item, item_id)
    if item is None:
        return None
    labels = session.scalars(select(Label).where(Label.item_id == item_id).order_by(Label.id)).all()
    events = session.scalars(
        select(Event)
        .join(EventMention, EventMention.event_id == Event.id)
        .where(EventMention.item_id == item_id)
        .order_by(Event.id)
    ).all()
    return ItemReasons(item, list(labels), list(events))


def sources_by_id(session: Session) -> dict[str, Source]:
    """Every stored source row, by id."""
    return {s.id: s for s in session.scalars(select(Source))}


def recent_urls(session: Session, source_id: str, limit: int) -> set[str]:
    """The links of the source's ``limit`` most recently stored items."""
    return set(
        session.scalars(
            select(Item.url).where(Item.source_id == source_id).order_by(Item.id.desc()).limit(limit)
        )
    )


def newest_published(session: Session, source_id: str) -> datetime | None:
    """The latest publication time among the source's stored items."""
    return session.scalar(select(func.max(Item.published)).where(Item.source_id == source_id))

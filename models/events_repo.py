"""Events in the store: creating them once, writing what new reports change, and their mentions.

Which event a report belongs to is ``pipeline/event_match.py``'s decision, what it changes in
that event ``pipeline/event_merge.py``'s; this module loads what they need, calls them, and
writes the result. Race-free: an event is created with ``INSERT ... ON CONFLICT DO NOTHING`` on
its key, and one that another worker created meanwhile is then merged like any stored event.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from models.base import utcnow
from models.sql import dialect_insert
from models.tables import Alert, Event, EventMention, Item, Source
from pipeline.event_match import Mention, Report, one_key_per_event, types_to_compare
from pipeline.event_merge import StoredEvent, merge_reports
from pipeline.intel.identity import Identity, identity_of
from pipeline.types import Classification, ExtractedEvent

RECENT_EVENTS = 500
"""How many of the latest events of a type a new report is compared with (``same_event``)."""


@dataclass(slots=True)
class EventLinks:
    """What linking a batch of items to their events did, for the outbox."""

    new_event_ids: list[int] = field(default_factory=list)
    updated_event_ids: list[int] = field(default_factory=list)
    """Stored events that are news again: a new revision, or a confidence that rose."""


def link_events_batch(session: Session, entries: Sequence[tuple[int, Classification]]) -> EventLinks:
    """Create each new event once, enrich known ones, and link every item to its events.

    The one path that decides event identity and revisions, for ingest and reclassify alike.
    Items are taken in the given order (id order: earlier reports first)."""
    mentions = [
        Mention(item_id, ev, tuple(cls.jurisdictions)) for item_id, cls in entries for ev in cls.events
    ]
    if not mentions:
        return EventLinks()
    mentions = _one_key_per_event(session, mentions)
    keys = list(dict.fromkeys(m.event.key for m in mentions))
    now = utcnow()
    existing = {e.key: e for e in session.scalars(select(Event).where(Event.key.in_(keys)))}
    first: dict[str, Mention] = {}
    for mention in mentions:
        if mention.event.key not in existing:
            first.setdefault(mention.event.key, mention)
    created_ids = _create(session, list(first.values()), now) if first else {}
    late = [k for k in first if k not in created_ids]  # another worker created them meanwhile
    if late:
        existing.update({e.key: e for e in session.scalars(select(Event).where(Event.key.in_(late)))})
    created: dict[str, Event] = {}
    if created_ids:
        created = {
            e.key: e for e in session.scalars(select(Event).where(Event.id.in_(list(created_ids.values()))))
        }
    rows = {**existing, **created}
    before = {key: _stored(row) for key, row in rows.items()}
    merged = merge_reports(before, set(created), [m.event for m in mentions])
    for key, after in merged.events.items():
        _write(rows[key], before[key], after)
        if key in merged.touched:
            rows[key].updated_at = now
    mention_rows: list[dict[str, Any]] = [
        {"event_id": rows[m.event.key].id, "item_id": m.item_id, "evidence": m.event.evidence}
        for m in mentions
    ]
    session.execute(dialect_insert(session, EventMention.__table__).on_conflict_do_nothing(), mention_rows)
    session.flush()
    return EventLinks(
        new_event_ids=[created_ids[k] for k in keys if k in created_ids],
        updated_event_ids=[rows[k].id for k in merged.news],
    )


def _create(session: Session, firsts: list[Mention], now: datetime) -> dict[str, int]:
    """Insert the events first reported in this batch (each from its first report); the ids of
    those this worker created by key (a key another worker created meanwhile is left out)."""
    table = Event.__table__
    rows = [
        {
            "key": m.event.key,
            "type": m.event.type,
            "name": m.event.name,
            "series": m.event.series,
            "ordinal": m.event.ordinal,
            "date": m.event.date,
            "location": m.event.location,
            "status": m.event.status,
            "evidence": m.event.evidence,
            "confidence": m.event.confidence,
            "jurisdictions": list(m.jurisdictions),
            "first_item_id": m.item_id,
            "revision": 0,
            "created_at": now,
            "updated_at": now,
        }
        for m in firsts
    ]
    inserted = session.execute(
        dialect_insert(session, table).on_conflict_do_nothing().returning(table.c.id, table.c.key), rows
    ).all()
    return {key: event_id for event_id, key in inserted}


def _stored(row: Event) -> StoredEvent:
    return StoredEvent(
        key=row.key,
        name=row.name,
        series=row.series,
        ordinal=row.ordinal,
        date=row.date,
        location=row.location,
        status=row.status,
        confidence=row.confidence,
        revision=row.revision or 0,
    )


_MERGED_FIELDS = ("name", "series", "ordinal", "date", "location", "status", "confidence", "revision")


def _write(row: Event, before: StoredEvent, after: StoredEvent) -> None:
    """Set on the row the fields the merge changed (only those: the flush updates no others)."""
    for name in _MERGED_FIELDS:
        if getattr(after, name) != getattr(before, name):
            setattr(row, name, getattr(after, name))


def _one_key_per_event(session: Session, mentions: list[Mention]) -> list[Mention]:
    """Give a report of a known event that event's key (``pipeline.event_match``), after loading
    what the decision reads: which keys are stored, the reports' dates and headlines, and the
    recent events of the types that need comparing."""
    keys = {m.event.key for m in mentions}
    known_keys = set(session.scalars(select(Event.key).where(Event.key.in_(keys))))
    item_ids = {m.item_id for m in mentions}
    reports = {
        row.id: Report(row.published.date() if row.published else None, row.title or "")
        for row in session.execute(select(Item.id, Item.published, Item.title).where(Item.id.in_(item_ids)))
    }
    recent = {
        kind: _recent_identities(session, kind) for kind in sorted(types_to_compare(mentions, known_keys))
    }
    return one_key_per_event(mentions, known_keys, reports, recent)


def _recent_identities(session: Session, event_type: str) -> list[tuple[str, Identity]]:
    rows = session.execute(
        select(Event, Item.published, Item.title)
        .outerjoin(Item, Event.first_item_id == Item.id)
        .where(Event.type == event_type)
        .order_by(Event.id.desc())
        .limit(RECENT_EVENTS)
    ).all()
    out = []
    for event, pub, title in rows:
        shape = ExtractedEvent(
            type=event.type,
            name=event.name,
            key=event.key,
            evidence="",
            series=event.series,
            ordinal=event.ordinal,
            date=event.date,
            location=event.location,
        )
        published = pub.date() if pub else None
        out.append((event.key, identity_of(shape, list(event.jurisdictions or []), published, title or "")))
    return out


def event_item_ids(session: Session, event_ids: Sequence[int]) -> dict[int, list[int]]:
    """The items that report each event, in item order."""
    return _mentions_by(session, EventMention.event_id, EventMention.item_id, event_ids)


def item_event_ids(session: Session, item_ids: Sequence[int]) -> dict[int, list[int]]:
    """The events each item reports, in event order."""
    return _mentions_by(session, EventMention.item_id, EventMention.event_id, item_ids)


def _mentions_by(
    session: Session, key: InstrumentedAttribute[int], value: InstrumentedAttribute[int], ids: Sequence[int]
) -> dict[int, list[int]]:
    """The mention table grouped one way or the other: each id in ``ids`` (a ``key``) with its
    ``value``s in order (an empty list when it has none)."""
    out: dict[int, list[int]] = {i: [] for i in ids}
    if not ids:
        return out
    for k, v in session.execute(select(key, value).where(key.in_(ids)).order_by(value)):
        out[k].append(v)
    return out


class Outlet(NamedTuple):
    """One stored report of an event, as an alert names it."""

    title: str
    canonical_url: str
    published: datetime | None
    source_name: str
    source_id: str


def event_outlets(session: Session, event_id: int) -> list[Outlet]:
    """Every item that mentions the event, with its source, oldest publication first."""
    rows = session.execute(
        select(Item.title, Item.canonical_url, Item.published, Source.name, Source.id)
        .join(EventMention, EventMention.item_id == Item.id)
        .join(Source, Source.id == Item.source_id)
        .where(EventMention.event_id == event_id)
        .order_by(Item.published, Item.id)
    ).all()
    return [Outlet(*row) for row in rows]


def events_by_id(session: Session, event_ids: Collection[int]) -> list[Event]:
    """These events, in id order."""
    return list(session.scalars(select(Event).where(Event.id.in_(list(event_ids))).order_by(Event.id)))


def all_events(session: Session) -> list[Event]:
    """Every event, in id order (the CLI's ``events`` listing)."""
    return list(session.scalars(select(Event).order_by(Event.id)).all())


def events_with_status(session: Session, status: str) -> list[Event]:
    """The events in one status, in id order."""
    return list(session.scalars(select(Event).where(Event.status == status).order_by(Event.id)))


def latest_events(session: Session, limit: int) -> list[Event]:
    """The ``limit`` events stored last, newest first."""
    return list(
        session.scalars(select(Event).order_by(Event.created_at.desc(), Event.id.desc()).limit(limit)).all()
    )


def remove_orphans(session: Session) -> int:
    """Delete the events that no item mentions and no alert names; how many there were."""
    orphans = select(Event.id).where(
        ~exists().where(EventMention.event_id == Event.id), ~exists().where(Alert.event_id == Event.id)
    )
    removed = len(session.scalars(orphans).all())
    session.execute(delete(Event).where(Event.id.in_(orphans)))
    return removed

"""Items in the store: what is already stored, and storing a batch with everything it brings.

Race-free by construction: every insert that could collide with a re-run or a second worker is
``INSERT ... ON CONFLICT DO NOTHING``, and the unique indexes (URL, source + GUID, content hash)
settle which copy is stored. Stories, events and the source's arrivals are their own
repositories' work; this one calls them in one transaction, the caller's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.events_repo import EventLinks, link_events_batch
from models.sources_repo import note_new_items
from models.sql import dialect_insert, insert_values
from models.stories_repo import assign_stories
from models.tables import EventMention, Item, Label
from pipeline.types import Classification, ProcessedItem


@dataclass(slots=True)
class StoreOutcome:
    new_items: int = 0
    duplicates: int = 0
    already_stored: int = 0
    new_event_ids: list[int] = field(default_factory=list)
    updated_event_ids: list[int] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)


def _existing(session: Session, column: Any, values: Iterable[str | None], *criteria: Any) -> set[str]:
    """Which of ``values`` the store already has in ``column``, asked 500 at a time (IN lists
    stay well below SQLite's and PostgreSQL's parameter limits)."""
    wanted = sorted({v for v in values if v})
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(v for v in session.scalars(select(column).where(column.in_(chunk), *criteria)) if v)
    return found


def stored_urls(session: Session, canonical_urls: Iterable[str]) -> set[str]:
    return _existing(session, Item.canonical_url, canonical_urls)


def stored_guids(session: Session, source_id: str, guids: Iterable[str]) -> set[str]:
    return _existing(session, Item.guid, guids, Item.source_id == source_id)


def stored_hashes(session: Session, hashes: Iterable[str]) -> set[str]:
    return _existing(session, Item.content_hash, hashes)


def store_items(
    session: Session, processed: Sequence[ProcessedItem], fetched_at: datetime | None = None
) -> StoreOutcome:
    """Store new items with labels, stories, events and mentions; skip what is already there.

    Set-based: one multi-row INSERT for the items, one for their labels, one for their band
    keys, one UPDATE for their stories, whatever the batch size (no per-item round trips).
    Runs inside the caller's transaction, so the caller can queue alerts for the new events
    in the same commit (the transactional outbox).
    """
    outcome = StoreOutcome()
    fetched_at = fetched_at or utcnow()
    # Copies within the batch are dropped here; copies of stored items are settled by the unique
    # indexes (URL, source + GUID, content hash) in the INSERT below, no lookup needed first.
    candidates: list[ProcessedItem] = []
    batch_hashes: set[str] = set()
    for item in processed:
        if item.content_hash in batch_hashes:
            outcome.duplicates += 1
            continue
        batch_hashes.add(item.content_hash)
        candidates.append(item)
    if not candidates:
        return outcome
    items_table = Item.__table__
    rows = [
        {
            "source_id": p.raw.source_id,
            "external_id": p.raw.guid,
            "guid": p.raw.guid,
            "url": p.raw.url,
            "canonical_url": p.canonical_url,
            "title": p.raw.title,
            "published": p.raw.published,
            "summary": p.raw.summary[:2000],
            "text": p.text,
            "content_hash": p.content_hash,
            "language": p.raw.language,
            "ai_policy": p.classification.ai_policy,
            "event_type": p.classification.event_type,
            "evidence": p.classification.evidence,
            "jurisdictions": p.classification.jurisdictions,
            "topics": p.classification.topics,
            "minhash": p.story_signature,
            "fetched_at": fetched_at,
            "story_id": None,
        }
        for p in candidates
    ]
    inserted = session.execute(
        dialect_insert(session, items_table)
        .on_conflict_do_nothing()
        .returning(items_table.c.id, items_table.c.canonical_url),
        rows,
    ).all()
    ids_by_url = {url: item_id for item_id, url in inserted}
    stored: list[tuple[int, ProcessedItem]] = []
    lost = [p for p in candidates if p.canonical_url not in ids_by_url]
    # Stored before (a re-run, another worker, a syndicated copy): the same URL counts as already
    # stored, the same text under another URL as a duplicate.
    lost_urls = stored_urls(session, (p.canonical_url for p in lost)) if lost else set()
    for p in candidates:
        item_id = ids_by_url.get(p.canonical_url)
        if item_id is not None:
            stored.append((item_id, p))
        elif p.canonical_url in lost_urls:
            outcome.already_stored += 1
        else:
            outcome.duplicates += 1
    stored.sort(key=lambda pair: pair[0])
    assign_stories(session, [(item_id, p.story_signature, p.story_bands) for item_id, p in stored])
    for item_id, _p in stored:
        outcome.new_items += 1
        outcome.item_ids.append(item_id)
    links = link_items(session, [(item_id, p.classification) for item_id, p in stored])
    outcome.new_event_ids += links.new_event_ids
    outcome.updated_event_ids += [e for e in links.updated_event_ids if e not in outcome.updated_event_ids]
    if outcome.new_items:
        published = [p.raw.published for p in processed if p.raw.published]
        note_new_items(session, processed[0].raw.source_id, outcome.new_items, fetched_at, published)
    return outcome


def link_items(session: Session, entries: Sequence[tuple[int, Classification]]) -> EventLinks:
    """Store stored items' labels and link them to their events: what a classification adds to an
    item. Ingest calls it for new items, reclassify for items whose old labels and mentions it
    removed, so the two share one path for event identity and revisions (``link_events_batch``).
    ``entries`` come in id order."""
    insert_values(
        session,
        Label.__tablename__,
        ("item_id", "kind", "value", "rule", "evidence"),
        [(item_id, lb.kind, lb.value, lb.rule, lb.evidence) for item_id, cls in entries for lb in cls.labels],
        skip_conflicts=False,
    )
    return link_events_batch(session, entries)


def items_after(session: Session, last_id: int, limit: int) -> list[Item]:
    """The next ``limit`` items after id ``last_id``, in id order: one page of a walk over every
    stored item that never holds more than a page in memory."""
    return list(session.scalars(select(Item).where(Item.id > last_id).order_by(Item.id).limit(limit)).all())


def clear_classification(session: Session, item_ids: Sequence[int]) -> None:
    """Delete these items' labels and event mentions (before ``link_items`` writes new ones)."""
    session.execute(delete(Label).where(Label.item_id.in_(item_ids)))
    session.execute(delete(EventMention).where(EventMention.item_id.in_(item_ids)))

"""Writing and reading the store. Race-free by construction: every insert that could
collide with a re-run or a second worker is ``INSERT ... ON CONFLICT DO NOTHING``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.base import utcnow
from models.tables import Event, EventMention, Item, ItemBand, Label, Source
from pipeline.stories import SAME_STORY, similarity
from pipeline.types import Classification, ProcessedItem
from policywatch.health import MIN_INTERVAL, next_poll_at, updated_rhythm


def dialect_insert(session: Session, table: Any) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_nothing`` on SQLite and PostgreSQL."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database dialect {name!r} (use SQLite or PostgreSQL)")


@dataclass(slots=True)
class StoreOutcome:
    new_items: int = 0
    duplicates: int = 0
    already_stored: int = 0
    new_event_ids: list[int] = field(default_factory=list)
    updated_event_ids: list[int] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)


def ensure_source(session: Session, source_id: str, kind: str, url: str, name: str = "") -> None:
    stmt = dialect_insert(session, Source).values(id=source_id, kind=kind, url=url, name=name)
    session.execute(stmt.on_conflict_do_nothing())
    session.execute(update(Source).where(Source.id == source_id).values(kind=kind, url=url, name=name))


def get_source(session: Session, source_id: str) -> Source | None:
    return session.get(Source, source_id)


def stored_urls(session: Session, canonical_urls: Iterable[str]) -> set[str]:
    urls = list(set(canonical_urls))
    found: set[str] = set()
    for start in range(0, len(urls), 500):
        chunk = urls[start : start + 500]
        found.update(session.scalars(select(Item.canonical_url).where(Item.canonical_url.in_(chunk))))
    return found


def stored_guids(session: Session, source_id: str, guids: Iterable[str]) -> set[str]:
    wanted = list({g for g in guids if g})
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            g
            for g in session.scalars(
                select(Item.guid).where(Item.source_id == source_id, Item.guid.in_(chunk))
            )
            if g
        )
    return found


def _stored_hashes(session: Session, hashes: Iterable[str]) -> set[str]:
    wanted = list(set(hashes))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(session.scalars(select(Item.content_hash).where(Item.content_hash.in_(chunk))))
    return found


def assign_story(session: Session, item_id: int, signature: bytes | None, bands: list[str]) -> int:
    """Join the most similar stored story (via LSH band lookups) or start a new one."""
    story_id = item_id
    if signature is not None and bands:
        candidates = session.execute(
            select(Item.id, Item.story_id, Item.minhash)
            .join(ItemBand, ItemBand.item_id == Item.id)
            .where(ItemBand.band.in_(bands), Item.id != item_id)
            .distinct()
        ).all()
        best = 0.0
        for cand_id, cand_story, cand_sig in candidates:
            score = similarity(signature, cand_sig) if cand_sig else 0.0
            if score >= SAME_STORY and score > best:
                best, story_id = score, cand_story or cand_id
        session.execute(
            dialect_insert(session, ItemBand).on_conflict_do_nothing(),
            [{"band": b, "item_id": item_id} for b in set(bands)],
        )
    session.execute(update(Item).where(Item.id == item_id).values(story_id=story_id))
    return story_id


def _upsert_event(
    session: Session, ev: Any, item_id: int, jurisdictions: list[str]
) -> tuple[int, bool, bool]:
    """Insert the event or link to the stored one; return (id, created, gained_detail)."""
    now = utcnow()
    stmt = (
        dialect_insert(session, Event)
        .values(
            key=ev.key,
            type=ev.type,
            name=ev.name,
            series=ev.series,
            ordinal=ev.ordinal,
            date=ev.date,
            location=ev.location,
            status=ev.status,
            evidence=ev.evidence,
            confidence=ev.confidence,
            jurisdictions=jurisdictions,
            first_item_id=item_id,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing()
        .returning(Event.id)
    )
    new_id = session.execute(stmt).scalar()
    if new_id is not None:
        return int(new_id), True, False
    stored = session.execute(select(Event).where(Event.key == ev.key)).scalar_one()
    gained = False
    for attr in ("date", "location", "ordinal", "status"):
        value = getattr(ev, attr)
        if value and not getattr(stored, attr):
            setattr(stored, attr, value)
            gained = True
    if gained:
        stored.updated_at = now
        stored.revision = (stored.revision or 0) + 1
    return stored.id, False, gained


def store_items(
    session: Session, processed: Sequence[ProcessedItem], fetched_at: datetime | None = None
) -> StoreOutcome:
    """Store new items with labels, events and mentions; skip what is already there.

    Runs inside the caller's transaction, so the caller can queue alerts for the new events
    in the same commit (the transactional outbox).
    """
    outcome = StoreOutcome()
    fetched_at = fetched_at or utcnow()
    known_hashes = _stored_hashes(session, (p.content_hash for p in processed))
    batch_hashes: set[str] = set()
    for item in processed:
        if item.content_hash in known_hashes or item.content_hash in batch_hashes:
            outcome.duplicates += 1
            continue
        raw, cls = item.raw, item.classification
        stmt = (
            dialect_insert(session, Item)
            .values(
                source_id=raw.source_id,
                external_id=raw.guid,
                guid=raw.guid,
                url=raw.url,
                canonical_url=item.canonical_url,
                title=raw.title,
                published=raw.published,
                summary=raw.summary[:2000],
                text=item.text,
                content_hash=item.content_hash,
                language=raw.language,
                ai_policy=cls.ai_policy,
                event_type=cls.event_type,
                evidence=cls.evidence,
                jurisdictions=cls.jurisdictions,
                topics=cls.topics,
                minhash=item.story_signature,
                fetched_at=fetched_at,
            )
            .on_conflict_do_nothing()
            .returning(Item.id)
        )
        item_id = session.execute(stmt).scalar()
        if item_id is None:
            outcome.already_stored += 1
            continue
        batch_hashes.add(item.content_hash)
        assign_story(session, item_id, item.story_signature, item.story_bands)
        outcome.new_items += 1
        outcome.item_ids.append(item_id)
        link_classification(session, item_id, cls, outcome)
    if outcome.new_items and processed:
        published = [p.raw.published for p in processed if p.raw.published]
        note_new_items(session, processed[0].raw.source_id, outcome.new_items, fetched_at, published)
    return outcome


def link_classification(session: Session, item_id: int, cls: Classification, outcome: StoreOutcome) -> None:
    """Store an item's labels and link it to its events (creating or enriching them)."""
    if cls.labels:
        session.execute(
            dialect_insert(session, Label),
            [
                {
                    "item_id": item_id,
                    "kind": lb.kind,
                    "value": lb.value,
                    "rule": lb.rule,
                    "evidence": lb.evidence,
                }
                for lb in cls.labels
            ],
        )
    for ev in cls.events:
        event_id, created, gained = _upsert_event(session, ev, item_id, cls.jurisdictions)
        session.execute(
            dialect_insert(session, EventMention)
            .values(event_id=event_id, item_id=item_id, evidence=ev.evidence)
            .on_conflict_do_nothing()
        )
        if created:
            outcome.new_event_ids.append(event_id)
        elif gained and event_id not in outcome.updated_event_ids:
            outcome.updated_event_ids.append(event_id)


def note_new_items(
    session: Session, source_id: str, new_items: int, now: datetime, published: Sequence[datetime] = ()
) -> None:
    """Count new items and fold their arrival into the source's rhythm (for adaptive polling).

    The first batch has no earlier arrival to measure from, so its own publication dates give
    the first estimate (the feed's history tells how often it publishes)."""
    src = session.get(Source, source_id, with_for_update=session.get_bind().dialect.name == "postgresql")
    if src is None:
        return
    if src.rhythm_seconds is None and src.last_new_item_at is None and len(published) >= 2:
        span = (max(published) - min(published)).total_seconds()
        src.rhythm_seconds = max(span / (len(published) - 1), 60.0)
    else:
        src.rhythm_seconds = updated_rhythm(src.rhythm_seconds, src.last_new_item_at, now, new_items)
    src.last_new_item_at = now
    src.items_total = (src.items_total or 0) + new_items


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
    when to poll next (adaptive; failures back off; the server's Retry-After/max-age win)."""
    now = utcnow()
    src = session.get(Source, source_id)
    if src is None:
        return
    src.last_polled_at, src.last_status = now, status
    if ok:
        src.consecutive_failures, src.last_success_at, src.last_error = 0, now, error
        if etag is not None or last_modified is not None:
            src.etag, src.last_modified = etag, last_modified
        src.next_poll_at = next_poll_at(now, src.rhythm_seconds, retry_after=retry_after, max_age=max_age)
    else:
        src.consecutive_failures = (src.consecutive_failures or 0) + 1
        src.last_error = error
        backoff = MIN_INTERVAL.total_seconds() * 2 ** min(src.consecutive_failures - 1, 6)
        src.next_poll_at = next_poll_at(now, backoff * 4, retry_after=retry_after)
    session.flush()


def event_item_ids(session: Session, event_ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {eid: [] for eid in event_ids}
    if not event_ids:
        return out
    rows = session.execute(
        select(EventMention.event_id, EventMention.item_id)
        .where(EventMention.event_id.in_(event_ids))
        .order_by(EventMention.item_id)
    )
    for event_id, item_id in rows:
        out[event_id].append(item_id)
    return out


def item_event_ids(session: Session, item_ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {iid: [] for iid in item_ids}
    if not item_ids:
        return out
    rows = session.execute(
        select(EventMention.item_id, EventMention.event_id)
        .where(EventMention.item_id.in_(item_ids))
        .order_by(EventMention.event_id)
    )
    for item_id, event_id in rows:
        out[item_id].append(event_id)
    return out


def count_rows(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)

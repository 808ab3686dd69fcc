"""Writing and reading the store. Race-free by construction: every insert that could
collide with a re-run or a second worker is ``INSERT ... ON CONFLICT DO NOTHING``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.health import MIN_INTERVAL, next_poll_at, updated_rhythm
from core.settings import max_poll_interval
from core.vocabulary import EventStatus
from models.base import utcnow
from models.tables import Event, EventMention, Item, ItemBand, Label, Source
from pipeline.intel.identity import Identity, contradicts, distinct_key, identity_of, same_event
from pipeline.stories import SAME_STORY, similarity
from pipeline.types import Classification, ExtractedEvent, ProcessedItem


def dialect_insert(session: Session, table: Any) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_nothing`` on SQLite and PostgreSQL."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database dialect {name!r} (use SQLite or PostgreSQL)")


def _placeholder(conn: Any) -> str:
    """The DBAPI's bound-parameter mark for plain SQL: ``?`` (sqlite3) or ``%s`` (psycopg)."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


_MAX_PARAMS = 30_000
"""Bound parameters per statement: below SQLite's 32,766 and PostgreSQL's 65,535."""


def insert_values(
    session: Session,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    skip_conflicts: bool,
) -> None:
    """Many rows as one ``INSERT ... VALUES (..), (..)`` per 30,000 parameters.

    Not ``executemany``: on SQLite that is one ``sqlite3_step`` per row, each releasing and
    re-taking the GIL, and a store transaction holding the database's one write lock then
    waits behind the fetch and parse threads hundreds of times (measured: the 32 band keys
    per item were a third of a busy run's write-lock time). One statement is one step.
    """
    if not rows:
        return
    conn = session.connection()
    mark = _placeholder(conn)
    one = "(" + ", ".join([mark] * len(columns)) + ")"
    per = max(1, _MAX_PARAMS // len(columns))
    tail = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        conn.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(chunk))}{tail}",
            tuple(v for row in chunk for v in row),
        )


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


def assign_story(session: Session, item_id: int, signature: bytes | None, bands: list[str]) -> int:
    """Join the most similar stored story (via LSH band lookups) or start a new one."""
    return assign_stories(session, [(item_id, signature, bands)])[item_id]


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
    insert_values(
        session,
        Label.__tablename__,
        ("item_id", "kind", "value", "rule", "evidence"),
        [
            (item_id, lb.kind, lb.value, lb.rule, lb.evidence)
            for item_id, p in stored
            for lb in p.classification.labels
        ],
        skip_conflicts=False,
    )
    for item_id, _p in stored:
        outcome.new_items += 1
        outcome.item_ids.append(item_id)
    link_events_batch(session, [(item_id, p.classification) for item_id, p in stored], outcome)
    if outcome.new_items:
        published = [p.raw.published for p in processed if p.raw.published]
        note_new_items(session, processed[0].raw.source_id, outcome.new_items, fetched_at, published)
    return outcome


def assign_stories(
    session: Session, entries: Sequence[tuple[int, bytes | None, list[str]]]
) -> dict[int, int]:
    """Story ids for newly stored items (in id order): join the most similar earlier item found
    through shared LSH band keys (stored, or earlier in this batch), else start a story."""
    wanted = sorted({b for _id, sig, bands in entries if sig is not None for b in bands})
    band_hits: dict[str, set[int]] = {}
    known: dict[int, tuple[int, bytes | None]] = {}
    conn = session.connection()
    mark = _placeholder(conn)
    for start in range(0, len(wanted), 500):
        chunk = tuple(wanted[start : start + 500])
        # The hottest read of a store (32 band keys per new item): plain SQL, as SQLAlchemy's
        # per-parameter compilation of a 500-key IN list cost more than the query itself.
        rows = conn.exec_driver_sql(
            f"SELECT b.band, i.id, i.story_id, i.minhash FROM {ItemBand.__tablename__} b "
            f"JOIN {Item.__tablename__} i ON i.id = b.item_id "
            f"WHERE b.band IN ({', '.join([mark] * len(chunk))})",
            chunk,
        )
        for band, cand_id, cand_story, cand_sig in rows:
            band_hits.setdefault(band, set()).add(cand_id)
            known[cand_id] = (cand_story or cand_id, cand_sig)
    stories: dict[int, int] = {}
    band_rows: list[tuple[str, int]] = []
    for item_id, signature, bands in entries:
        story_id = item_id
        if signature is not None and bands:
            cands = set().union(*(band_hits.get(b, set()) for b in bands)) - {item_id}
            best = 0.0
            for cand_id in sorted(cands):
                cand_story, cand_sig = known[cand_id]
                score = similarity(signature, cand_sig) if cand_sig else 0.0
                if score >= SAME_STORY and score > best:
                    best, story_id = score, cand_story
            for band in set(bands):
                band_hits.setdefault(band, set()).add(item_id)
                band_rows.append((band, item_id))
            known[item_id] = (story_id, signature)
        stories[item_id] = story_id
    insert_values(session, ItemBand.__tablename__, ("band", "item_id"), band_rows, skip_conflicts=True)
    _set_stories(session, stories)
    return stories


def _set_stories(session: Session, stories: dict[int, int]) -> None:
    """``items.story_id`` for many items in one statement per chunk (see ``insert_values``): an
    item that starts a story points to itself, the rest to the story they joined."""
    conn = session.connection()
    mark = _placeholder(conn)
    own = [item_id for item_id, story in stories.items() if story == item_id]
    joined = [(item_id, story) for item_id, story in stories.items() if story != item_id]
    for start in range(0, len(own), _MAX_PARAMS):
        chunk = own[start : start + _MAX_PARAMS]
        conn.exec_driver_sql(
            f"UPDATE {Item.__tablename__} SET story_id = id WHERE id IN ({', '.join([mark] * len(chunk))})",
            tuple(chunk),
        )
    if joined:
        table = cast(Table, Item.__table__)
        session.execute(
            update(table).where(table.c.id == bindparam("b_id")).values(story_id=bindparam("b_story")),
            [{"b_id": item_id, "b_story": story} for item_id, story in joined],
        )


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
    link_events(session, item_id, cls, outcome)


def link_events(session: Session, item_id: int, cls: Classification, outcome: StoreOutcome) -> None:
    """Link one item to its events (see link_events_batch)."""
    link_events_batch(session, [(item_id, cls)], outcome)


_DETAILS = ("date", "location", "ordinal", "status")
_STATUS_PROGRESS: dict[str, tuple[str, ...]] = {
    EventStatus.UPCOMING: (EventStatus.HELD, EventStatus.POSTPONED, EventStatus.CANCELLED),
    EventStatus.OVERDUE: (EventStatus.HELD, EventStatus.POSTPONED, EventStatus.CANCELLED),
    EventStatus.POSTPONED: (EventStatus.HELD, EventStatus.CANCELLED),
}
"""Status changes that are news for subscribers of an event (a new revision, a follow-up)."""


def _refines(new: str | None, old: str | None) -> bool:
    """A finer date within the one known: '2024-05-21' for '2024-05' (a report dated only by its
    month, then one that states the day)."""
    return bool(new and old and len(new) > len(old) and new.startswith(old))


def link_events_batch(
    session: Session, entries: Sequence[tuple[int, Classification]], outcome: StoreOutcome
) -> None:
    """Create each new event once, enrich known ones, and link every item to its events.

    A known event that a new report gives a missing detail (date, place, ordinal, status) gets a
    new revision (follow-ups key on it); one whose confidence rises is reported in
    ``outcome.updated_event_ids`` too, so subscribers whose threshold it now passes hear of it.
    """
    mentions = [(item_id, ev, cls.jurisdictions) for item_id, cls in entries for ev in cls.events]
    if not mentions:
        return
    mentions = _one_key_per_event(session, mentions)
    keys = list(dict.fromkeys(ev.key for _item, ev, _j in mentions))
    now = utcnow()
    existing = {e.key: e for e in session.scalars(select(Event).where(Event.key.in_(keys)))}
    first: dict[str, tuple[int, Any, list[str]]] = {}
    for item_id, ev, jurisdictions in mentions:
        if ev.key not in existing:
            first.setdefault(ev.key, (item_id, ev, jurisdictions))
    created_ids: dict[str, int] = {}
    if first:
        table = Event.__table__
        rows = [
            {
                "key": ev.key,
                "type": ev.type,
                "name": ev.name,
                "series": ev.series,
                "ordinal": ev.ordinal,
                "date": ev.date,
                "location": ev.location,
                "status": ev.status,
                "evidence": ev.evidence,
                "confidence": ev.confidence,
                "jurisdictions": jurisdictions,
                "first_item_id": item_id,
                "revision": 0,
                "created_at": now,
                "updated_at": now,
            }
            for item_id, ev, jurisdictions in first.values()
        ]
        inserted = session.execute(
            dialect_insert(session, table).on_conflict_do_nothing().returning(table.c.id, table.c.key), rows
        ).all()
        created_ids = {key: event_id for event_id, key in inserted}
        late = [k for k in first if k not in created_ids]  # another worker created them meanwhile
        if late:
            existing.update({e.key: e for e in session.scalars(select(Event).where(Event.key.in_(late)))})
    created_events = {}
    if created_ids:
        created_events = {
            e.key: e for e in session.scalars(select(Event).where(Event.id.in_(list(created_ids.values()))))
        }
    updated: list[int] = []
    mention_rows: list[dict[str, Any]] = []
    for item_id, ev, _j in mentions:
        if ev.key in created_events:
            event = created_events[ev.key]
            for attr in _DETAILS:  # the same batch's other reports fill what the first lacked
                if getattr(ev, attr) and not getattr(event, attr):
                    setattr(event, attr, getattr(ev, attr))
            if _refines(ev.date, event.date):
                event.date = ev.date
            event.confidence = max(event.confidence, ev.confidence)
            _name_by_series(event, ev)
        else:
            event = existing[ev.key]
            gained = [a for a in _DETAILS if getattr(ev, a) and not getattr(event, a)]
            if ev.status in _STATUS_PROGRESS.get(event.status or "", ()):
                gained.append("status")  # an expected meeting reported held, postponed or cancelled
            for attr in gained:
                setattr(event, attr, getattr(ev, attr))
            if _refines(ev.date, event.date):
                # the day of a month already known: a finer record, not news (no revision, no follow-up)
                event.date, event.updated_at = ev.date, now
            _name_by_series(event, ev)
            if gained:
                event.updated_at, event.revision = now, (event.revision or 0) + 1
            if ev.confidence > event.confidence:
                event.confidence, event.updated_at = ev.confidence, now
                gained.append("confidence")
            if gained and event.id not in updated:
                updated.append(event.id)
        mention_rows.append({"event_id": event.id, "item_id": item_id, "evidence": ev.evidence})
    session.execute(dialect_insert(session, EventMention.__table__).on_conflict_do_nothing(), mention_rows)
    outcome.new_event_ids += [created_ids[k] for k in keys if k in created_ids]
    outcome.updated_event_ids += [e for e in updated if e not in outcome.updated_event_ids]
    session.flush()


def _name_by_series(event: Event, ev: Any) -> None:
    """A report that names the event's series names the event: the India AI Impact Summit, first
    stored from a report that called it "AI 정상회의", is then "AI Impact Summit" in every alert,
    digest and feed. A name is not news: no revision, no follow-up."""
    if ev.series and not event.series:
        event.series, event.name = ev.series, ev.name


RECENT_EVENTS = 500
"""How many of the latest events of a type a new report is compared with (``same_event``)."""


def _one_key_per_event(
    session: Session, mentions: list[tuple[int, Any, list[str]]]
) -> list[tuple[int, Any, list[str]]]:
    """Give a report of a known event that event's key, though its own key differs.

    Outlets name one meeting differently ("second EU-Japan Digital Partnership Council", "Japan-EU
    digital ministers' meeting in Brussels", 日EU...): its key then differs, but ``same_event``
    (type, parties, ordinal, place, dates) tells it is one event. The report joins the known
    event (stored, or created earlier in this batch) instead of creating a second one, so its
    subscribers get one alert, and the report is listed under it."""
    keys = {ev.key for _i, ev, _j in mentions}
    known_keys = set(session.scalars(select(Event.key).where(Event.key.in_(keys))))
    item_ids = {i for i, _e, _j in mentions}
    reports = {
        row.id: (row.published, row.title)
        for row in session.execute(select(Item.id, Item.published, Item.title).where(Item.id.in_(item_ids)))
    }
    candidates: dict[str, list[tuple[str, Identity]]] = {}
    out: list[tuple[int, Any, list[str]]] = []
    for item_id, ev, jurisdictions in mentions:
        if ev.key in known_keys and (ev.series or ev.ordinal):
            out.append((item_id, ev, jurisdictions))  # a named series' edition is its key: trusted
            continue
        pub, title = reports.get(item_id, (None, ""))
        ident = identity_of(ev, jurisdictions, pub.date() if pub else None, title or "")
        pool = candidates.get(ev.type)
        if pool is None:
            pool = candidates[ev.type] = _recent_identities(session, ev.type)
        if ev.key in known_keys:
            keyed = next((o for k, o in pool if k == ev.key), None)
            if keyed is None or not contradicts(ident, keyed):
                out.append((item_id, ev, jurisdictions))
                continue
            # A generic key two events share ("summit:ai-summit": one in Incheon, one in France):
            # this report's event is told apart by what it states, then matched like any other.
            ev = replace(ev, key=distinct_key(ev.key, ident, item_id))
            if ev.key in known_keys:
                out.append((item_id, ev, jurisdictions))
                continue
        match = next((key for key, other in pool if key != ev.key and same_event(ident, other)), None)
        if match is not None:
            ev = replace(ev, key=match)
        else:
            pool.insert(0, (ev.key, ident))
            known_keys.add(ev.key)
        out.append((item_id, ev, jurisdictions))
    return out


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
    when to poll next (adaptive; failures back off; the server's Retry-After/max-age win; never
    later than POLICYWATCH_MAX_POLL_INTERVAL, except for a Retry-After)."""
    now = utcnow()
    bound = max_poll_interval()
    src = session.get(Source, source_id)
    if src is None:
        return
    src.last_polled_at, src.last_status = now, status
    if ok:
        src.consecutive_failures, src.last_success_at, src.last_error = 0, now, error
        if etag is not None or last_modified is not None:
            src.etag, src.last_modified = etag, last_modified
        src.next_poll_at = next_poll_at(
            now, src.rhythm_seconds, retry_after=retry_after, max_age=max_age, max_interval=bound
        )
    else:
        src.consecutive_failures = (src.consecutive_failures or 0) + 1
        src.last_error = error
        backoff = MIN_INTERVAL.total_seconds() * 2 ** min(src.consecutive_failures - 1, 6)
        src.next_poll_at = next_poll_at(now, backoff * 4, retry_after=retry_after, max_interval=bound)
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

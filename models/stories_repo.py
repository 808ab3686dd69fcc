"""Stories in the store: the LSH band index and each item's story id.

Reads the candidates a new item's band keys find, lets ``pipeline/story_assignment.py`` decide
the stories, and writes them with the new band keys. Set-based: one lookup per 500 band keys and
one statement per chunk of writes, whatever the batch size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, bindparam, update
from sqlalchemy.orm import Session

from models.sql import MAX_PARAMS, insert_values, placeholder
from models.tables import Item, ItemBand
from pipeline.story_assignment import Candidate, NewItem, plan_stories


def assign_story(session: Session, item_id: int, signature: bytes | None, bands: list[str]) -> int:
    """Join the most similar stored story (via LSH band lookups) or start a new one."""
    return assign_stories(session, [(item_id, signature, bands)])[item_id]


def assign_stories(
    session: Session, entries: Sequence[tuple[int, bytes | None, list[str]]]
) -> dict[int, int]:
    """Story ids for newly stored items (in id order): join the most similar earlier item found
    through shared LSH band keys (stored, or earlier in this batch), else start a story."""
    items = [NewItem(item_id, signature, tuple(bands)) for item_id, signature, bands in entries]
    wanted = sorted({b for item in items if item.signature is not None for b in item.bands})
    hits: dict[str, set[int]] = {}
    known: dict[int, Candidate] = {}
    conn = session.connection()
    mark = placeholder(conn)
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
            hits.setdefault(band, set()).add(cand_id)
            known[cand_id] = Candidate(cand_story or cand_id, cand_sig)
    plan = plan_stories(items, hits, known)
    insert_values(session, ItemBand.__tablename__, ("band", "item_id"), plan.band_rows, skip_conflicts=True)
    _set_stories(session, plan.stories)
    return plan.stories


def _set_stories(session: Session, stories: dict[int, int]) -> None:
    """``items.story_id`` for many items in one statement per chunk (see ``insert_values``): an
    item that starts a story points to itself, the rest to the story they joined."""
    conn = session.connection()
    mark = placeholder(conn)
    own = [item_id for item_id, story in stories.items() if story == item_id]
    joined = [(item_id, story) for item_id, story in stories.items() if story != item_id]
    for start in range(0, len(own), MAX_PARAMS):
        chunk = own[start : start + MAX_PARAMS]
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

"""The store's former single module, kept only as a re-export while ``services/ingest.py`` still
imports it (that file is being reworked on another branch; moving its imports there avoids a
conflicting edit). New code imports the repository of its aggregate instead:
``models/items_repo.py``, ``models/stories_repo.py``, ``models/events_repo.py``,
``models/sources_repo.py``, with shared statement helpers in ``models/sql.py``. Nothing is
defined here; delete the module once nothing imports it.
"""

from __future__ import annotations

from models.events_repo import RECENT_EVENTS, EventLinks, event_item_ids, item_event_ids, link_events_batch
from models.items_repo import StoreOutcome, link_items, store_items, stored_guids, stored_hashes, stored_urls
from models.sources_repo import ensure_source, get_source, note_new_items, record_poll
from models.sql import count_rows, dialect_insert, insert_values
from models.stories_repo import assign_stories, assign_story

__all__ = [
    "RECENT_EVENTS",
    "EventLinks",
    "StoreOutcome",
    "assign_stories",
    "assign_story",
    "count_rows",
    "dialect_insert",
    "ensure_source",
    "event_item_ids",
    "get_source",
    "insert_values",
    "item_event_ids",
    "link_events_batch",
    "link_items",
    "note_new_items",
    "record_poll",
    "store_items",
    "stored_guids",
    "stored_hashes",
    "stored_urls",
]

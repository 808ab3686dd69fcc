"""The two dedup stages, against the store and within the batch: by link before the enrich
stage (an item the store has is neither fetched again nor analysed) and by text before the
analyse stage (a syndicated copy under a new link is not classified).

Plain reads: ``models.items_repo.store_items`` checks again inside the write transaction (the
unique indexes), so two workers racing on one story still store it once; these checks only
spare the network and the classifier the work.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from models import items_repo
from pipeline.types import LinkedItem, PreparedItem


def drop_known_links(
    factory: sessionmaker[Session], source_id: str, items: Sequence[LinkedItem]
) -> tuple[list[LinkedItem], int]:
    """The items whose canonical URL (or the source's GUID) the store does not have, each link
    once; and how many were dropped (the report's ``already_stored``)."""
    with factory() as session:
        known = items_repo.stored_urls(session, (i.canonical_url for i in items))
        known_guids = items_repo.stored_guids(session, source_id, (i.raw.guid for i in items if i.raw.guid))
    fresh: list[LinkedItem] = []
    seen: set[str] = set()
    for item in items:
        url, guid = item.canonical_url, item.raw.guid
        if url in known or (guid and guid in known_guids) or url in seen:
            continue
        seen.add(url)
        fresh.append(item)
    return fresh, len(items) - len(fresh)


def drop_known_texts(
    factory: sessionmaker[Session], items: Sequence[PreparedItem]
) -> tuple[list[PreparedItem], int]:
    """The items whose content hash neither the store nor an earlier item of the batch has; and
    how many were dropped (the report's ``duplicates``)."""
    with factory() as session:
        known = items_repo.stored_hashes(session, (i.content_hash for i in items))
    unique: list[PreparedItem] = []
    for item in items:
        if item.content_hash in known:
            continue
        known.add(item.content_hash)
        unique.append(item)
    return unique, len(items) - len(unique)

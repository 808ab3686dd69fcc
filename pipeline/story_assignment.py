"""Which story a new item joins: the most similar earlier item's, or a story of its own.

Candidates come from the LSH index (items sharing a band key with the new one, see
``pipeline/stories.py``); the decision is a score over them. Kept apart from the store so the
rule reads in one place and is tested on plain values: the store looks up the band keys, calls
``plan_stories`` and writes the story ids and the new band keys (``models/stories_repo.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

from pipeline.stories import SAME_STORY, similarity


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item just stored: its id (ids grow, so earlier items have lower ids) and story key."""

    item_id: int
    signature: bytes | None
    """MinHash signature, None for a text too short to compare."""
    bands: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    """An earlier item found through a shared band key: the story it is in and its signature."""

    story_id: int
    signature: bytes | None


@dataclass(frozen=True, slots=True)
class StoryPlan:
    stories: dict[int, int]
    """Story id per new item; an item that starts a story is its own story."""
    band_rows: list[tuple[str, int]]
    """(band key, item id) to add to the index, so later items find these."""


def best_story(signature: bytes, candidates: Iterable[tuple[int, Candidate]]) -> int | None:
    """The story of the most similar candidate at or above ``SAME_STORY``, or None.

    Candidates are weighed in id order and a tie keeps the earlier one, so the outcome does not
    depend on how the lookup returned them."""
    best, story = 0.0, None
    for _cand_id, cand in sorted(candidates, key=lambda pair: pair[0]):
        score = similarity(signature, cand.signature) if cand.signature else 0.0
        if score >= SAME_STORY and score > best:
            best, story = score, cand.story_id
    return story


def plan_stories(
    items: Sequence[NewItem], hits: Mapping[str, Set[int]], known: Mapping[int, Candidate]
) -> StoryPlan:
    """Story ids for newly stored items, in the given (id) order.

    ``hits`` maps each band key to the earlier items that have it, ``known`` those items to their
    story and signature. An item of this batch is a candidate for the later ones, so copies that
    arrive together make one story too."""
    band_hits = {band: set(ids) for band, ids in hits.items()}
    candidates = dict(known)
    stories: dict[int, int] = {}
    band_rows: list[tuple[str, int]] = []
    for item in items:
        story_id = item.item_id
        if item.signature is not None and item.bands:
            ids = set().union(*(band_hits.get(b, set()) for b in item.bands)) - {item.item_id}
            joined = best_story(item.signature, ((i, candidates[i]) for i in ids))
            story_id = item.item_id if joined is None else joined
            for band in dict.fromkeys(item.bands):
                band_hits.setdefault(band, set()).add(item.item_id)
                band_rows.append((band, item.item_id))
            candidates[item.item_id] = Candidate(story_id, item.signature)
        stories[item.item_id] = story_id
    return StoryPlan(stories=stories, band_rows=band_rows)

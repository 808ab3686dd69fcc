"""Which story a new item joins, as tables: signatures and candidates in, story ids out. The
store (``models/stories_repo.py``) only looks the candidates up and writes the plan.

Signatures here are made to measure: ``similarity`` is the share of the 128 positions two
signatures agree on, so a copy with ``k`` positions changed scores ``(128 - k) / 128``.
"""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.stories import NUM_PERM, SAME_STORY, similarity
from pipeline.story_assignment import Candidate, NewItem, best_story, plan_stories


def sig(changed: int = 0, seed: int = 0) -> bytes:
    """A signature agreeing with ``sig(seed=seed)`` on all but ``changed`` positions."""
    values = np.arange(NUM_PERM, dtype=np.uint32) + np.uint32(seed * 1000)
    values[:changed] += np.uint32(500)
    return values.tobytes()


def test_the_made_signatures_score_as_intended() -> None:
    assert similarity(sig(), sig(64)) == SAME_STORY == 0.5
    assert similarity(sig(), sig(13)) == pytest.approx(115 / 128)
    assert similarity(sig(), sig(seed=1)) == 0.0


@pytest.mark.parametrize(
    ("candidates", "story"),
    [
        ([], None),
        ([(7, Candidate(3, sig(13)))], 3),  # joins the candidate's story, not the candidate
        ([(7, Candidate(7, sig(64)))], 7),  # exactly the threshold
        ([(7, Candidate(7, sig(65)))], None),  # just below
        ([(7, Candidate(7, sig(seed=1)))], None),  # another story entirely
        ([(7, Candidate(7, None))], None),  # a candidate without a signature
        ([(7, Candidate(7, sig()[:64]))], None),  # a signature of another length
        ([(7, Candidate(7, sig(40))), (9, Candidate(9, sig(10)))], 9),  # the most similar
        ([(9, Candidate(9, sig(10))), (7, Candidate(7, sig(10)))], 7),  # a tie: the earlier item
    ],
)
def test_best_story(candidates: list[tuple[int, Candidate]], story: int | None) -> None:
    assert best_story(sig(), candidates) == story


def test_plan_joins_stored_stories_through_shared_bands() -> None:
    plan = plan_stories(
        [NewItem(10, sig(5), ("b1", "b2")), NewItem(11, sig(seed=1), ("b3",))],
        hits={"b1": {4}, "b3": {5}},
        known={4: Candidate(2, sig()), 5: Candidate(5, sig(seed=2))},
    )
    assert plan.stories == {10: 2, 11: 11}  # 11 shares a band with 5, but not its text
    assert sorted(plan.band_rows) == [("b1", 10), ("b2", 10), ("b3", 11)]


def test_plan_copies_in_one_batch_make_one_story() -> None:
    plan = plan_stories([NewItem(10, sig(), ("b1",)), NewItem(11, sig(3), ("b1", "b1"))], hits={}, known={})
    assert plan.stories == {10: 10, 11: 10}
    assert plan.band_rows == [("b1", 10), ("b1", 11)]  # a band key once per item


@pytest.mark.parametrize(
    "item",
    [NewItem(10, None, ("b1",)), NewItem(10, sig(), ())],
    ids=["text too short for a signature", "no band keys"],
)
def test_plan_an_item_without_a_story_key_is_its_own_story(item: NewItem) -> None:
    plan = plan_stories([item], hits={"b1": {4}}, known={4: Candidate(4, sig())})
    assert plan.stories == {10: 10} and plan.band_rows == []


def test_plan_only_candidates_sharing_a_band_are_weighed() -> None:
    """A similar stored item that shares no band key is not found (LSH decides the candidates)."""
    plan = plan_stories([NewItem(10, sig(), ("b1",))], hits={"b9": {4}}, known={4: Candidate(4, sig())})
    assert plan.stories == {10: 10}


def test_plan_leaves_its_inputs_alone() -> None:
    hits = {"b1": {4}}
    known = {4: Candidate(4, sig())}
    plan_stories([NewItem(10, sig(), ("b1",))], hits=hits, known=known)
    assert hits == {"b1": {4}} and list(known) == [4]

"""Near-duplicate stories: verdicts on calibration pairs, and clustering in the store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from models import items_repo, sources_repo
from models.db import session_factory
from models.tables import Item
from pipeline.process import process_item
from pipeline.stories import SAME_STORY, similarity, story_key
from pipeline.types import RawItem

BASE = (
    "The European AI Office and the Korea AI Safety Institute have signed a cooperation arrangement to share "
    "evaluation methods for general-purpose AI models, officials in Brussels and Seoul said on Wednesday. "
    "Under the arrangement, the two bodies will exchange testing protocols, run joint evaluations of "
    "frontier models and second staff to each other's teams. The European Commission said the "
    "arrangement builds on "
    "the EU-Korea Digital Partnership and on the commitments made at the AI Seoul Summit in May 2024. Both "
    "sides intend to publish a first joint evaluation report in the second half of 2027."
)
SYNDICATED = (
    BASE + " Read more: subscribe to our newsletter for daily policy briefings. Privacy policy. Contact."
)
REWRITE = (
    BASE.replace("have signed a cooperation arrangement", "signed an arrangement on cooperation")
    .replace("officials in Brussels and Seoul said on Wednesday", "EU officials said")
    .replace("Both sides intend to publish", "The two bodies plan to release")
)
SAME_TOPIC_OTHER_STORY = (
    "Korea's AI Safety Institute opened a new testing centre in Pangyo on Monday, the Ministry of Science "
    "and ICT said. The centre will evaluate domestic large language models before release and "
    "train auditors. "
    "The institute, launched in November 2024, has grown to forty staff and plans to double in 2027. "
    "Minister officials said the centre supports the implementation of Korea's AI Basic Act, which enters "
    "into force in January 2026, and cooperation with partners including the European AI Office."
)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (BASE, BASE, True),
        (BASE, SYNDICATED, True),  # other boilerplate
        (BASE, REWRITE, True),  # light rewrite
        (BASE, SAME_TOPIC_OTHER_STORY, False),  # same actors and topic, other news
        (REWRITE, SAME_TOPIC_OTHER_STORY, False),
    ],
)
def test_story_verdicts(a: str, b: str, same: bool) -> None:
    ka, kb = story_key(a), story_key(b)
    assert ka is not None and kb is not None
    score = similarity(ka.signature, kb.signature)
    assert (score >= SAME_STORY) is same, score
    if same:  # LSH must surface the pair as a candidate
        assert set(ka.bands) & set(kb.bands)


def test_short_texts_get_no_story_key() -> None:
    assert story_key("EU and Korea sign AI arrangement") is None


def test_items_cluster_into_stories_in_the_store(store_url: str) -> None:
    def item(url: str, text: str, source: str) -> RawItem:
        return RawItem(
            source_id=source, url=url, title="t", published=datetime(2026, 11, 18, tzinfo=UTC), body=text
        )

    factory = session_factory(store_url)
    with factory.begin() as s:
        for src in ("a", "b", "c"):
            sources_repo.ensure_source(s, src, "feed", f"http://{src}.example/rss")
        out = items_repo.store_items(
            s,
            [
                process_item(item("http://a.example/1", BASE, "a")),
                process_item(item("http://b.example/1", REWRITE, "b")),
                process_item(item("http://c.example/1", SAME_TOPIC_OTHER_STORY, "c")),
            ],
        )
    assert out.new_items == 3
    with factory() as s:
        stories = {i.url: i.story_id for i in s.scalars(select(Item))}
        ids = {i.url: i.id for i in s.scalars(select(Item))}
    assert stories["http://a.example/1"] == stories["http://b.example/1"] == ids["http://a.example/1"]
    assert stories["http://c.example/1"] == ids["http://c.example/1"]


def test_batched_story_keys_equal_datasketch_per_item() -> None:
    """story_keys is a faster path to the very same signatures and band keys datasketch gives,
    so items stored before and after stay comparable."""
    import hashlib

    import numpy as np
    from datasketch import MinHash

    from pipeline import stories

    template = MinHash(num_perm=stories.NUM_PERM, seed=stories._SEED)  # datasketch's own, not ours

    def reference(text: str) -> stories.StoryKey | None:
        shingles = stories._shingles(text)
        if not shingles:
            return None
        mh = MinHash(
            num_perm=stories.NUM_PERM,
            seed=stories._SEED,
            permutations=template.permutations,
            scheme=template.scheme,
        )
        mh.update_batch(list(shingles))
        values = mh.hashvalues.astype(np.uint64)
        rows = stories.ROWS
        bands = [
            f"{b:02d}"
            + hashlib.blake2b(values[b * rows : (b + 1) * rows].tobytes(), digest_size=8).hexdigest()
            for b in range(stories.BANDS)
        ]
        return stories.StoryKey(signature=values.astype(np.uint32).tobytes(), bands=bands)

    texts = [BASE, SYNDICATED, "too short", REWRITE, "", SAME_TOPIC_OTHER_STORY] * 40  # > one numpy group
    assert stories.story_keys(texts) == [reference(t) for t in texts]

"""Near-duplicate stories: MinHash signatures over word shingles, with LSH banding.

The same story syndicated by many outlets (or lightly rewritten) must be one story. Comparing
a new item with every stored one grows with the store; LSH turns the lookup into a handful of
indexed band-key lookups, so the cost per new item stays flat as the store grows. Band keys
are stored in the database (``item_bands``), so the index survives restarts and is shared by
every worker.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

from pipeline.text import normalize_for_hash

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
"""32 bands x 4 rows: pairs with Jaccard >= ~0.5 share a band with probability > 0.99."""
SHINGLE_WORDS = 3
MIN_WORDS = 25
"""Shorter texts (a headline, a one-line summary) say too little to call two items one story."""
SAME_STORY = 0.5
"""Estimated Jaccard of 3-word shingles at or above which two items are one story. Calibrated on
pairs in tests/test_stories.py: syndicated copies with other boilerplate score 0.85-1.0, light
rewrites 0.5-0.8, different stories on the same topic (two releases about one council) < 0.15."""
_SEED = 1
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=_SEED)
"""Generating 128 permutations costs more than hashing an article: make them once."""


@dataclass(frozen=True, slots=True)
class StoryKey:
    signature: bytes
    bands: list[str]


def _shingles(text: str) -> set[bytes]:
    words = normalize_for_hash(text).split()
    if len(words) < MIN_WORDS:
        return set()
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(len(words) - SHINGLE_WORDS + 1)}


def story_key(text: str) -> StoryKey | None:
    """MinHash signature and LSH band keys of a main text, or None when it is too short."""
    shingles = _shingles(text)
    if not shingles:
        return None
    mh = MinHash(num_perm=NUM_PERM, seed=_SEED, permutations=_TEMPLATE.permutations, scheme=_TEMPLATE.scheme)
    mh.update_batch(list(shingles))
    values = mh.hashvalues.astype(np.uint64)
    bands = [
        f"{b:02d}" + hashlib.blake2b(values[b * ROWS : (b + 1) * ROWS].tobytes(), digest_size=8).hexdigest()
        for b in range(BANDS)
    ]
    return StoryKey(signature=values.astype(np.uint32).tobytes(), bands=bands)


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two stored signatures."""
    va = np.frombuffer(a, dtype=np.uint32)
    vb = np.frombuffer(b, dtype=np.uint32)
    if va.shape != vb.shape or not len(va):
        return 0.0
    return float(np.count_nonzero(va == vb)) / len(va)

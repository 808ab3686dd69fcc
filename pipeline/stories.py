"""Near-duplicate stories: MinHash signatures over word shingles, with LSH banding.

The same story syndicated by many outlets (or lightly rewritten) must be one story. Comparing
a new item with every stored one grows with the store; LSH turns the lookup into a handful of
indexed band-key lookups, so the cost per new item stays flat as the store grows. Band keys
are stored in the database (``item_bands``), so the index survives restarts and is shared by
every worker.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import numpy as np

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
pairs in tests/integration/test_stories.py: syndicated copies with other boilerplate score 0.85-1.0, light
rewrites 0.5-0.8, different stories on the same topic (two releases about one council) < 0.15."""
_SEED = 1


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's 128 (a, b) permutations for our seed, made once. Imported here, not at module
    level: datasketch pulls in SciPy (~0.8 s), which every CLI command and worker would pay."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=NUM_PERM, seed=_SEED).permutations
    return a, b


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
    return story_keys([text])[0]


_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)
"""MurmurHash3's 32-bit finalizer, datasketch's pre-mix for its default "affine32" scheme."""


def _sha1_32(shingles: set[bytes]) -> bytes:
    """datasketch's default hash (first 4 bytes of SHA-1, little-endian) of every shingle, packed."""
    sha1 = hashlib.sha1
    return b"".join(sha1(s).digest()[:4] for s in shingles)


def story_keys(texts: list[str]) -> list[StoryKey | None]:
    """``story_key`` of many texts at once: one numpy pass per few thousand shingles.

    Bit-for-bit what ``datasketch.MinHash.update_batch`` gives per text (tests/integration/test_stories.py
    checks it), so signatures and band keys stay comparable with those already stored; batching
    saves datasketch's per-call overhead, which dominates for feed-sized texts.
    """
    packed = [_sha1_32(_shingles(text)) for text in texts]
    out: list[StoryKey | None] = [None] * len(texts)
    group: list[int] = []
    size = 0
    for i, hashes in enumerate(packed):
        if not hashes:
            continue
        group.append(i)
        size += len(hashes) // 4
        if size >= _GROUP_SHINGLES:
            _sign_group(packed, group, out)
            group, size = [], 0
    if group:
        _sign_group(packed, group, out)
    return out


_GROUP_SHINGLES = 8192
"""Shingles per numpy pass: the (shingles x 128) uint32 product stays near 4 MB."""


def _sign_group(packed: list[bytes], group: list[int], out: list[StoryKey | None]) -> None:
    hv = np.frombuffer(b"".join(packed[i] for i in group), dtype="<u4").astype(np.uint32)
    s1, m1, s2, m2, s3 = (np.uint32(c) for c in _FMIX32)
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    hv = hv ^ (hv >> s3)
    a, b = _permutations()
    phv = hv[:, None] * a[None, :] + b[None, :]
    lengths = np.array([len(packed[i]) // 4 for i in group])
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    minima = np.minimum.reduceat(phv, offsets, axis=0)
    blake2b, width = hashlib.blake2b, ROWS * 8
    for row, i in zip(minima, group, strict=True):
        raw = row.astype(np.uint64).tobytes()
        bands = [
            f"{b:02d}" + blake2b(raw[b * width : (b + 1) * width], digest_size=8).hexdigest()
            for b in range(BANDS)
        ]
        out[i] = StoryKey(signature=row.tobytes(), bands=bands)


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two stored signatures."""
    va = np.frombuffer(a, dtype=np.uint32)
    vb = np.frombuffer(b, dtype=np.uint32)
    if va.shape != vb.shape or not len(va):
        return 0.0
    return float(np.count_nonzero(va == vb)) / len(va)

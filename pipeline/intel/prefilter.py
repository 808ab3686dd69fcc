"""Required-substring prefilter for the rules' patterns: most sentences never reach the regex engine.

The required factors of a pattern ("summit", "partnership") are read from its parse tree
(``core.regex_syntax``, our own reader, not the engine's private parser); a text without
any of them cannot match. ``FactorIndex`` computes, once per text, which factors of every
registered pattern it contains.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

from core.regex_syntax import (
    ASSERT,
    ASSERT_NOT,
    AT,
    BRANCH,
    IN,
    LITERAL,
    MAX_REPEAT,
    MIN_REPEAT,
    SUBPATTERN,
    parse_regex,
)
from pipeline.intel.sieve import GuidedRx, clear_utf8_cache

_MAX_SET = 24


def _exact(items: Any, ci: bool | None = None) -> set[str] | None:
    """The finite set of strings a sub-pattern matches ({"mou", "moc"} for ``Mo[UC]``), None if not small.

    With ``ci`` (the case-insensitivity in force), a run never crosses a change of case
    sensitivity: a group that switches it yields None, so each run is all one mode.
    """
    out = {""}
    for op, arg in items:
        alts: set[str] | None
        if op in (AT, ASSERT, ASSERT_NOT):
            continue
        if op == LITERAL:
            alts = {chr(arg)}
        elif op == IN and arg and all(o == LITERAL for o, _ in arg):
            alts = {chr(v) for _, v in arg}
        elif op == SUBPATTERN:
            if ci is not None and _sub_ci(arg, ci) != ci:
                return None
            alts = _exact(arg[-1], ci)
        elif op == BRANCH:
            subs = [_exact(b, ci) for b in arg[1]]
            if any(x is None for x in subs):
                return None
            alts = set().union(*(x for x in subs if x is not None))
        elif op == MAX_REPEAT and arg[0] == 0 and arg[1] == 1:
            sub = _exact(arg[2], ci)
            alts = None if sub is None else sub | {""}
        else:
            return None
        if alts is None:
            return None
        out = {a + b for a in out for b in alts}
        if len(out) > _MAX_SET:
            return None
    return out


def _factors(items: Any) -> set[str] | None:
    """Lower-case substrings such that every match contains at least one of them (None: unknown).

    Classic "required factor" analysis over the parsed regex: a literal run is required; an
    alternation requires one factor of each branch; optional parts require nothing. Runs extend
    through small character classes and literal alternations ("Mo[UC]" requires "mou" or "moc",
    not just "m"), because one-letter factors make the prefilter useless.
    """
    candidates: list[set[str]] = []
    run: set[str] = {""}

    def flush() -> None:
        nonlocal run
        if all(run):
            candidates.append({r.lower() for r in run})
        run = {""}

    for op, arg in items:
        if op in (AT, ASSERT, ASSERT_NOT):
            continue  # zero-width: neither adds nor breaks a literal run
        exact = _exact([(op, arg)])
        if exact is not None and all(exact):
            grown = {a + b for a in run for b in exact}
            if len(grown) <= _MAX_SET:
                run = grown
                continue
        flush()
        if op == SUBPATTERN:
            sub = _factors(arg[-1])
        elif op == BRANCH:
            subs = [_factors(b) for b in arg[1]]
            sub = None if any(s is None for s in subs) else set().union(*subs)  # type: ignore[arg-type]
        elif op in (MAX_REPEAT, MIN_REPEAT) and arg[0] >= 1:
            sub = _factors(arg[2])
        else:
            sub = None
        if sub:
            candidates.append(sub)
    flush()
    if not candidates:
        return None
    return max(candidates, key=lambda s: min(len(x) for x in s))


def _sub_ci(arg: Any, ci: bool) -> bool:
    """Case-insensitivity inside a group: ``(?-i:...)`` turns it off, ``(?i:...)`` on."""
    if arg[2] & re.IGNORECASE:
        return False
    if arg[1] & re.IGNORECASE:
        return True
    return ci


def _caseless_ok(text: str) -> bool:
    """Can a case-insensitive literal run be tested as a substring of ``fold(text)`` soundly?

    ASCII letters (whose odd case-insensitive partners ſ, ı, İ and the Kelvin sign ``fold``
    maps back), and characters without case (CJK, Hangul, digits, punctuation).
    """
    return all(ch.isascii() or (ch.lower() == ch == ch.upper() and ord(ch) >= 0x2E80) for ch in text)


Strong = set[tuple[bool, str]]


def _strong(items: Any, ci: bool) -> Strong | None:
    """Required factors that keep their case sensitivity: (case_sensitive, text) pairs.

    Same analysis as ``_factors``, but a literal under ``(?-i:...)`` ("AI") must occur exactly as
    written, so "said" and "again" no longer look like they might mention AI. Case-insensitive
    members are lower-cased and tested against ``fold(text)``.
    """
    candidates: list[Strong] = []
    run: set[str] = {""}

    def flush() -> None:
        nonlocal run
        if all(run) and (not ci or all(_caseless_ok(r) for r in run)):
            candidates.append({(not ci, r.lower() if ci else r) for r in run})
        run = {""}

    for op, arg in items:
        if op in (AT, ASSERT, ASSERT_NOT):
            continue
        exact = _exact([(op, arg)], ci)
        if exact is not None and all(exact):
            grown = {a + b for a in run for b in exact}
            if len(grown) <= _MAX_SET:
                run = grown
                continue
        flush()
        sub: Strong | None
        if op == SUBPATTERN:
            sub = _strong(arg[-1], _sub_ci(arg, ci))
        elif op == BRANCH:
            subs = [_strong(b, ci) for b in arg[1]]
            sub = None if any(x is None for x in subs) else set().union(*(x for x in subs if x is not None))
        elif op in (MAX_REPEAT, MIN_REPEAT) and arg[0] >= 1:
            sub = _strong(arg[2], ci)
        else:
            sub = None
        if sub:
            candidates.append(sub)
    flush()
    if not candidates:
        return None
    # Prefer long, case-sensitive or non-Latin factors: those rarely occur by accident in English news.
    return max(candidates, key=lambda s: min(len(x) + (3 if cs or not x.isascii() else 0) for cs, x in s))


_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def fold(text: str) -> str:
    """Lower-case so that a case-insensitive ASCII literal's every regex match becomes that literal."""
    if text.isascii() or not ("\u0130" in text or "\u0131" in text or "\u017f" in text):
        return text.lower()  # none of _FOLD's letters: translating would copy the text unchanged
    return text.translate(_FOLD).lower()


class FastRx:
    """A compiled regex plus a substring prefilter: most sentences never reach the regex engine.

    Python's engine scans a case-insensitive alternation at ~1 µs per character; checking that
    a sentence contains one of the pattern's required words ("summit", "partnership") costs
    next to nothing, and most sentences of a news article contain none of them. Once registered
    with a ``FactorIndex`` the check is a set intersection with the factors present in the text,
    computed once per text for every pattern. A text that passes is searched with RE2 proposing
    where to try the pattern (``guided``, ``pipeline.intel.sieve.GuidedRx``): the same matches.
    """

    __slots__ = ("rx", "guided", "factors", "fids", "index", "exact", "caseless")

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        self.guided = GuidedRx(rx)
        strong: Strong | None = None
        try:
            parsed = parse_regex(rx.pattern, rx.flags)
            found = _factors(parsed)
            strong = _strong(parsed, bool(rx.flags & re.IGNORECASE))
        # A pattern the analysis cannot read gets no factors and is always run: same matches.
        # boundary: the prefilter is an optimisation; it must never fail a classification.
        except Exception:  # noqa: BLE001
            found = None
        self.factors = tuple(sorted(found)) if found and all(found) else None
        self.fids: frozenset[int] | None = None
        self.index: FactorIndex | None = None
        # A second, independent necessary condition (``strong``), used only where it says more than
        # the factors: "AI" written in capitals rather than "ai" anywhere ("said", "again").
        self.exact: tuple[str, ...] = ()
        self.caseless: tuple[str, ...] = ()
        if strong and all(x for _, x in strong) and any(cs for cs, _ in strong):
            self.exact = tuple(sorted(x for cs, x in strong if cs))
            self.caseless = tuple(sorted(x for cs, x in strong if not cs))

    def strong_ok(self, text: str) -> bool:
        """The second necessary condition (True when there is none)."""
        if not self.exact and not self.caseless:
            return True
        for x in self.exact:
            if x in text:
                return True
        if self.caseless:
            low = _fold(text)
            for x in self.caseless:
                if x in low:
                    return True
        return False

    def _may_match(self, text: str) -> bool:
        if self.factors is None:
            return self.strong_ok(text)
        index = self.index
        if index is not None:
            if self.fids.isdisjoint(index.text_presence(text)):  # type: ignore[union-attr]
                return False
            return self.strong_ok(text)
        low = _fold(text)
        return any(f in low for f in self.factors) and self.strong_ok(text)

    def search(self, text: str) -> re.Match[str] | None:
        return self.guided.search(text) if self._may_match(text) else None

    def finditer(self, text: str) -> list[re.Match[str]]:
        return self.guided.finditer(text) if self._may_match(text) else []

    def lines(self, lines: list[str], lower: str, starts: list[int]) -> list[int]:
        """Indexes of the lines that may match, found by substring search in the joined lower text."""
        if self.factors is None:
            return list(range(len(lines)))
        found: set[int] = set()
        for f in self.factors:
            pos = lower.find(f)
            while pos >= 0:
                i = bisect_right(starts, pos) - 1
                found.add(i)
                nxt = starts[i + 1] if i + 1 < len(starts) else len(lower)
                pos = lower.find(f, nxt)
        return sorted(found)

    @property
    def pattern(self) -> str:
        return self.rx.pattern


class FastRxGroup:
    """Which of several patterns may match a text, from the text's factors at once: a gazetteer's
    patterns are asked of every text, and most of them have none of their required words in it.
    A pattern the factor index does not judge is always a candidate."""

    def __init__(self, patterns: list[FastRx]) -> None:
        self.patterns = patterns
        self._index: FactorIndex | None = None
        self._always: list[int] = []
        self._by_fid: dict[int, list[int]] = {}

    def candidates(self, text: str) -> list[int]:
        """Positions (ascending) of the patterns whose ``search``/``finditer`` may find something."""
        index = self.patterns[0].index if self.patterns else None
        if index is None:
            return list(range(len(self.patterns)))
        if self._index is not index:
            self._register(index)
        found = set(self._always)
        by_fid = self._by_fid
        for f in index.text_presence(text):
            got = by_fid.get(f)
            if got:
                found.update(got)
        return sorted(found)

    def _register(self, index: FactorIndex) -> None:
        self._always, self._by_fid = [], {}
        for k, rx in enumerate(self.patterns):
            if rx.index is not index or rx.fids is None:
                self._always.append(k)
                continue
            for f in rx.fids:
                self._by_fid.setdefault(f, []).append(k)
        self._index = index


class FactorIndex:
    """Which prefilter factors (of every registered pattern) a text contains, computed once per text.

    Checking each pattern's factors with ``f in text`` costs one scan per factor and pattern; here
    a text is split at whitespace and each chunk ("summit", "said,") is mapped once to the factors
    it contains (cached: news vocabulary repeats), so every pattern's check is a set intersection.
    Exactly the old substring semantics: a factor without whitespace occurs in a text iff it occurs
    in one of its whitespace-separated chunks; factors with whitespace are tested directly.
    """

    def __init__(self, patterns: Iterable[FastRx]) -> None:
        ids: dict[str, int] = {}
        for rx in patterns:
            if rx.factors is None or rx.index is not None:
                continue
            if any("\n" in f for f in rx.factors):
                continue  # keep the joined-text search for the (theoretical) multi-line factor
            rx.fids = frozenset(ids.setdefault(f, len(ids)) for f in rx.factors)
            rx.index = self
        self.size = len(ids)
        self.spaced: list[tuple[str, int]] = [(f, i) for f, i in ids.items() if f.split() != [f]]
        self.single: dict[str, int] = {f: i for f, i in ids.items() if len(f) == 1 and f.split() == [f]}
        self.by2: dict[str, list[tuple[str, int]]] = {}
        for f, i in ids.items():
            if len(f) >= 2 and f.split() == [f]:
                self.by2.setdefault(f[:2], []).append((f, i))
        self._chunks: dict[str, tuple[int, ...]] = {}
        self._texts: dict[str, set[int]] = {}

    def _scan(self, chunk: str) -> tuple[int, ...]:
        found: set[int] = set()
        single, by2 = self.single, self.by2
        for p in range(len(chunk)):
            if single:
                i = single.get(chunk[p])
                if i is not None:
                    found.add(i)
            cands = by2.get(chunk[p : p + 2])
            if cands:
                for f, i in cands:
                    if chunk.startswith(f, p):
                        found.add(i)
        return tuple(found)

    def presence(self, low: str) -> set[int]:
        """Ids of the factors that occur in ``low`` (already lower-cased as the caller wants)."""
        chunks = self._chunks
        out: set[int] = set()
        for chunk in low.split():
            hit = chunks.get(chunk)
            if hit is None:
                if len(chunks) > 200_000:
                    chunks.clear()
                hit = chunks[chunk] = self._scan(chunk)
            if hit:
                out.update(hit)
        for f, i in self.spaced:
            if f in low:
                out.add(i)
        return out

    def text_presence(self, text: str) -> set[int]:
        """Factors in ``fold(text)`` (what ``FastRx._may_match`` tests), cached per text."""
        got = self._texts.get(text)
        if got is None:
            if len(self._texts) > 1024:
                self._texts.clear()
            got = self._texts[text] = self.presence(_fold(text))
        return got

    def seed(self, text: str, present: set[int]) -> None:
        """Record ``text_presence(text)`` computed by the caller (the union of its lines' factors)."""
        if len(self._texts) > 1024:
            self._texts.clear()
        self._texts[text] = present

    def clear(self) -> None:
        self._chunks.clear()
        self._texts.clear()


# One sentence is tested against many patterns: fold it once.
@functools.lru_cache(maxsize=512)
def _fold(text: str) -> str:
    """``fold``, cached."""
    return fold(text)


def clear_text_caches() -> None:
    """Forget the cached folded copies of sentences (see ``CompiledRules.forget_texts``)."""
    _fold.cache_clear()
    clear_utf8_cache()


def fast(rx: re.Pattern[str] | None) -> FastRx | None:
    return FastRx(rx) if rx is not None else None

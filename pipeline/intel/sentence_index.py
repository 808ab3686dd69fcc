"""An item's sentences, indexed for the rules: which sentences a pattern can match, and clauses.

Each pattern has required words (``pipeline.intel.prefilter``); a lookup over the item's joined
lower-case text finds the few sentences that contain one, and only those reach the regex engine.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable

from pipeline.intel.prefilter import FactorIndex, FastRx, fold
from pipeline.intel.rules_schema import Rules


def jurisdiction_spans(text: str, rules: Rules) -> list[tuple[int, int, str]]:
    """Every jurisdiction alias in ``text`` as (start, end, code), left to right."""
    return rules.fast.juris.find(text)


class Sentences:
    """An item's sentences with one lower-cased joined copy, so patterns skip sentences cheaply.

    Each pattern has required words (see rules.FastRx); a substring search over the joined
    lower-case text finds the few sentences that contain one, and only those reach the regex
    engine. This keeps a 5 KB article in a few milliseconds with a hundred patterns.
    """

    def __init__(self, sentences: list[str]) -> None:
        self.items = sentences
        self.text = "\n".join(sentences)
        # Folded, not just lower-cased: a case-insensitive pattern matches "summıt" and "SUMMİT"
        # (dotless i, dotted capital I, long s), which ``str.lower`` leaves apart from "summit".
        self.lower = fold(self.text)
        self._plain_lower = len(self.lower) == len(self.text)
        if not self._plain_lower:  # no letter changes length once folded; kept as a guard
            self.lower = "\n".join(fold(s) if len(fold(s)) == len(s) else s for s in sentences)
        self.starts: list[int] = []
        pos = 0
        for sent in sentences:
            self.starts.append(pos)
            pos += len(sent) + 1
        self._lines: dict[int, list[int]] = {}
        self._index: FactorIndex | None = None
        self._inv: dict[int, list[int]] = {}
        self._present: frozenset[int] = frozenset()

    def lines(self, rx: FastRx) -> list[int]:
        """Indexes of the sentences that contain one of ``rx``'s required factors (sorted)."""
        got = self._lines.get(id(rx))
        if got is not None:
            return got
        index = rx.index
        if index is None or rx.fids is None:
            got = rx.lines(self.items, self.lower, self.starts)
        else:
            if self._index is not index:
                self._build(index)
            inv = self._inv
            # The factors both the pattern and the item have: an intersection of two sets walks the
            # smaller (a pattern has 1 to 150 factors, an item dozens). Their order does not matter:
            # one list, or the sorted union.
            hits = [inv[f] for f in rx.fids.intersection(self._present)]
            if not hits:
                got = []
            elif len(hits) == 1:
                got = hits[0]
            else:
                got = sorted(set().union(*hits))
        if got and (rx.exact or rx.caseless):
            items, ok = self.items, rx.strong_ok
            got = [i for i in got if ok(items[i])]
        self._lines[id(rx)] = got
        return got

    def _build(self, index: FactorIndex) -> None:
        """Factor id -> sentences containing it, from each sentence's slice of the joined lower text."""
        inv: dict[int, list[int]] = {}
        low, starts = self.lower, self.starts
        for i, sent in enumerate(self.items):
            st = starts[i]
            for f in index.presence(low[st : st + len(sent)]):
                got = inv.get(f)
                if got is None:
                    inv[f] = [i]
                else:
                    got.append(i)
        self._inv = inv
        self._present = frozenset(inv)
        self._index = index
        if self._plain_lower:
            # The joined text's factors are the union of the sentences' (no factor spans the "\n"), so
            # the gazetteers' patterns over the whole text need no second scan.
            index.seed(self.text, set(inv))

    def factors(self, index: FactorIndex) -> Iterable[int]:
        """Ids of the factors of ``index`` that occur in some sentence."""
        if self._index is not index:
            self._build(index)
        return self._inv.keys()

    def matches(self, rx: FastRx) -> list[tuple[int, re.Match[str]]]:
        """(sentence index, match) for every match of ``rx``."""
        items, finditer = self.items, rx.guided.finditer
        return [(i, m) for i in self.lines(rx) for m in finditer(items[i])]

    def first_matches(self, rx: FastRx) -> dict[int, re.Match[str]]:
        """Sentence index -> the first match of ``rx`` in it (a ``search``, not every match)."""
        items, search = self.items, rx.guided.search
        found: dict[int, re.Match[str]] = {}
        for i in self.lines(rx):
            m = search(items[i])
            if m is not None:
                found[i] = m
        return found

    def first_line(self, rx: FastRx) -> int | None:
        """The first sentence ``rx`` matches in, or None."""
        items, search = self.items, rx.guided.search
        return next((i for i in self.lines(rx) if search(items[i]) is not None), None)

    def flags(self, rx: FastRx) -> list[bool]:
        """For each sentence: does ``rx`` match in it?"""
        hits = [False] * len(self.items)
        items, search = self.items, rx.guided.search
        for i in self.lines(rx):
            hits[i] = search(items[i]) is not None
        return hits

    def jurisdictions(self, rules: Rules) -> list[list[tuple[int, int, str]]]:
        """Jurisdiction spans per sentence (one gazetteer pass over the joined text)."""
        return self._spans(rules.fast.juris.find(self.text))

    def places(self, rules: Rules) -> list[list[tuple[int, int, str]]]:
        """Gazetteer place spans per sentence (one pass, instead of one per event clause)."""
        return self._spans(rules.fast.places.find(self.text))

    def _spans(self, found: list[tuple[int, int, str]]) -> list[list[tuple[int, int, str]]]:
        out: list[list[tuple[int, int, str]]] = [[] for _ in self.items]
        for start, end, value in found:
            i = bisect_right(self.starts, start) - 1
            if i >= 0 and end <= self.starts[i] + len(self.items[i]):
                out[i].append((start - self.starts[i], end - self.starts[i], value))
        return out


_CLAUSE = re.compile(r";|,\s+(?:and|but|while|whereas)\s+|\s+and\s+(?=the\s|its\s|their\s|a\s)|\s+[–—]\s+")


def clause_around(sentence: str, pos: int) -> tuple[str, int]:
    """The clause of ``sentence`` containing ``pos`` and its offset (clauses split at ';', ', and' ...)."""
    start = 0
    for m in _CLAUSE.finditer(sentence):
        if m.start() >= pos:
            return sentence[start : m.start()], start
        start = m.end()
    return sentence[start:], start


def clip(spans: list[tuple[int, int, str]], off: int, length: int) -> list[tuple[int, int, str]]:
    """Spans of a sentence that fall inside the clause [off, off+length), re-based on the clause."""
    return [(s - off, e - off, v) for s, e, v in spans if s >= off and e <= off + length]

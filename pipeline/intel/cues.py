"""The cue families of ``rules/cues.yaml``: how an event is reported, as data.

A family is a list of regular expressions in every language we watch ("summit", "サミット",
"정상회의", "Gipfel"...). The model does not learn which events exist; it learns what the
families, and where they occur, say about the event type. Loading validates the file with the
same file:line:field errors as every other config file.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.yamlconf import ConfigError, validate_file
from pipeline.intel.patterns import Regex
from pipeline.intel.rules_loading import real_path
from pipeline.regex_syntax import (
    ANY,
    ASSERT,
    ASSERT_NOT,
    AT,
    ATOMIC_GROUP,
    BRANCH,
    CATEGORY,
    IN,
    LITERAL,
    MAXREPEAT,
    NOT_LITERAL,
    RANGE,
    REPEATS,
    SUBPATTERN,
    Unsupported,
    parse_regex,
)

try:
    import re2
except ImportError:  # pragma: no cover - a declared dependency; without it Python does all the work
    re2 = None

DEFAULT_CUES = Path(__file__).resolve().parent.parent.parent / "rules" / "cues.yaml"
_DEFAULT_CUES = str(DEFAULT_CUES)


class Family(BaseModel):
    model_config = ConfigDict(extra="forbid")
    about: str
    patterns: list[Regex] = Field(min_length=1)


class CueFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    families: dict[str, Family] = Field(min_length=1)


@dataclass(frozen=True)
class Cues:
    """Compiled families: one alternation per family, plus the file's digest (the model is
    stamped with the digest of the cues it was trained with)."""

    families: tuple[tuple[str, re.Pattern[str]], ...]
    about: dict[str, str]
    sha256: str
    matcher: FamilyMatcher = field(init=False, repr=False, compare=False)
    """The same families, found fast (``item_features`` uses it; results are the patterns')."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "matcher", FamilyMatcher([rx for _, rx in self.families]))


def compile_families(raw: CueFile, digest: str) -> Cues:
    compiled = tuple(
        (name, re.compile("|".join(f"(?:{p.pattern})" for p in fam.patterns), re.IGNORECASE))
        for name, fam in raw.families.items()
    )
    return Cues(compiled, {name: fam.about for name, fam in raw.families.items()}, digest)


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int) -> Cues:
    raw = validate_file(Path(path), CueFile)
    return compile_families(raw, hashlib.sha256(Path(path).read_bytes()).hexdigest())


def load_cues(path: Path | None = None) -> Cues:
    """The cue families (cached per file version); ConfigError names file, line and field."""
    where = os.fspath(path) if path else _DEFAULT_CUES
    try:
        mtime = os.stat(where).st_mtime_ns
    except OSError:
        raise ConfigError(f"{Path(where)}: file not found") from None
    return _load(real_path(where), mtime)


# ----------------------------------------------------------------------------- fast matcher

# Python's engine costs about 1 µs per character on a case-insensitive alternation, and every
# family is looked for in the headline, the lead and the body: most of classify's time. RE2
# (google-re2) reports in one linear pass which of all the families may occur. It is used only
# as a sieve, never as the judge: each family is translated into a *relaxed* RE2 pattern that
# matches wherever Python's could (word boundaries next to non-ASCII characters, lookarounds
# and anchors are dropped; \w, \s, \d widen to every non-ASCII character; a letter matched
# without case becomes the class of every character Python's engine takes for it, asked of
# Python's engine itself). Every hit RE2 proposes is then confirmed by the family's own Python
# pattern, anchored at that position, so hits, positions and counts are Python's exactly.

_ALL = ((0, 0x10FFFF),)
_ASCII_WORD = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
_RELAXED_CATEGORY: dict[str, tuple[tuple[int, int], ...]] = {
    # Supersets of Python's Unicode classes: exact on ASCII, every non-ASCII character beyond.
    "WORD": (*_ASCII_WORD, (0x80, 0x10FFFF)),
    "DIGIT": ((0x30, 0x39), (0x80, 0x10FFFF)),
    "SPACE": ((0x09, 0x0D), (0x1C, 0x20), (0x80, 0x10FFFF)),
}
_CHARS = (LITERAL, NOT_LITERAL, ANY, IN)


@lru_cache(maxsize=1)
def _cased() -> str:
    """Every character with another case: the only ones a case-insensitive match can swap in."""
    out = []
    for base in range(0, 0x110000, 4096):
        chunk = "".join(map(chr, range(base, min(base + 4096, 0x110000))))
        if chunk.lower() != chunk or chunk.upper() != chunk:
            out += [ch for ch in chunk if ch.lower() != ch or ch.upper() != ch]
    return "".join(out)


def _merge(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return tuple(out)


def _render(ranges: tuple[tuple[int, int], ...]) -> str:
    if not ranges:
        return r"[^\x{0}-\x{10ffff}]"
    return "[" + "".join(rf"\x{{{lo:x}}}" + (rf"-\x{{{hi:x}}}" if hi > lo else "") for lo, hi in ranges) + "]"


def _split_ascii_word(ranges: tuple[tuple[int, int], ...]) -> tuple[tuple[tuple[int, int], ...], ...]:
    """(the part of ``ranges`` that is an ASCII word character, the rest)."""
    inside: list[tuple[int, int]] = []
    outside: list[tuple[int, int]] = []
    for lo, hi in ranges:
        pos = lo
        for wlo, whi in _ASCII_WORD:
            if whi < pos or wlo > hi:
                continue
            if wlo > pos:
                outside.append((pos, wlo - 1))
            inside.append((max(pos, wlo), min(hi, whi)))
            pos = min(hi, whi) + 1
        if pos <= hi:
            outside.append((pos, hi))
    return _merge(inside), _merge(outside)


def _class_source(members: list[tuple[str, Any]]) -> str:
    """Python source of a (positive) character class, to ask Python's engine about it."""
    cats = {v: k for k, v in (("w", "WORD"), ("d", "DIGIT"), ("s", "SPACE"))}
    parts = []
    for op, arg in members:
        if op == LITERAL:
            parts.append(re.escape(chr(arg)))
        elif op == RANGE:
            parts.append(re.escape(chr(arg[0])) + "-" + re.escape(chr(arg[1])))
        elif op == CATEGORY and arg in cats:
            parts.append("\\" + cats[arg])
        else:
            raise Unsupported(f"class member {op}")
    return "[" + "".join(parts) + "]"


@lru_cache(maxsize=4096)
def _caseless(source: str) -> tuple[int, ...]:
    """The characters Python's engine matches with ``source`` (one character) ignoring case,
    among those that have another case."""
    return tuple(sorted({ord(ch) for ch in re.findall(source, _cased(), re.IGNORECASE)}))


def _charset(op: str, arg: Any, ci: bool, dotall: bool) -> tuple[tuple[int, int], ...]:
    """A superset of the characters one item matches in Python's engine."""
    if op == LITERAL:
        extra = _caseless(re.escape(chr(arg))) if ci else ()
        return _merge([(arg, arg), *((c, c) for c in extra)])
    if op == ANY:
        return _ALL if dotall else ((0, 9), (11, 0x10FFFF))
    if (
        op == IN
        and arg
        and all(o in (LITERAL, RANGE) or (o == CATEGORY and a in _RELAXED_CATEGORY) for o, a in arg)
    ):
        ranges: list[tuple[int, int]] = []
        for o, a in arg:
            if o == LITERAL:
                ranges.append((a, a))
            elif o == RANGE:
                ranges.append(a)
            else:
                ranges += _RELAXED_CATEGORY[a]
        if ci:
            ranges += [(c, c) for c in _caseless(_class_source(arg))]
        return _merge(ranges)
    return _ALL  # a negated class or category (NOT_LITERAL, [^...], \W, \S, \D): anything


def _relaxed(items: list[tuple[str, Any]], ci: bool, dotall: bool) -> str:
    """RE2 source matching (from the same start) wherever Python's engine matches ``items``."""
    out: list[str] = []
    k = 0
    while k < len(items):
        op, arg = items[k]
        nxt = items[k + 1] if k + 1 < len(items) else None
        if op == AT and arg == "BOUNDARY" and nxt is not None and nxt[0] in _CHARS:
            # \b before a character that can only be an ASCII word character: RE2's (ASCII) \b
            # holds wherever Python's does. A non-ASCII alternative goes without the boundary.
            word, rest = _split_ascii_word(_charset(*nxt, ci, dotall))
            out.append(_bounded(word, rest, before=True))
            k += 2
            continue
        if op in _CHARS:
            chars = _charset(op, arg, ci, dotall)
            if nxt == (AT, "BOUNDARY"):
                word, rest = _split_ascii_word(chars)
                out.append(_bounded(word, rest, before=False))
                k += 2
                continue
            out.append(_render(chars))
        elif op in (AT, ASSERT, ASSERT_NOT):
            pass  # zero-width: dropping a condition only widens the match
        elif op == SUBPATTERN:
            _group, add, remove, sub = arg
            sub_ci = bool((ci or add & re.IGNORECASE) and not remove & re.IGNORECASE)
            sub_dotall = bool((dotall or add & re.DOTALL) and not remove & re.DOTALL)
            out.append("(?:" + _relaxed(sub, sub_ci, sub_dotall) + ")")
        elif op == ATOMIC_GROUP:
            out.append("(?:" + _relaxed(arg, ci, dotall) + ")")
        elif op == BRANCH:
            out.append("(?:" + "|".join(_relaxed(b, ci, dotall) for b in arg[1]) + ")")
        elif op in REPEATS:
            lo, hi, sub = arg
            if lo > 1000 or hi > 1000:
                raise Unsupported("repeat beyond RE2's limit")
            body = "(?:" + _relaxed(sub, ci, dotall) + ")"
            if hi == MAXREPEAT:
                out.append(body + ("*" if lo == 0 else "+" if lo == 1 else f"{{{lo},}}"))
            else:
                out.append(body + (f"{{{lo}}}" if lo == hi else f"{{{lo},{hi}}}"))
        else:
            raise Unsupported(op)
        k += 1
    return "".join(out)


def _bounded(word: tuple[tuple[int, int], ...], rest: tuple[tuple[int, int], ...], before: bool) -> str:
    if not word:
        return _render(rest)
    first = r"\b" + _render(word) if before else _render(word) + r"\b"
    return f"(?:{first}|{_render(rest)})" if rest else first


def relaxed_source(rx: re.Pattern[str]) -> str:
    """The RE2 sieve for ``rx``; raises ``Unsupported`` when it cannot be written."""
    return _relaxed(
        parse_regex(rx.pattern, rx.flags), bool(rx.flags & re.IGNORECASE), bool(rx.flags & re.DOTALL)
    )


@dataclass(slots=True)
class Zone:
    """One text as the matcher scans it: the families RE2 says may occur (None: ask Python)."""

    text: str
    data: bytes
    ascii: bool
    hits: frozenset[int] | None


class FamilyMatcher:
    """``search`` and ``count`` for each family, exactly as its Python pattern gives them."""

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        self.py = patterns
        self.sieve: list[Any] = [None] * len(patterns)
        self._set: Any = None
        self._set_family: list[int] = []
        self._always: frozenset[int] = frozenset(range(len(patterns)))
        if re2 is None:  # pragma: no cover - google-re2 is a dependency; Python alone stays exact
            return
        options = re2.Options()
        options.max_mem = 256 << 20
        options.log_errors = False
        sieve_set = re2.Set.SearchSet(options)
        # Matches every text: a Set whose automaton failed (out of memory) reports nothing, and
        # the missing sentinel then sends the text to Python instead of dropping its families.
        self._set_family.append(-1)
        sieve_set.Add("")
        always = []
        for k, rx in enumerate(patterns):
            try:
                source = relaxed_source(rx)
                compiled = re2.compile(source, options)
                if compiled.search(b"") is not None:
                    raise Unsupported("may match the empty string")
                sieve_set.Add(source)
            except (Unsupported, re2.error):
                always.append(k)
                continue
            self.sieve[k] = compiled
            self._set_family.append(k)
        sieve_set.Compile()
        self._set = sieve_set
        self._always = frozenset(always)

    def zone(self, text: str) -> Zone:
        if self._set is None:
            return Zone(text, b"", True, None)
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: RE2 reads UTF-8 only
            return Zone(text, b"", True, None)
        found = self._set.Match(data) or ()
        if 0 not in found:
            return Zone(text, data, len(data) == len(text), None)
        fam = self._set_family
        return Zone(text, data, len(data) == len(text), frozenset(fam[i] for i in found if i) | self._always)

    def search(self, k: int, zone: Zone) -> re.Match[str] | None:
        """``pattern.search(zone.text)`` of family ``k``."""
        if zone.hits is None or self.sieve[k] is None:
            return self.py[k].search(zone.text)
        if k not in zone.hits:
            return None
        return self._search_from(k, zone, 0)

    def count(self, k: int, zone: Zone, limit: int) -> int:
        """``min(len(pattern.findall(zone.text)), limit)`` of family ``k``."""
        if zone.hits is None or self.sieve[k] is None:
            return min(len(self.py[k].findall(zone.text)), limit)
        if k not in zone.hits:
            return 0
        n, pos = 0, 0
        while n < limit:
            hit = self._search_from(k, zone, pos)
            if hit is None:
                break
            if hit.end() == hit.start():  # cannot happen (the sieve never matches ""); be exact anyway
                return min(len(self.py[k].findall(zone.text)), limit)
            n, pos = n + 1, hit.end()
        return n

    def _search_from(self, k: int, zone: Zone, pos: int) -> re.Match[str] | None:
        """``pattern.search(text, pos)``: RE2 proposes the leftmost start where the family may
        match; Python's pattern, anchored there (seeing the text before it), confirms it or
        the next start is tried. A start RE2 skips is one where Python's pattern cannot match."""
        sieve, rx, text, data = self.sieve[k], self.py[k], zone.text, zone.data
        at = pos if zone.ascii else len(text[:pos].encode("utf-8"))
        while True:
            m = sieve.search(data, at)
            if m is None:
                return None
            b = m.start()
            start = b if zone.ascii else len(data[:b].decode("utf-8"))
            hit = rx.match(text, start)
            if hit is not None:
                return hit
            if start >= len(text):
                return None
            at = b + (1 if zone.ascii else len(text[start].encode("utf-8")))

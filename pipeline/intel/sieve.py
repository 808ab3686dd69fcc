r"""RE2 as a sieve for Python's patterns: where a pattern may match, found in one linear pass.

Python's engine costs about 1 µs per character on a case-insensitive alternation, and the rules
run a hundred patterns over every sentence. RE2 (google-re2) finds in one linear pass where a
pattern may occur (``GuidedRx``), or which of many patterns may (``cues.FamilyMatcher``). It is
used only as a sieve, never as the judge: each pattern is translated into a *relaxed* RE2 pattern
that matches wherever Python's could (word boundaries next to non-ASCII characters, lookarounds
and anchors are dropped; \w, \s, \d widen to every non-ASCII character; a letter matched without
case becomes the class of every character Python's engine takes for it, asked of Python's engine
itself). A position the sieve rules out is one where the Python pattern cannot match; every
other position still goes to the Python pattern, so matches, positions and counts are Python's
exactly. The translation reads patterns with our own parser (``core.regex_syntax``), not the
engine's private one.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from core.regex_syntax import (
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


_EXACT_CATEGORY = {"DIGIT": r"\d", "SPACE": r"\s"}


@cache
def _category(name: str) -> tuple[tuple[int, int], ...]:
    """The characters of a class shorthand in the sieve. For \\d and \\s, exactly those Python's
    engine matches, asked of the engine itself (a few hundred digits and spaces beyond ASCII): a
    Korean or Japanese date form ("26일", "5月12日") is then proposed at its digits only, not at
    every non-ASCII character. \\w keeps every non-ASCII character (a class of thousands of ranges
    would swell the automata)."""
    source = _EXACT_CATEGORY.get(name)
    if source is None:
        return _RELAXED_CATEGORY[name]
    rx = re.compile(source)
    found: list[tuple[int, int]] = []
    for base in range(0, 0x110000, 4096):
        chunk = "".join(map(chr, range(base, min(base + 4096, 0x110000))))
        found += [(ord(ch), ord(ch)) for ch in rx.findall(chunk)]
    return _merge(found)


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
                ranges += _category(a)
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


SET_MEM = 256 << 20
"""RE2's memory budget for a set of many patterns (the cue families): room for its automaton."""
PATTERN_MEM = 8 << 20
"""RE2's budget for one pattern (its default): a hundred guided patterns stay small. A search that
outgrows it falls back to a slower RE2 engine, with the same answer."""


def re2_options(max_mem: int = SET_MEM) -> Any:
    """Options for a sieve: a memory budget, and no logging of what RE2 refuses."""
    options = re2.Options()
    options.max_mem = max_mem
    options.log_errors = False
    return options


class SieveSet:
    """Which of several patterns may match a text, from one RE2 pass over it.

    ``may(text)`` holds the positions of the patterns RE2 finds a relaxed match for, and those it
    cannot judge (untranslatable, or matching the empty string); None when RE2 cannot tell (a text
    that is not UTF-8, an automaton out of memory): then any may. A pattern left out cannot match.
    """

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        self._set: Any = None
        self._family: list[int] = [-1]
        always: list[int] = []
        if re2 is None:  # pragma: no cover - google-re2 is a dependency
            return
        options = re2_options()
        sieve_set = re2.Set.SearchSet(options)
        # Matches every text: a Set whose automaton failed reports nothing, and the missing
        # sentinel then says "unknown" instead of "no pattern matches".
        sieve_set.Add("")
        for k, rx in enumerate(patterns):
            try:
                source = relaxed_source(rx)
                if re2.compile(source, options).search(b"") is not None:
                    raise Unsupported("may match the empty string")
                sieve_set.Add(source)
            except (Unsupported, re2.error):
                always.append(k)
                continue
            self._family.append(k)
        sieve_set.Compile()
        self._set = sieve_set
        self._always = frozenset(always)

    def may(self, text: str) -> frozenset[int] | None:
        """Positions of the patterns that may match ``text`` (None: any of them may)."""
        enc = _utf8(text) if self._set is not None else None
        if enc is None:
            return None
        found = self._set.Match(enc[0]) or ()
        if 0 not in found:
            return None
        family = self._family
        return frozenset(family[i] for i in found if i) | self._always


@lru_cache(maxsize=512)
def _utf8(text: str) -> tuple[bytes, bool] | None:
    """``text`` as RE2 reads it, and whether it is ASCII (byte and character offsets agree);
    None for a text that is not valid UTF-8 (a lone surrogate). Cached: one sentence is read by
    many patterns."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return data, len(data) == len(text)


def clear_utf8_cache() -> None:
    """Forget the cached encodings (a benchmark's pass over texts it has seen)."""
    _utf8.cache_clear()


def _uncased(ch: str) -> bool:
    return ch.lower() == ch == ch.upper()


def _skips_ahead(items: list[tuple[str, Any]], ci: bool) -> bool:
    """Does Python's engine skip to the places where the pattern can start, by itself? It does
    when the pattern opens with a character it can look for directly (a literal, a set of
    literals, or alternatives that each open so, with no case to fold): ``(?:19|20)\\d{2}``,
    ``令和|平成``. A pattern opening with a word boundary, a lookbehind, an optional part or a
    letter without case is tried at every character. An estimate of the engine's speed only:
    either way the matches are Python's."""
    if not items:
        return False
    op, arg = items[0]
    if op == LITERAL:
        return not ci or _uncased(chr(arg))
    if op == IN:
        return bool(arg) and all(o == LITERAL and (not ci or _uncased(chr(a))) for o, a in arg)
    if op == SUBPATTERN:
        _group, add, remove, sub = arg
        return _skips_ahead(sub, bool((ci or add & re.IGNORECASE) and not remove & re.IGNORECASE))
    if op == BRANCH:
        return all(_skips_ahead(branch, ci) for branch in arg[1])
    return False


def _opening_lookbehind(items: list[tuple[str, Any]]) -> tuple[int, list[tuple[str, Any]]]:
    """(width, items) of a pattern that opens with a lookbehind of single characters, its
    characters read as part of the match (``(?<=한)일`` as ``한일``): the sieve then proposes only
    where they stand before the rest, not at every ``일``, and its proposal is ``width``
    characters before where Python's pattern starts. (0, items) for any other pattern."""
    if not items or items[0][0] != ASSERT:
        return 0, items
    direction, sub = items[0][1]
    if direction != -1 or not sub or any(op not in (LITERAL, IN) for op, _arg in sub):
        return 0, items
    return len(sub), [*sub, *items[1:]]


class GuidedRx:
    """``search`` and ``finditer`` of a Python pattern, exactly, with RE2 proposing where to look.

    Python's ``search`` tries the pattern at every position; a case-insensitive alternation costs
    it about 1 µs per character. RE2 finds the leftmost position where the relaxed pattern may
    match in one linear pass; Python's pattern, anchored there (seeing the text before it),
    confirms it, else the next proposal is tried. A position RE2 skips is one where Python's
    pattern cannot match, so the first confirmed position is the one ``search`` would give, with
    the same match. Without a relaxed form (untranslatable, or one that may match the empty
    string), or for a pattern Python's engine finds fast by itself (``_skips_ahead``), Python's
    own ``search`` runs.
    """

    __slots__ = ("rx", "sieve", "lead")

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        self.sieve: Any = None
        self.lead = 0
        """Characters the sieve reads before where Python's pattern starts (its opening lookbehind)."""
        if re2 is None:  # pragma: no cover - google-re2 is a dependency
            return
        try:
            parsed = parse_regex(rx.pattern, rx.flags)
            if _skips_ahead(parsed, bool(rx.flags & re.IGNORECASE)):
                return  # Python's own search jumps to the first character: a call to RE2 costs more
            lead, items = _opening_lookbehind(parsed)
            compiled = re2.compile(
                _relaxed(items, bool(rx.flags & re.IGNORECASE), bool(rx.flags & re.DOTALL)),
                re2_options(PATTERN_MEM),
            )
        except (Unsupported, re2.error):
            return
        if compiled.search(b"") is None:
            self.sieve = compiled
            self.lead = lead

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        """``rx.search(text, pos)``."""
        if self.sieve is None:
            return self.rx.search(text, pos)
        enc = _utf8(text)
        if enc is None:
            return self.rx.search(text, pos)
        data, ascii_only = enc
        sieve, match, lead = self.sieve, self.rx.match, self.lead
        # A match of Python's pattern at ``start`` is one of the sieve's at ``start - lead``.
        at = max(0, pos - lead)
        if not ascii_only:
            at = len(text[:at].encode("utf-8"))
        while True:
            m = sieve.search(data, at)
            if m is None:
                return None
            b = m.start()
            proposed = b if ascii_only else len(data[:b].decode("utf-8"))
            start = proposed + lead
            hit = match(text, start)
            if hit is not None:
                return hit
            if start >= len(text):
                return None
            at = b + (1 if ascii_only else len(text[proposed].encode("utf-8")))

    def finditer(self, text: str) -> list[re.Match[str]]:
        """``list(rx.finditer(text))``."""
        if self.sieve is None:
            return list(self.rx.finditer(text))
        out: list[re.Match[str]] = []
        pos = 0
        while True:
            hit = self.search(text, pos)
            if hit is None:
                return out
            if hit.end() == hit.start():  # cannot happen (the sieve never matches ""); be exact anyway
                return list(self.rx.finditer(text))
            out.append(hit)
            pos = hit.end()

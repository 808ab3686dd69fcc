"""Refuse regular expressions that backtrack catastrophically, before they ever run.

Analysts write the patterns of ``rules.yaml`` and ``rules/cues.yaml``; one pattern such as
``(a+)+$`` took 34 s on 28 characters, and a run would stall on it for every item. Python's
engine backtracks, so the check is static: it reads the pattern with our own parser
(``core.regex_syntax``, not the engine's private ``re._parser``) and rejects a repeated group
whose iterations can split the same text in many ways. That is the case when a variable-length
repeat at one end of the group's body can eat the characters the body starts (or ends) with:
``(a+)+``, ``(a*)*``, ``(\\w+\\s?)+``, ``(\\d{1,3},?)+``. A group whose parts are separated by
disjoint characters (``(\\w+\\s+)*``) or whose repeat is small and bounded
(``(?:\\w+\\s+){0,5}``) passes.

The same holds for alternatives of different lengths, which split text like a repeat does:
``(a|aa)+`` (which the parser reads as ``a(?:|a)``) is refused, ``(?:ab|a)+c`` and
``(?:foo|f)+x`` pass (what ends one iteration cannot start the next).

A pattern the reader does not read (a back-reference, verbose mode, a conditional, a brace that
is not a repeat) cannot be checked, so it is refused too: it can be written without them.

Deterministic (no timing), linear in the pattern's size.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
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
    MAX_REPEAT,
    MAXREPEAT,
    MIN_REPEAT,
    NEGATE,
    NOT_LITERAL,
    POSSESSIVE_REPEAT,
    RANGE,
    SUBPATTERN,
    Unsupported,
    parse_regex,
)

MANY = 10
"""A repeat allowing more iterations than this counts as unbounded for the nesting check:
``{0,5}`` around a flexible part costs a polynomial of degree 5 at worst, ``+`` exponential."""

Chars = Callable[[str], bool]


def _matches(regex: str) -> Chars:
    compiled = re.compile(regex)
    return lambda ch: compiled.match(ch) is not None


def _between(lo: int, hi: int) -> Chars:
    return lambda ch: lo <= ord(ch) <= hi


_CATEGORIES: dict[str, Chars] = {
    "DIGIT": _matches(r"\d"),
    "NOT_DIGIT": _matches(r"\D"),
    "SPACE": _matches(r"\s"),
    "NOT_SPACE": _matches(r"\S"),
    "WORD": _matches(r"\w"),
    "NOT_WORD": _matches(r"\W"),
}

_SAMPLE = "".join(chr(i) for i in range(0x09, 0x7F)) + "\u00a0éüßÀ–—‘’“”…日本ー한국サ"
"""Characters tried when asking whether two character sets overlap (with every literal and
range bound of the pattern itself added)."""


@dataclass(frozen=True, slots=True)
class Edge:
    """A character that can begin (or end) a piece of pattern."""

    chars: Chars
    flexible: bool
    """Produced inside a variable-length repeat: where its text ends can move."""


def _anything(ch: str) -> bool:
    return True


def _class(items: list[tuple[Any, Any]]) -> Chars:
    """The predicate of a character class ``[...]`` (case is ignored: the check errs towards
    finding an overlap)."""
    negate = any(op == NEGATE for op, _av in items)
    parts: list[Chars] = []
    for op, av in items:
        if op == LITERAL:
            parts.append(chr(av).__eq__)
        elif op == RANGE:
            parts.append(_between(*av))
        elif op == CATEGORY:
            parts.append(_CATEGORIES.get(av, _anything))
    if negate:
        return lambda ch: not any(p(ch) for p in parts)
    return lambda ch: any(p(ch) for p in parts)


def _leaf(op: Any, av: Any) -> Chars | None:
    """The character predicate of a one-character item, None when ``op`` is not one."""
    if op == LITERAL:
        return chr(av).__eq__
    if op == NOT_LITERAL:
        return chr(av).__ne__
    if op == ANY:
        return _anything
    if op == IN:
        return _class(av)
    if op == CATEGORY:
        return _CATEGORIES.get(av, _anything)
    return None


_REPEATS = (MAX_REPEAT, MIN_REPEAT)
_UNBOUNDED = float("inf")


def _ends(items: Iterable[tuple[Any, Any]], from_end: bool, flexible: bool) -> tuple[list[Edge], bool]:
    """The edges a sequence can start with (or end with, ``from_end``), and whether it can be empty."""
    edges: list[Edge] = []
    for op, av in reversed(list(items)) if from_end else items:
        found, nullable = _item_ends(op, av, from_end, flexible)
        edges += found
        if not nullable:
            return edges, False
    return edges, True


def _item_ends(op: Any, av: Any, from_end: bool, flexible: bool) -> tuple[list[Edge], bool]:
    leaf = _leaf(op, av)
    if leaf is not None:
        return [Edge(leaf, flexible)], False
    if op == SUBPATTERN:
        return _ends(av[3], from_end, flexible)
    if op == ATOMIC_GROUP:  # never gives back: nothing inside is flexible from outside
        found, nullable = _ends(av, from_end, False)
        return [Edge(e.chars, flexible) for e in found], nullable
    if op == BRANCH:
        # Alternatives of different lengths ("a|aa", which the reader lays out as "a(?:|a)") end
        # where the text does not fix: like a "?" or a "+", their edges are flexible.
        results = [_ends(alt, from_end, flexible or _uneven(av[1])) for alt in av[1]]
        return [e for found, _n in results for e in found], any(n for _e, n in results)
    if op in _REPEATS or op == POSSESSIVE_REPEAT:
        lo, hi, body = av
        hi = _UNBOUNDED if hi == MAXREPEAT else hi
        variable = op != POSSESSIVE_REPEAT and lo < hi and hi > 1  # possessive never gives back
        found, nullable = _ends(body, from_end, flexible or variable)
        return found, nullable or lo == 0
    if op in (AT, ASSERT, ASSERT_NOT):
        return [], True  # zero-width
    return [Edge(_anything, True)], True  # anything unknown: assume the worst


def _uneven(alternatives: list[Any]) -> bool:
    """Whether the alternatives of a branch can match texts of different lengths."""
    widths = {_width(alt) for alt in alternatives}
    return len(widths) > 1 or any(lo != hi for lo, hi in widths)


def _width(items: Iterable[tuple[Any, Any]]) -> tuple[float, float]:
    """The fewest and the most characters a sequence can match (the most may be unbounded)."""
    lo = hi = 0.0
    for op, av in items:
        if _leaf(op, av) is not None:
            one = (1.0, 1.0)
        elif op in (AT, ASSERT, ASSERT_NOT):
            one = (0.0, 0.0)
        elif op == SUBPATTERN:
            one = _width(av[3])
        elif op == ATOMIC_GROUP:
            one = _width(av)
        elif op == BRANCH:
            each = [_width(alt) for alt in av[1]]
            one = (min(w[0] for w in each), max(w[1] for w in each))
        elif op in _REPEATS or op == POSSESSIVE_REPEAT:
            low, high = _width(av[2])
            times = _UNBOUNDED if av[1] == MAXREPEAT else av[1]
            one = (av[0] * low, times * high if high else 0.0)
        else:
            one = (0.0, _UNBOUNDED)  # unknown: any length
        lo, hi = lo + one[0], hi + one[1]
    return lo, hi


def _walk(items: Iterable[tuple[Any, Any]]) -> Iterator[tuple[Any, Any]]:
    """Every (op, argument) item of a parsed pattern, at any depth, outermost first."""
    for op, av in items:
        yield op, av
        for sub in _subpatterns(op, av):
            yield from _walk(sub)


def _subpatterns(op: Any, av: Any) -> list[Any]:
    """The item lists nested in one item (how ``core.regex_syntax`` lays out each kind of node)."""
    if op == SUBPATTERN:
        return [av[3]]
    if op == BRANCH:
        return list(av[1])
    if op in _REPEATS or op == POSSESSIVE_REPEAT:
        return [av[2]]
    if op == ATOMIC_GROUP:
        return [av]
    if op in (ASSERT, ASSERT_NOT):
        return [av[1]]
    if op == IN:
        return [av]  # the class's own items: literals, ranges, categories
    return []


def _alphabet(items: Iterable[tuple[Any, Any]]) -> str:
    """The sample characters plus every literal and range bound in the pattern."""
    found: set[str] = set(_SAMPLE)
    for op, av in _walk(items):
        if op in (LITERAL, NOT_LITERAL):
            found.add(chr(av))
        elif op == RANGE:
            found.update((chr(av[0]), chr(av[1]), chr((av[0] + av[1]) // 2)))
    return "".join(sorted(found))


def _overlap(a: Chars, b: Chars, alphabet: str) -> bool:
    variants = (str.lower, str.upper)
    return any(a(ch) and (b(ch) or any(b(v(ch)) for v in variants)) for ch in alphabet)


def _ambiguous_repeat(body: Any, alphabet: str) -> bool:
    """True when two iterations of ``body`` can share out the text at their border in many
    ways: a flexible edge on one side that can eat what the other side starts with."""
    first, _ = _ends(body, from_end=False, flexible=False)
    last, _ = _ends(body, from_end=True, flexible=False)
    return any(
        _overlap(x.chars, y.chars, alphabet)
        for side, other in ((last, first), (first, last))
        for x in side
        if x.flexible
        for y in other
    )


def catastrophic(pattern: str, flags: int = 0) -> bool:
    """Whether ``pattern`` has a many-times repeated group that can backtrack exponentially.

    Raises ``Unsupported`` for a pattern the reader does not read (the check cannot vouch for it).
    """
    parsed = parse_regex(pattern, flags)
    alphabet = _alphabet(parsed)
    return any(
        op in _REPEATS and (av[1] == MAXREPEAT or av[1] > MANY) and _ambiguous_repeat(av[2], alphabet)
        for op, av in _walk(parsed)
    )


def checked_pattern(value: Any) -> re.Pattern[str]:
    """A configured pattern, compiled case-insensitive: a bad one, or one that could backtrack for
    minutes on a crafted text (``catastrophic``), is a ValueError with the reason (pydantic turns
    it into a file:line:field error). One check for the rules' patterns and sources' filters."""
    if not isinstance(value, str) or not value:
        raise ValueError("must be a non-empty string (a regular expression)")
    try:
        compiled = re.compile(value, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"bad regular expression {value!r}: {exc}") from None
    try:
        refused = catastrophic(value, re.IGNORECASE)
    except Unsupported as exc:
        raise ValueError(
            f"regular expression {value!r} cannot be checked for catastrophic backtracking ({exc}): "
            "write it without back-references, verbose mode or conditionals, and escape a literal "
            "brace as \\{"
        ) from None
    if refused:
        raise ValueError(
            f"regular expression {value!r} can backtrack catastrophically (hang a run): a group "
            "repeated without bound can share out the same text between its repeats in many ways, "
            "as in (a+)+. Make its parts match different characters, or use a possessive repeat "
            "or an atomic group: (?:a+)++ or (?>a+)+"
        )
    return compiled

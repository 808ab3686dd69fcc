"""A small reader of Python's regular-expression syntax: for the prefilters, RE2 sieves and ReDoS check.

It lays a pattern out as nested (op, arg) items, the shape of the standard library's private
parser, but is our own code, so nothing here depends on CPython internals (``re._parser``):
anything it does not know (a back-reference, verbose mode, a conditional) raises
``Unsupported`` and the pattern simply runs without a prefilter, so a reader mistake can cost
speed but never a match.
"""

from __future__ import annotations

import re
from typing import Any

LITERAL, NOT_LITERAL, ANY, IN, RANGE, CATEGORY, NEGATE, AT = (
    "LITERAL",
    "NOT_LITERAL",
    "ANY",
    "IN",
    "RANGE",
    "CATEGORY",
    "NEGATE",
    "AT",
)
ASSERT, ASSERT_NOT, SUBPATTERN, BRANCH, ATOMIC_GROUP = (
    "ASSERT",
    "ASSERT_NOT",
    "SUBPATTERN",
    "BRANCH",
    "ATOMIC_GROUP",
)
MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT = "MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"
REPEATS = (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT)
MAXREPEAT = -1
"""The upper bound of an unbounded repeat (``*``, ``+``, ``{2,}``)."""

_CATEGORIES = {"d": "DIGIT", "D": "NOT_DIGIT", "w": "WORD", "W": "NOT_WORD", "s": "SPACE", "S": "NOT_SPACE"}
_ANCHORS = {"b": "BOUNDARY", "B": "NON_BOUNDARY", "A": "BEGINNING_STRING", "Z": "END_STRING"}
_CONTROL = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
_FLAG_LETTERS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "a": re.ASCII, "u": re.UNICODE}
_QUANTIFIER = re.compile(r"\{(\d*)(,?)(\d*)\}")


class Unsupported(ValueError):
    """A construct ``parse_regex`` does not read (the caller then does without a prefilter)."""


def parse_regex(pattern: str, flags: int = 0) -> list[tuple[str, Any]]:
    """``pattern`` as nested (op, arg) items; raises ``Unsupported`` for what it does not read.

    ``flags`` only matters for verbose mode, which is not read. Scoped flags become
    ``(SUBPATTERN, (None, add_flags, del_flags, items))``."""
    if flags & re.VERBOSE:
        raise Unsupported("verbose")
    return _RegexReader(pattern).parse()


class _RegexReader:
    def __init__(self, src: str) -> None:
        self.src = src
        self.i = 0
        self.groups = 0

    def parse(self) -> list[tuple[str, Any]]:
        items = self.alternation()
        if self.i != len(self.src):
            raise Unsupported("unbalanced parenthesis")
        return items

    def peek(self, n: int = 1) -> str:
        return self.src[self.i : self.i + n]

    def alternation(self) -> list[tuple[str, Any]]:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.sequence())
        if len(branches) == 1:
            return branches[0]
        out: list[tuple[str, Any]] = []
        while all(branches) and all(b[0] == branches[0][0] for b in branches):
            out.append(branches[0][0])  # a common first item moves out of the alternation
            branches = [b[1:] for b in branches]
        members: list[tuple[str, Any]] = []
        for b in branches:
            if len(b) == 1 and b[0][0] == LITERAL:
                members.append(b[0])
            elif len(b) == 1 and b[0][0] == IN and b[0][1][0][0] != NEGATE:
                members.extend(b[0][1])
            else:
                out.append((BRANCH, (None, branches)))
                return out
        out.append((IN, list(dict.fromkeys(members))))
        return out

    def sequence(self) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        while self.i < len(self.src) and self.src[self.i] not in "|)":
            unit, inline = self.atom()
            rep = self.quantifier()
            if rep is None:
                if inline:
                    out.extend(unit)
                else:
                    out += unit
                continue
            if len(unit) == 1 and unit[0][0] in (AT, ASSERT, ASSERT_NOT):
                raise Unsupported("repeated assertion")
            if not unit:
                raise Unsupported("nothing to repeat")
            out.append((rep[0], (rep[1], rep[2], unit)))
        return out

    def quantifier(self) -> tuple[str, int, int] | None:
        ch = self.peek()
        if ch == "*":
            lo, hi = 0, MAXREPEAT
            self.i += 1
        elif ch == "+":
            lo, hi = 1, MAXREPEAT
            self.i += 1
        elif ch == "?":
            lo, hi = 0, 1
            self.i += 1
        elif ch == "{":
            m = _QUANTIFIER.match(self.src, self.i)
            if m is None or not (m.group(1) or m.group(3)):
                raise Unsupported("brace that is not a plain {m,n}")
            lo = int(m.group(1) or 0)
            hi = int(m.group(3)) if m.group(3) else (MAXREPEAT if m.group(2) else lo)
            if hi != MAXREPEAT and hi < lo:
                raise Unsupported("bad repeat")
            self.i = m.end()
        else:
            return None
        kind = MAX_REPEAT
        if self.peek() == "?":
            kind = MIN_REPEAT
            self.i += 1
        elif self.peek() == "+":
            kind = POSSESSIVE_REPEAT
            self.i += 1
        if self.peek() in ("*", "+", "?", "{"):
            raise Unsupported("multiple repeat")
        return kind, lo, hi

    def atom(self) -> tuple[list[tuple[str, Any]], bool]:
        """(items, inline): one unit to repeat or to append."""
        ch = self.src[self.i]
        if ch == "(":
            return self.group(), False
        if ch == "[":
            return [self.char_class()], False
        if ch in "*+?{":
            raise Unsupported("nothing to repeat")
        self.i += 1
        if ch == ".":
            return [(ANY, None)], False
        if ch == "^":
            return [(AT, "BEGINNING")], False
        if ch == "$":
            return [(AT, "END")], False
        if ch == "\\":
            return [self.escape(in_class=False)], False
        return [(LITERAL, ord(ch))], False

    def group(self) -> list[tuple[str, Any]]:
        src = self.src
        self.i += 1
        if src.startswith("?", self.i):
            head = src[self.i : self.i + 3]
            if head.startswith("?:"):
                self.i += 2
                return self.close(self.alternation())
            for prefix, op, direction in (
                ("?=", ASSERT, 1),
                ("?!", ASSERT_NOT, 1),
                ("?<=", ASSERT, -1),
                ("?<!", ASSERT_NOT, -1),
            ):
                if src.startswith(prefix, self.i):
                    self.i += len(prefix)
                    return [(op, (direction, self.close(self.alternation())))]
            if head.startswith("?>"):
                self.i += 2
                return [(ATOMIC_GROUP, self.close(self.alternation()))]
            if src.startswith("?P<", self.i):
                end = src.find(">", self.i)
                if end < 0:
                    raise Unsupported("group name")
                self.i = end + 1
                return self.capture()
            m = re.compile(r"\?([aimsu]*)(?:-([ims]*))?([:)])").match(src, self.i)
            if m is None:
                raise Unsupported("group kind")
            add = sum(_FLAG_LETTERS[c] for c in m.group(1))
            remove = sum(_FLAG_LETTERS[c] for c in m.group(2) or "")
            self.i = m.end()
            if m.group(3) == ")":
                # A global flag: only at the very start (Python refuses it elsewhere); the caller
                # passes the compiled pattern's flags, which include it.
                if m.start() != 1 or remove or add & ~(re.IGNORECASE | re.UNICODE):
                    raise Unsupported("global flag")
                return []
            return [(SUBPATTERN, (None, add, remove, self.close(self.alternation())))]
        return self.capture()

    def capture(self) -> list[tuple[str, Any]]:
        self.groups += 1
        gid = self.groups
        return [(SUBPATTERN, (gid, 0, 0, self.close(self.alternation())))]

    def close(self, items: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        if self.peek() != ")":
            raise Unsupported("missing )")
        self.i += 1
        return items

    def escape(self, in_class: bool) -> tuple[str, Any]:
        """The item after a backslash (``self.i`` is past the backslash)."""
        src = self.src
        if self.i >= len(src):
            raise Unsupported("trailing backslash")
        ch = src[self.i]
        self.i += 1
        if ch in _CATEGORIES:
            cat = (CATEGORY, _CATEGORIES[ch])
            return cat if in_class else (IN, [cat])
        if ch == "b" and in_class:
            return LITERAL, 8
        if ch in _ANCHORS:
            if in_class:
                raise Unsupported("anchor in a class")
            return AT, _ANCHORS[ch]
        if ch in _CONTROL:
            return LITERAL, _CONTROL[ch]
        width = {"x": 2, "u": 4, "U": 8}.get(ch)
        if width:
            digits = src[self.i : self.i + width]
            if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise Unsupported("bad hex escape")
            self.i += width
            return LITERAL, int(digits, 16)
        if ch == "0":
            digits = ch
            while len(digits) < 3 and self.peek() and self.peek() in "01234567":
                digits += self.src[self.i]
                self.i += 1
            return LITERAL, int(digits, 8)
        if ch.isascii() and ch.isalnum():
            raise Unsupported(f"escape \\{ch}")  # back-references, \N{...}, unknown letters
        return LITERAL, ord(ch)

    def char_class(self) -> tuple[str, Any]:
        src = self.src
        self.i += 1
        negate = self.peek() == "^"
        if negate:
            self.i += 1
        members: list[tuple[str, Any]] = []
        first = True
        while True:
            if self.i >= len(src):
                raise Unsupported("unterminated class")
            ch = src[self.i]
            if ch == "]" and not first:
                self.i += 1
                break
            first = False
            lo = self.class_item()
            if self.peek() == "-" and self.peek(2) not in ("-]", "-"):
                self.i += 1
                hi = self.class_item()
                if lo[0] != LITERAL or hi[0] != LITERAL or hi[1] < lo[1]:
                    raise Unsupported("bad range")
                members.append((RANGE, (lo[1], hi[1])))
            else:
                members.append(lo)
        members = list(dict.fromkeys(members))
        if len(members) == 1 and members[0][0] == LITERAL:
            return (NOT_LITERAL if negate else LITERAL), members[0][1]
        return IN, ([(NEGATE, None)] if negate else []) + members

    def class_item(self) -> tuple[str, Any]:
        ch = self.src[self.i]
        self.i += 1
        if ch == "\\":
            return self.escape(in_class=True)
        return LITERAL, ord(ch)

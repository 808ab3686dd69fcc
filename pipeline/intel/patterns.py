"""Regular expressions of the rules: validated patterns (``Regex``), alias patterns and alternations.

Every regular expression in the rules is compiled while validating: a typo in a pattern, or one
that could backtrack for minutes on a crafted text, is reported at load time as
``rules.yaml:LINE: field: bad regular expression`` instead of failing in the middle of a run.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import PlainValidator

from core.redos import checked_pattern

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _compile(value: Any) -> re.Pattern[str]:
    """Compile a case-insensitive pattern; a bad one, or one that could backtrack for minutes on
    a crafted text (``core.redos``), becomes a validation error with the reason."""
    if isinstance(value, re.Pattern):
        return value
    return checked_pattern(value)


Regex = Annotated[re.Pattern[str], PlainValidator(_compile)]


def _is_acronym(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha() and c.isascii()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def alias_regex(alias: str) -> str:
    """Regex source for a literal alias (to be compiled case-insensitively).

    Acronyms ("US", "EU", "UN") match case-sensitively so the pronoun "us" is not the United
    States; other aliases ignore case. Word boundaries are added only on Latin edges, because
    Japanese and Korean write words without spaces ("日EU", "한국은").
    """
    body = re.escape(alias).replace(r"\ ", r"\s+")
    if not CJK.search(alias[:1]):
        body = r"(?<![A-Za-z0-9])" + body
    if not CJK.search(alias[-1:]):
        body = body + r"(?![A-Za-z0-9])"
    return f"(?-i:{body})" if _is_acronym(alias) else body


_LB = r"(?<![A-Za-z0-9])"


def combine(aliases: list[str], patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One compiled, case-insensitive alternation for literal aliases and regexes (None when empty).

    Alternatives that start with a word boundary are factored as ``\b(?:a|b|c)``: Python's
    engine then tests the boundary once per position instead of once per alternative, which
    makes a 40-way alternation about five times faster.
    """
    bounded, guarded, other = [], [], []
    for src in [alias_regex(a) for a in aliases if a] + [p.pattern for p in patterns]:
        if src.startswith(r"\b") and "|" not in _top_level(src):
            bounded.append(src[2:])
        elif src.startswith(_LB):
            guarded.append(src[len(_LB) :])
        elif src.startswith("(?-i:" + _LB):
            guarded.append("(?-i:" + src[len("(?-i:" + _LB) :])
        else:
            other.append(src)
    parts = []
    if bounded:
        parts.append(r"\b(?:" + "|".join(bounded) + ")")
    if guarded:
        parts.append(_LB + "(?:" + "|".join(guarded) + ")")
    parts += [f"(?:{o})" for o in other]
    if not parts:
        return None
    return re.compile("|".join(parts), re.IGNORECASE)


def _top_level(src: str) -> str:
    """The pattern with bracketed groups removed, to see whether it has a top-level '|'."""
    depth, out, esc = 0, [], False
    for ch in src:
        if esc:
            esc = False
            continue
        if ch == "\\":
            esc = True
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)

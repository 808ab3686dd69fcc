"""Patterns that backtrack catastrophically are refused by a static check (no timing)."""

from __future__ import annotations

import re

import pytest

from core.redos import catastrophic, checked_pattern


@pytest.mark.parametrize(
    "pattern",
    [
        "(a+)+$",
        "(a*)*$",
        "(a+)+?$",
        r"(\w+\s?)+$",
        r"(\d{1,3},?)+$",
        r"(?:\s*\w+)*x",
        "((a+)b?)+",
        "(a+ba+)+",
        "(?:(?:a+){1,3})+",
        r"(.*a){20}",
        "(?:[a-z]+[A-Z]+)+$",  # one letter class once case is ignored
        "(a|aa)+$",  # alternatives of different lengths share out "aaaa" in many ways
        "(?:x|xx|xxx)+y",
        r"(?:\w+|\d)+$",
    ],
)
def test_nested_flexible_repeats_are_catastrophic(pattern: str) -> None:
    assert catastrophic(pattern, re.IGNORECASE)


@pytest.mark.parametrize(
    "pattern",
    [
        r"(\w+\s+)*x",  # the parts eat different characters: one way to split
        "(?:ab|a)+c",  # what ends one iteration ("b" or nothing after "a") cannot start the next
        "(?:foo|f)+x",
        "(?:ab|ac)+",
        r"(?:the|a)\s+\w+",
        "(a+b)+",
        r"(?:\w+\s+){0,5}x",  # bounded: a polynomial of small degree at worst
        "(?:a+)++",  # possessive: never gives back
        "(?>a+)+",  # atomic: never gives back
        "a+b+c+",
        r"(?:\d{2}-?)+",  # fixed-length repeat inside
        r"\b(?:summit|meeting)s?\b",
        r"(?-i:\b(?:[A-Z][A-Za-z0-9&-]*\s+){1,6}Act\b)",
    ],
)
def test_safe_patterns_pass(pattern: str) -> None:
    assert not catastrophic(pattern, re.IGNORECASE)


@pytest.mark.parametrize("pattern", [r"(a)\1+", r"(?x) a + b", r"(a)?(?(1)b|c)", r"a{x}"])
def test_a_pattern_the_check_cannot_read_is_refused(pattern: str) -> None:
    """The check reads patterns with our own parser (not ``re._parser``); what it does not read,
    it cannot vouch for, so the configured pattern is refused with the reason."""
    re.compile(pattern)  # valid for Python's engine
    with pytest.raises(ValueError, match="cannot be checked for catastrophic backtracking"):
        checked_pattern(pattern)

"""Sentence splitting for scraped news text, good enough for rule-based evidence.

Rules quote "the sentence that triggered" a label, so sentences must be short and must not
glue a heading onto the next paragraph: every non-empty line is a unit of its own, then
lines are split at sentence punctuation (Latin, Japanese and Korean), guarding common
abbreviations ("U.S.", "Dr.", "Oct.") so a date or a title does not end a sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache

_ABBREV = re.compile(
    r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|Prof|St|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
    r"|Gov|Sen|Rep|Inc|Corp|Co|Ltd|vs|etc|e\.g|i\.e|approx|Dept|Min|Jr|Sr)\.)$"
)
# A candidate break: ., ! or ? (optionally followed by closing quotes/brackets) then whitespace,
# or a CJK full stop (which needs no whitespace after it).
_BREAK = re.compile(
    r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af])|[。！？]\s*"
)


_DAY_DOT = re.compile(r"(?<![\d.])[0-3]?\d\.$")
"""A day written as an ordinal ("am 10. März", "dne 5. května", "10. marca"): not a sentence's end."""


@lru_cache(maxsize=1)
def _month_after_day() -> re.Pattern[str]:
    """Month names of the languages that write a day as an ordinal number (Babel's CLDR data),
    wide and abbreviated, in any case: what follows "10." when it is a date, not a new sentence."""
    from babel.dates import get_month_names

    names: set[str] = set()
    for locale in _DAY_DOT_LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                names.update(n.rstrip(".") for n in get_month_names(width, context, locale).values())
    alternation = "|".join(sorted((re.escape(n) for n in names if len(n) >= 3), key=len, reverse=True))
    return re.compile(rf"(?:{alternation})\b", re.IGNORECASE)


_DAY_DOT_LOCALES = (
    "de",
    "da",
    "nb",
    "sv",
    "fi",
    "cs",
    "sk",
    "pl",
    "sl",
    "hr",
    "sr_Latn",
    "hu",
    "et",
    "lv",
    "lt",
)


def split_sentences(text: str) -> list[str]:
    """Split text into trimmed sentences; lines (headings, captions, table rows) stay separate."""
    out: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        start = 0
        for m in _BREAK.finditer(line):
            head = line[start : m.start() + 1]
            if _ABBREV.search(head):
                continue
            if _DAY_DOT.search(head) and _month_after_day().match(line, m.end()):
                continue
            piece = line[start : m.end()].strip()
            if piece:
                out.append(piece)
            start = m.end()
        tail = line[start:].strip()
        if tail:
            out.append(tail)
    return out

"""A law's milestones as headlines and clauses word them: passed (voted, signed...) or in force.

One vocabulary for the two decisions that depend on it: where a law's event happened (a vote
has a venue, entry into force has none: ``pipeline.intel.places``) and which of the dates
around it is the event's (a law passed "to take effect on 22 January" was passed on another
day: ``pipeline.intel.clause_dates`` and ``pipeline.intel.dates``).
"""

from __future__ import annotations

import re
from functools import lru_cache

VOTED = re.compile(
    r"\b(?:pass(?:es|ed)?|approv(?:es|ed)|adopt(?:s|ed)|vot(?:es|ed)|enact(?:s|ed)|signs?|signed|veto(?:es|ed)?"
    r"|aprova|approva|adopta|verabschiede|finali[sz](?:es|ed)|promulgat(?:es|ed)|issu(?:es|ed))"
    r"|통과|의결|가결|서명|공포|可決|成立|議決|署名|制定|公布|最終決定|通過|採択|通过",
    re.IGNORECASE,
)
"""A law's milestone with a venue and a day of its own (its legislature's vote, a signature)."""

IN_FORCE = re.compile(
    r"\b(?:enters?\s+into\s+force|in\s+force|takes?\s+effect|comes?\s+into\s+(?:force|effect)|appl(?:y|ies)\s+from"
    r"|tritt\s+in\s+Kraft|entre\s+en\s+vigueur|entra\s+em\s+vigor|entra\s+in\s+vigore)|施行|発効|시행|발효|生效",
    re.IGNORECASE,
)
"""A headline about a law taking effect."""

IN_FORCE_NEAR = re.compile(
    r"施行|시행|適用|적용|発効|발효|生效|\btak(?:es?|ing)\s+effect|\bin(?:to)?\s+(?:force|effect)|\bappl(?:y|ies)\b"
    r"|\beffective\b|\bin\s+Kraft\b|\bvigueur\b|\bvigor(?:e)?\b"
    r"|\bstart\s+date\b|\bimplementation\b|\bgo(?:es)?\s+into\s+effect\b",
    re.IGNORECASE,
)
"""Words beside a date that make it the day a law takes effect ("8月15日から適用", "내달 22일 시행")."""

IN_FORCE_WINDOW = 25
"""Characters either side of a date searched for ``IN_FORCE_NEAR``."""


DELAYED = re.compile(
    r"\b(?:delay(?:s|ed)?|postpon(?:es|ed)|push(?:es|ed)?\s+back|defer(?:s|red)?)\b|연기|유예|延期|\bverschieb\w*",
    re.IGNORECASE,
)
"""A headline about a law's date pushed back: the new date is the law's, not the delay's."""


# Classify asks both of one headline up to three times (extraction, the date, the place); cached
# for the last few headlines.
@lru_cache(maxsize=8)
def reports_delay(title: str) -> bool:
    """Does the headline report a law's milestone delayed ("legislature delays AI law")?"""
    return bool(DELAYED.search(title))


@lru_cache(maxsize=8)
def reports_passage(title: str) -> bool:
    """Does the headline report a law passed, approved, adopted, signed, vetoed or finalised?"""
    return bool(VOTED.search(title))


def skips_in_force_date(title: str) -> bool:
    """Is the law's news another milestone than its taking effect (passed, signed, delayed...)?
    Then the day it takes effect is not the event's date: the one rule for the mention's clause
    (``pipeline.intel.mentions``) and the headline and lead (``pipeline.classify``)."""
    return reports_passage(title) or reports_delay(title)


_STOP = re.compile(r"[.;!?。．！？…]\s")


def in_force_date(text: str, start: int) -> bool:
    """Is the date at ``start`` the day a law takes effect (a later milestone than its passage)?
    Read in its own sentence: "passed on Tuesday. It takes effect in 2027" dates the passage."""
    lo, hi = max(0, start - IN_FORCE_WINDOW), start + IN_FORCE_WINDOW
    before = [m.end() for m in _STOP.finditer(text, lo, start)]
    after = _STOP.search(text, start, hi)
    return bool(IN_FORCE_NEAR.search(text, before[-1] if before else lo, after.start() if after else hi))


_MOVED_FROM_OR_TO = re.compile(
    r"\b(?:from|to|until|till|into|through|bis|jusqu.au|hasta|até|fino\s+al)\s+(?:the\s+)?$", re.IGNORECASE
)
_MOVED_TO_AFTER = re.compile(r"\s*(?:까지|まで|へ|로\s*연기|으로\s*연기)")
MOVED_WINDOW = 20


def moved_date(text: str, start: int, end: int) -> bool:
    """Is the date at ``start:end`` one a delay moves a law's milestone from or to ("moving the
    start date from Feb. 1, 2026, to June 30, 2026", "6월 30일까지 연기")? Those are the law's
    dates; the delay's own is the day it was decided."""
    before = text[max(0, start - MOVED_WINDOW) : start]
    return bool(_MOVED_FROM_OR_TO.search(before) or _MOVED_TO_AFTER.match(text, end))

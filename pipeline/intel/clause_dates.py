"""The date of an event mention, read from its clause (resolved against the published date).

``pipeline.intel.dates`` decides the primary event's date from the headline and lead; this
module reads each candidate mention's own clause ("scheduled for 2025").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from pipeline.intel.milestones import in_force_date, moved_date
from pipeline.intel.sieve import GuidedRx, SieveSet

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
MONTH_RX = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)


_D = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"
_D2 = r"(?:\s*(?:-|–|to|and|&)\s*\d{1,2}(?:st|nd|rd|th)?)?"
_MON = r"(?P<mon>" + MONTH_RX + r")"
_Y = r"(?P<y>(?:19|20)\d{2})"
_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ymd", re.compile(r"\b" + _Y + r"-(?P<m>\d{2})-(?P<d>\d{2})\b")),
    ("ymd", re.compile(_Y + r"\s*[年년]\s*(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일]")),
    ("ym", re.compile(_Y + r"\s*[年년]\s*(?P<m>\d{1,2})\s*[月월]")),
    ("md", re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일]")),
    ("dmy", re.compile(r"\b" + _D + _D2 + r"\s+(?:of\s+)?" + _MON + r",?\s+" + _Y + r"\b", re.IGNORECASE)),
    ("mdy", re.compile(r"\b" + _MON + r"\s+" + _D + _D2 + r",?\s+" + _Y + r"\b", re.IGNORECASE)),
    ("my", re.compile(r"\b" + _MON + r"\s+(?:of\s+)?" + _Y + r"\b", re.IGNORECASE)),
    (
        "md",
        re.compile(r"\b" + _MON + r"\s+" + _D + _D2 + r"\b(?!\s*(?:%|per|million|billion))", re.IGNORECASE),
    ),
    ("dm", re.compile(r"\b" + _D + _D2 + r"\s+(?:of\s+)?" + _MON + r"\b", re.IGNORECASE)),
    (
        "rel",
        re.compile(
            r"\b(?P<rel>(?:last|next|this|earlier\s+this|later\s+this|early\s+next|late\s+last)\s+"
            r"(?:week|month|year)|yesterday|today|tomorrow)\b",
            re.IGNORECASE,
        ),
    ),
    (
        # Wire style: "said on Wednesday", "met Monday" -> the weekday nearest the published date.
        "wd",
        re.compile(
            r"\b(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b(?!,?\s*\d|\s+\w+\s+\d)"
        ),
    ),
    (
        "m",
        re.compile(
            r"\b(?:in|by|until|from|since|early|late|mid|mid-|this|next|last|on)\s*(?P<mon>January|February|March|"
            r"April|May|June|July|August|September|October|November|December)\b(?!\s+\d)",
            re.IGNORECASE,
        ),
    ),
    (
        "y",
        re.compile(
            r"(?<![\w.-])"
            + _Y
            + r"(?:\s*[-–/]\s*(?:19|20)?\d{2})?(?![\w.-]|\s*(?:%|per\s*cent|people|participants))"
        ),
    ),
    ("y", re.compile(_Y + r"\s*[年년]")),
]


_DIGIT = re.compile(r"\d")
_WORDS_ONLY = ("rel", "wd", "m")


@lru_cache(maxsize=1)
def _guided() -> tuple[list[tuple[str, GuidedRx]], SieveSet]:
    """The forms searched with RE2 proposing where (``GuidedRx``, the same matches: every
    mention's clause is read), and which of them may occur in a clause (one RE2 pass instead of
    one search per form). Built on first use, not at import."""
    return [(k, GuidedRx(rx)) for k, rx in _DATE_PATTERNS], SieveSet([rx for _k, rx in _DATE_PATTERNS])


@dataclass(frozen=True, slots=True)
class FoundDate:
    start: int
    iso: str
    """"YYYY", "YYYY-MM", "YYYY-MM-DD", or "--MM-DD" when no year is known."""
    end: int = -1


def _month(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def _resolve(kind: str, m: re.Match[str], published: date | None, status: str | None) -> str | None:
    """Turn one match into an ISO string; relative/yearless dates need the published date."""
    g = m.groupdict()
    y = int(g["y"]) if g.get("y") else None
    if kind in ("ymd", "dmy", "mdy"):
        mon = int(g["m"]) if g.get("m") else _month(g["mon"])
        return f"{y:04d}-{mon:02d}-{int(g['d']):02d}"
    if kind in ("ym", "my"):
        mon = int(g["m"]) if g.get("m") else _month(g["mon"])
        return f"{y:04d}-{mon:02d}"
    if kind == "y":
        return f"{y:04d}"
    if kind in ("md", "dm", "m"):
        mon = int(g["m"]) if g.get("m") else _month(g["mon"])
        day = int(g["d"]) if g.get("d") else None
        if published is None:
            return f"--{mon:02d}-{day:02d}" if day else None
        year = published.year
        # A yearless month points to the nearest matching occurrence in the direction of the status.
        if status == "upcoming" and mon < published.month - 1:
            year += 1
        elif status == "held" and mon > published.month + 1:
            year -= 1
        return f"{year:04d}-{mon:02d}-{day:02d}" if day else f"{year:04d}-{mon:02d}"
    if kind == "wd" and published is not None:
        delta = (_WEEKDAYS[g["wd"].lower()] - published.weekday()) % 7
        if status == "upcoming":
            return (published + timedelta(days=delta)).isoformat()
        return (published - timedelta(days=(7 - delta) % 7)).isoformat()
    if kind == "rel" and published is not None:
        rel = " ".join(g["rel"].lower().split())
        if rel == "yesterday":
            return (published - timedelta(days=1)).isoformat()
        if rel == "today":
            return published.isoformat()
        if rel == "tomorrow":
            return (published + timedelta(days=1)).isoformat()
        unit = rel.split()[-1]
        step = (
            -1
            if rel.startswith(("last", "late last"))
            else 1
            if rel.startswith(("next", "early next"))
            else 0
        )
        if unit == "week":
            return (published + timedelta(days=7 * step)).isoformat()
        if unit == "month":
            mon = published.month + step
            year = published.year + (mon - 1) // 12
            mon = (mon - 1) % 12 + 1
            return f"{year:04d}-{mon:02d}"
        return f"{published.year + step:04d}"
    return None


def find_dates(text: str, published: date | None = None, status: str | None = None) -> list[FoundDate]:
    """All dates in ``text``, most specific pattern first, non-overlapping, left to right."""
    taken: list[tuple[int, int]] = []
    out: list[FoundDate] = []
    # Every pattern but the relative/weekday/month-name ones needs a digit, and one RE2 rules out
    # cannot match: skipping them cannot change what the others find (they only skip spans an
    # earlier pattern took).
    digit = _DIGIT.search(text) is not None
    guided, sieve = _guided()
    may = sieve.may(text)
    for k, (kind, rx) in enumerate(guided):
        if (not digit and kind not in _WORDS_ONLY) or (may is not None and k not in may):
            continue
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            try:
                iso = _resolve(kind, m, published, status)
            except (KeyError, ValueError):
                iso = None
            if iso:
                taken.append((m.start(), m.end()))
                out.append(FoundDate(m.start(), iso, m.end()))
    return sorted(out, key=lambda d: d.start)


_ORIGIN = re.compile(
    r"\b(?:launched|established|founded|created|set\s+up|inaugurated|began|started|introduced|in\s+place\s+since)"
    r"\s+(?:(?:in|on|back\s+in)\s+)?$",
    re.IGNORECASE,
)


def pick_date(
    text: str,
    anchor: int,
    published: date | None,
    status: str | None,
    skip_in_force: bool = False,
    delayed: bool = False,
) -> str | None:
    """The date nearest the event mention, preferring one after it ("scheduled for 2025").

    A date that dates an origin ("a framework launched in 2022") is not the meeting's date. With
    ``skip_in_force`` (a law whose news is its passage, approval or signature), neither is the day
    it will take effect: "passed ... enforced from 22 January" was given 22 January. With
    ``delayed`` (a law's milestone delayed), neither are the dates it is moved from or to.
    """
    dates = [
        d
        for d in find_dates(text, published, status)
        if not _ORIGIN.search(text[max(0, d.start - 30) : d.start])
        and not _another_milestone(text, d, skip_in_force, delayed)
    ]
    if not dates and _DIGIT.search(text):
        dates = [
            d
            for d in _other_languages(text, published, status)
            if not _another_milestone(text, d, skip_in_force, delayed)
        ]
    if not dates:
        return None
    return min(
        dates, key=lambda d: (d.start - anchor) if d.start >= anchor else (anchor - d.start) * 2 + 20
    ).iso


_WORDED = re.compile(r"[^\W\d_]")
_CALENDAR_KINDS = frozenset({"ymd", "ym", "dmy", "mdy", "my", "md", "dm", "d", "era"})


def _another_milestone(text: str, d: FoundDate, skip_in_force: bool, delayed: bool) -> bool:
    """Is ``d`` a law's other date: the day a passed law takes effect (``skip_in_force``), or the
    dates a delay moves it from and to (``delayed``)?"""
    return (skip_in_force and in_force_date(text, d.start)) or (delayed and moved_date(text, d.start, d.end))


def _other_languages(text: str, published: date | None, status: str | None) -> list[FoundDate]:
    """A mention's date as other languages write it ("les 10 et 11 mars", "am 10. März", "il 10 e
    11 marzo"), read by the primary date's multilingual forms (Babel's month names) when the
    English forms find none: a summit or council in a French, German or Italian report is then as
    specific as one in English; Japanese and Korean days (14日, 27일) too. Calendar dates only:
    weekdays and relative words stay English."""
    from pipeline.intel.dates import find_dates as multilingual_dates

    return [
        FoundDate(d.start, d.iso, d.end)
        for d in multilingual_dates(text, published, upcoming=status == "upcoming")
        if d.kind in _CALENDAR_KINDS
        and _WORDED.search(text, d.start, d.end)  # "2024.05.28" alone is a page's stamp more often than not
    ]

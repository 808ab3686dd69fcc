"""Ordinals that qualify an event noun: "third meeting", "2nd DETA Summit", 第3回, 제3차."""

from __future__ import annotations

import re

from pipeline.intel.clause_dates import MONTH_RX

_ORD_WORDS = {
    "first": 1,
    "inaugural": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
}
_KANJI = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


_ORD = re.compile(
    r"(?<![\w-])(?:(?P<w>first|inaugural|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)"
    r"|(?P<n>\d{1,2})(?:st|nd|rd|th))(?:-ever)?(?!-)\b"
    r"|第\s*(?P<j>\d{1,2}|[一二三四五六七八九十]{1,3})\s*回"
    r"|제\s*(?P<k>\d{1,2})\s*(?:차|회)|(?<![\d\w])(?P<k2>\d{1,2})\s*차(?=\s)",
    re.IGNORECASE,
)
_ORD_NOUN = re.compile(
    r"meeting|session|edition|council|summit|round|ministerial|conference|forum|gathering|dialogue"
    r"|協議会|会合|会議|サミット|협의회|회의|정상회의",
    re.IGNORECASE,
)
_NOUN_THEN_BRACKET = re.compile(r"(?:" + _ORD_NOUN.pattern + r")\s*[(（]\s*$", re.IGNORECASE)
"""An ordinal in brackets after its noun: "閣僚級会合(第2回)", "협의회(제2차)", "Council (2nd)"."""
_ORD_BAD_AFTER = re.compile(
    r"^\s*(?:time|half|quarter|phase|step|day|week|anniversary|reading|place|priority|largest|biggest)",
    re.IGNORECASE,
)


def _ord_value(m: re.Match[str]) -> int | None:
    if m.group("w"):
        return _ORD_WORDS[m.group("w").lower()]
    if m.group("n"):
        return int(m.group("n"))
    if m.group("j"):
        j = m.group("j")
        if j.isdigit():
            return int(j)
        if j.startswith("十"):
            return 10 + _KANJI.get(j[1:], 0) if len(j) > 1 else 10
        return _KANJI.get(j[0], 0) * (10 if "十" in j else 1) + (
            _KANJI.get(j[-1], 0) if "十" in j and len(j) > 2 else 0
        )
    k = m.group("k") or m.group("k2")
    return int(k) if k else None


def find_ordinal(text: str, anchor: int = 0) -> tuple[int, int] | None:
    """(ordinal, position) of the ordinal qualifying an event noun ("third meeting", "2nd DETA Summit")."""
    best: tuple[int, int, int] | None = None
    for m in _ORD.finditer(text):
        if _ORD_BAD_AFTER.match(text[m.end() :]):
            continue
        if re.search(MONTH_RX + r"\s*$", text[max(0, m.start() - 12) : m.start()], re.IGNORECASE):
            continue  # "October 2nd" is a date
        if re.search(r"for\s+the\s*$", text[max(0, m.start() - 10) : m.start()], re.IGNORECASE) and re.match(
            r"\s*time", text[m.end() :]
        ):
            continue
        tail = text[m.end() : m.end() + 90]
        noun = _ORD_NOUN.search(tail)
        if (noun is None or re.search(r"[.;。]", tail[: noun.start()])) and not _NOUN_THEN_BRACKET.search(
            text[max(0, m.start() - 16) : m.start()]
        ):
            continue
        value = _ord_value(m)
        if not value:
            continue
        dist = abs(m.start() - anchor)
        if best is None or dist < best[0]:
            best = (dist, value, m.start())
    return (best[1], best[2]) if best else None

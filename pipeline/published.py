"""The one date parser for publication dates, on every path (spider, feed, API, import).

Every value becomes an aware datetime (or an ISO-8601 string with an offset); a date without a
zone is taken as UTC (WordPress ``date_gmt``, ``<time datetime="2026-10-03">``, an import line's
``"published": "2026-05-12"``), so the same page dated by two paths gets the same instant.
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime

from dateutil import parser as date_parser

_WS = re.compile(r"\s+")
_CJK_DATE = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
_JP_ERA = re.compile(r"(令和|平成)\s*(\d{1,2}|元)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DOTTED = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{2,4}\b")
_ERA_OFFSET = {"令和": 2018, "平成": 1988}
_SENTINEL = datetime(1900, 1, 1)


def _cjk_date(text: str) -> datetime | None:
    """``2026年5月12日``, ``2026년 5월 12일`` and Japanese era dates (``令和8年5月12日``, on .go.jp)."""
    try:
        if era := _JP_ERA.search(text):
            year = 1 if era[2] == "元" else int(era[2])
            return datetime(_ERA_OFFSET[era[1]] + year, int(era[3]), int(era[4]))
        if match := _CJK_DATE.search(text):
            return datetime(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return None


def _parse_text(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)  # the common case (APIs, exports, <time datetime>)
    except ValueError:
        pass
    cjk = _cjk_date(text)
    if cjk is not None:
        return cjk
    # Dotted dates (10.05.2026) are day-first wherever they are used; slashes stay US-style.
    dayfirst = bool(_DOTTED.match(text))
    try:
        dt = date_parser.parse(text, default=_SENTINEL, dayfirst=dayfirst)
    except (ValueError, OverflowError):
        if len(text) > 80:  # fuzzy parsing of a paragraph invents dates
            return None
        try:
            dt = date_parser.parse(text, default=_SENTINEL, dayfirst=dayfirst, fuzzy=True)
        except (ValueError, OverflowError):
            return None
    if dt.year == _SENTINEL.year:  # the parser invented the year: not a date we trust
        return None
    return dt


def parse_published(value: str | datetime | None) -> datetime | None:
    """A publication date as an aware datetime (no zone means UTC); None when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt: datetime | None = value
    else:
        dt = _parse_text(_WS.sub(" ", html_lib.unescape(str(value))).strip())
    if dt is None:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def to_iso(value: str | datetime | None) -> str | None:
    """Normalise a date string or datetime to ISO-8601 with an offset (naive → UTC); None if unreadable."""
    dt = parse_published(value)
    return dt.isoformat() if dt is not None else None

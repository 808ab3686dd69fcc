"""The date of an item's event: found in the headline and lead, resolved against the published date.

A wrong date is worse than none: a subscriber who reads "held on 14 March" plans around it. So a
date is given only when the text states one (absolute, or relative to a known published date:
"today", "on Tuesday", "14일", "14日"), and a day-only or yearless date without a published date
stays unknown. An event reported as news with no date stated gets the report's month, not a day
(``report_month``).

Month and weekday names come from the CLDR data that Babel ships (en, de, fr, es, pt, it, nl), so a
German "14. März 2024" or a Portuguese "14 de março de 2024" reads like an English date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache

from babel.dates import get_day_names, get_month_names

from pipeline.intel.milestones import in_force_date, moved_date
from pipeline.intel.sieve import GuidedRx, SieveSet
from pipeline.text import fold

LOCALES = ("en", "de", "fr", "es", "pt", "it", "nl")
LEAD_SENTENCES = 3
"""A feed item carries 1-3 sentences; a page's event date is stated in its first few."""


@lru_cache(maxsize=1)
def month_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for loc in LOCALES:
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=loc).items():
                for key in {fold(name).rstrip("."), name.casefold().rstrip(".")}:
                    if len(key) >= 3:
                        names.setdefault(key, number)
    names["sept"] = 9
    return names


@lru_cache(maxsize=1)
def weekday_names() -> dict[str, int]:
    """Monday = 0, as ``date.weekday()``."""
    names: dict[str, int] = {}
    for loc in LOCALES:
        for number, name in get_day_names("wide", locale=loc).items():
            names.setdefault(fold(name), number)
            names.setdefault(name.casefold(), number)
    for i, ko in enumerate(("월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일")):
        names[ko] = i
    for i, ja in enumerate(("月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日")):
        names[ja] = i
    return names


def _alternation(words: dict[str, int]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_RELATIVE_DAYS = {
    # today / yesterday / tomorrow in the corpus's languages (folded)
    "today": 0, "yesterday": -1, "tomorrow": 1,
    "heute": 0, "gestern": -1,
    "aujourd'hui": 0, "aujourd’hui": 0, "demain": 1,
    "hoy": 0, "ayer": -1, "manana": 1,
    "hoje": 0, "ontem": -1, "amanha": 1,
    "oggi": 0, "ieri": -1, "domani": 1,
    "vandaag": 0, "gisteren": -1,
    # and beyond them (Polish, Serbian and Croatian, Catalan, Albanian, Turkish, Russian)
    "dzis": 0, "dziś": 0, "dzisiaj": 0, "wczoraj": -1, "jutro": 1,
    "danas": 0, "juce": -1, "juče": -1, "jucer": -1, "jučer": -1, "sutra": 1,
    "avui": 0, "ahir": -1,
    "bugun": 0, "bugün": 0, "dun": -1, "dün": -1, "yarin": 1, "yarın": 1,
    "сегодня": 0, "вчера": -1, "завтра": 1,
    "오늘": 0, "어제": -1, "내일": 1,
    "今日": 0, "本日": 0, "昨日": -1, "明日": 1,
    "今天": 0, "昨天": -1, "明天": 1,
}  # fmt: skip


_RELATIVE_YEARS = {
    "내년": 1, "来年": 1, "明年": 1,
    "올해": 0, "今年": 0, "금년": 0,
    "작년": -1, "지난해": -1, "昨年": -1, "去年": -1,
}  # fmt: skip
"""Year words before a Korean, Japanese or Chinese month and day ("내년 1월 22일": 22 January next year)."""


@dataclass(frozen=True, slots=True)
class FoundDate:
    start: int
    end: int
    iso: str
    """'YYYY-MM-DD' or 'YYYY-MM'."""
    stated: bool
    """True when the text gave the year (or an ISO/CJK full date), False when resolved from context."""
    kind: str = ""
    """Which form it was read from ('ymd', 'md', 'd', 'wd', 'rel', ...)."""
    past_verb: bool = False
    """A weekday beside the event's own past verb ("took effect on Thursday"): the past one."""


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    mon = "(?P<mon>" + _alternation(month_names()) + r")\.?"
    d = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th|er|º|°|\.)?"
    d_range = r"(?:\s*(?:-|–|—|~|to|and|&|et|y|e|und|al|bis)\s*[0-3]?\d(?:st|nd|rd|th|\.)?)?"
    y = r"(?P<y>(?:19|20)\d{2})"
    wd = "(?P<wd>" + _alternation(weekday_names()) + ")"
    rel = "(?P<rel>" + _alternation(_RELATIVE_DAYS) + ")"
    cjk_range = r"(?:\s*(?:[日일])?\s*[、,~∼〜～\-–]\s*[0-3]?\d)?"
    flags = re.IGNORECASE
    shift = r"(?P<shift>내달|다음\s*달|来月|지난달|先月)?\s*"
    era = r"(?P<era>令和|平成)\s*(?P<ey>元|\d{1,2})\s*年\s*"
    cjk_md = r"(?P<m>[01]?\d)\s*[月월]\s*(?P<d>[0-3]?\d)" + cjk_range + r"\s*[日일]"
    year_shift = r"(?:(?P<yshift>" + _alternation(_RELATIVE_YEARS) + r")\s*)?"
    of = r"\s+(?:of\s+|de\s+)?"
    en_month = "(?P<mon>" + "|".join(get_month_names("wide", locale="en").values()) + ")"
    not_amount = r"(?![\d%]|\s*(?:per|million|billion|percent))\b"
    return [
        ("ymd", re.compile(r"(?<!\d)" + y + r"-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?!\d)")),
        ("ymd", re.compile(era + cjk_md)),
        ("ymd", re.compile(y + r"\s*[年년.]\s*(?P<m>[01]?\d)\s*[月월.]\s*(?P<d>[0-3]?\d)\s*[日일]?(?!\d)")),
        ("ym", re.compile(y + r"\s*[年년]\s*(?P<m>[01]?\d)\s*[月월]")),
        ("md", re.compile(year_shift + r"(?<![\d.])" + cjk_md)),
        ("dmy", re.compile(r"\b" + d + d_range + of + mon + r",?\s+(?:de\s+)?" + y + r"\b", flags)),
        ("mdy", re.compile(r"\b" + mon + r"\s+" + d + d_range + r",?\s+" + y + r"\b", flags)),
        ("my", re.compile(r"\b" + mon + of + y + r"\b", flags)),
        ("md", re.compile(r"\b" + mon + r"\s+" + d + d_range + not_amount, flags)),
        ("dm", re.compile(r"\b" + d + d_range + of + mon + r"\b", flags)),
        ("mo", re.compile(shift + r"(?<![\d.])(?P<m>1[0-2]|0?[1-9])\s*[月월](?!\s*\d)")),
        # English month alone, capitalised ("this May", never the verb in "this may"):
        (
            "mo",
            re.compile(
                r"\b(?:[Ii]n|[Tt]his|[Nn]ext|[Ee]arly|[Ll]ate|[Mm]id-?)\s+" + en_month + r"(?![\s.]*\d)"
            ),
        ),
        (
            "d",
            re.compile(
                shift + r"(?<![\d月월.\-/,、])(?P<d>[0-3]?\d)" + cjk_range + r"\s*[日일](?![本간동째자間])"
            ),
        ),
        ("wd", re.compile(r"(?<!\w)" + wd + r"(?!,?\s*\d)", flags)),
        ("rel", re.compile(r"(?<!\w)" + rel + r"(?!\w)", flags)),
    ]


_DIGIT = re.compile(r"\d")
_WORDS_ONLY = frozenset({"wd", "rel", "mo"})
"""Kinds that can match without a digit (a weekday, "yesterday", "in May", "来月")."""


@lru_cache(maxsize=1)
def _month_name_rx() -> GuidedRx:
    """Any month's name, in any language the patterns read (a cheap gate before them)."""
    return GuidedRx(re.compile(_alternation(month_names()), re.IGNORECASE))


@lru_cache(maxsize=1)
def _gated_patterns() -> list[tuple[str, GuidedRx, bool]]:
    """The patterns, each with whether it needs a month's name to match. Each is searched with
    RE2 proposing where (``GuidedRx``): the same matches, without Python's engine trying a
    hundred-name case-insensitive alternation at every character."""
    return [(kind, GuidedRx(rx), "(?P<mon>" in rx.pattern) for kind, rx in _patterns()]


@lru_cache(maxsize=1)
def _patterns_sieve() -> SieveSet:
    """Which date forms may occur in a text: one RE2 pass instead of one search per form."""
    return SieveSet([rx for _kind, rx in _patterns()])


YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
"""A year, 1900-2099, not part of a longer number."""


def _month(name: str) -> int | None:
    return month_names().get(fold(name).rstrip(".")) or month_names().get(name.casefold().rstrip("."))


def _safe(y: int, m: int, d: int | None) -> str | None:
    try:
        return date(y, m, d).isoformat() if d else date(y, m, 1).isoformat()[:7]
    except ValueError:
        return None


def _resolve(
    kind: str, m: re.Match[str], text: str, published: date | None, upcoming: bool
) -> FoundDate | None:
    g = m.groupdict()
    month = int(g["m"]) if g.get("m") else _month(g["mon"]) if g.get("mon") else None
    day = int(g["d"]) if g.get("d") else None
    if kind in ("ymd", "dmy", "mdy", "ym", "my"):
        if g.get("era"):  # 令和6年 = 2024, 平成27年 = 2015
            n = 1 if g["ey"] == "元" else int(g["ey"])
            iso = _safe((2018 if g["era"] == "令和" else 1988) + n, month or 0, day)
            return FoundDate(m.start(), m.end(), iso, True) if iso else None
        iso = _safe(int(g["y"]), month or 0, day)
        return FoundDate(m.start(), m.end(), iso, True) if iso else None
    if kind in ("md", "dm", "mo"):
        if published is not None and g.get("yshift"):
            year = published.year + _RELATIVE_YEARS[g["yshift"]]
        elif published is not None:
            # The nearest such date to publication: "November" in an August report is this
            # November, "December" in a January report last December.
            year = published.year
            ahead = (month or 1) - published.month
            if ahead > 6:
                year -= 1
            elif ahead < -6:
                year += 1
        else:
            # No published date: a yearless date stays unknown. The year nearest it in the text is
            # mostly another event's ("after Bletchley Park (November 2023) and Seoul (May 2024),
            # ... on February 10-11 in Paris"): train +0.01 date precision without it.
            return None
        iso = _safe(year, month or 0, day if kind != "mo" else None)
        return FoundDate(m.start(), m.end(), iso, False) if iso else None
    if published is None:
        return None
    if kind == "d" and day:
        # "14일" / "14日" is a day of the published month unless the text says "내달" (next month)
        # or "지난달" (last month): Korean and Japanese news name another month's day with its month.
        shift = g.get("shift") or ""
        next_month = bool(shift) and shift[0] in "내다来"
        # "30日に開いた" in a report of 2 July is 30 June: a past event's day more than a week
        # after the report's own day is last month's (it was read as 30 July). Within a week it
        # stays this month's (an event ahead the status missed, a report's time zone): train date
        # precision 0.863 -> 0.869, recall 0.496 -> 0.500; with no slack, 0.844.
        last_month = bool(shift) and not next_month or not shift and day > published.day + 7 and not upcoming
        if next_month:
            ref = (published.replace(day=28) + timedelta(days=4)).replace(day=1)
        elif last_month:
            ref = published.replace(day=1) - timedelta(days=1)
        else:
            ref = published
        iso = _safe(ref.year, ref.month, day)
        return FoundDate(m.start(), m.end(), iso, False) if iso else None
    if kind == "wd":
        weekday = weekday_names()[fold(g["wd"])]
        delta = (weekday - published.weekday()) % 7
        near, wide = text[max(0, m.start() - 24) : m.end() + 16], text[max(0, m.start() - 40) : m.end() + 16]
        past_verb = bool(_PAST_AROUND.search(near))
        ahead = upcoming and not (past_verb or _SAID_AROUND.search(wide))
        when = published + timedelta(days=delta) if ahead else published - timedelta(days=(7 - delta) % 7)
        return FoundDate(m.start(), m.end(), when.isoformat(), False, past_verb=past_verb)
    if kind == "rel":
        word = g["rel"]
        shift = _RELATIVE_DAYS.get(fold(word), _RELATIVE_DAYS.get(word, 0))
        return FoundDate(m.start(), m.end(), (published + timedelta(days=shift)).isoformat(), False)
    return None


_PAST_AROUND = re.compile(
    r"\b(?:took|met|held|signed|agreed|adopted|launched|passed|approved|voted|vetoed|opened|closed"
    r"|concluded|ended|entered|came)\b",
    re.IGNORECASE,
)
"""A past-tense verb beside a weekday ("took effect on Thursday", "on Tuesday confirmed"): the
weekday is the past one, though the report also looks ahead ("the Act will protect ..."). Only
the event's own verbs: "said on Wednesday it will host" dates the saying, not the event."""


_SAID_AROUND = re.compile(r"\b(?:said|announced|confirmed|told|stated|reported)\b", re.IGNORECASE)
"""A report verb near a weekday ("said in a joint statement on Monday"): that Monday is past,
though what was said looks ahead; ``event_date`` decides whether it dates the event."""


def find_dates(text: str, published: date | None = None, upcoming: bool = False) -> list[FoundDate]:
    """Every date in ``text``, most specific pattern first, non-overlapping, left to right."""
    taken: list[tuple[int, int]] = []
    out: list[FoundDate] = []
    digit = _DIGIT.search(text) is not None
    month: bool | None = None
    may = _patterns_sieve().may(text)
    for k, (kind, rx, needs_month) in enumerate(_gated_patterns()):
        if may is not None and k not in may:
            continue  # a form RE2 rules out finds nothing
        # Every pattern but a bare month, weekday or relative word needs a digit, and the ones
        # with a month's name need that name: one scan for each instead of one per pattern.
        if kind not in _WORDS_ONLY and not digit:
            continue
        if needs_month:
            if month is None:
                month = _month_name_rx().search(text) is not None
            if not month:
                continue
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            found = _resolve(kind, m, text, published, upcoming)
            if found:
                taken.append((m.start(), m.end()))
                out.append(replace(found, kind=kind))
    return sorted(out, key=lambda f: f.start)


_NOT_THE_EVENT = re.compile(
    r"(?:\b(?:launched|established|founded|created|set\s+up|began|started|introduced|since|until|by|before"
    r"|after|deadline|due|expires?|last\s+modified)\s+(?:(?:in|on|back\s+in)\s+)?"
    r"|(?:published|updated|posted|입력|수정|등록|기사입력|公開日?|更新日?|掲載日?|配信日?)\s*[:：]?\s*(?:on\s+)?"
    r"|(?:이후|이래|까지))$",
    re.IGNORECASE,
)
"""Words before a date that make it another date than the event's: an origin, a deadline, a byline."""
_STAMP_AFTER = re.compile(
    r"^(?:日?[\s,.|-]{0,4}\d{1,2}(?::\d{2}|\s*時)|\s*\||,?\s*(?:19|20)\d{2}[A-Z]|[A-Z])"
)
"""A time, a bar or a word glued on right after the date: a publication stamp ("May 22, 2024 -
15:41", "2025年02月13日14:51", "2025年2月12日 17時40分", "Jun 2, 2024 | News", "Mar 25,
2024Global Alliance"), not an event."""
_DATELINE_DASH = re.compile(r"^\s+[–—-]\s")
"""A dash after a date that opens its sentence: a dateline ("February 12, 2025 – The European
Union's AI Act has entered..."), when the report was written, not the event."""
_SINCE_AFTER = re.compile(r"^[^。.!?、,]{0,3}(?:[、,][^。.!?、,]{0,8})?[)）]?\s*(?:以降|以来|이후|이래)")
""""Since" after a date, as Japanese and Korean write it ("第1回会合(2023年7月3日、東京)以降の進捗"):
the date of an earlier event, not this one's."""
_STAMP_BEFORE = re.compile(r"\|\s*$")
"""A bar right before the date: a byline's field ("By Jane Doe | 3 June 2024")."""
_DATELINE_PLACE = re.compile(r"\s*[A-Z][\w.' -]{1,30}(?:\s*\[[\w .-]+\])?,\s*")
"""A dateline's place before its date: "New Delhi [India], ", "Brussels, "."""
_DATELINE_END = re.compile(r"^\s*(?::|\(|[–—-]\s)")
"""What ends a dateline after its date: " :", " (Jiji Press) —", " — "."""
_REPORTED_AFTER = re.compile(r"^[\s,(현지시간)]{0,10}(?:밝혔|발표했|전했|明らかに|発表し|から|부터|以降)")
_REPORTED_BEFORE = re.compile(
    r"\b(?:said|announced|told|stated|confirmed|reported)\s+(?:on\s+)?$|(?:from|starting|effective)\s+(?:on\s+)?$",
    re.IGNORECASE,
)
"""When a thing was announced, or when something starts: the event's date only if nothing else is."""

_HELD_BEFORE = re.compile(
    r"\b(?:held|hold|take\s+place|takes\s+place|scheduled|convene[sd]?|meet|opens?)\s+(?:\w+\s+){0,2}(?:in|on|for)\s+$",
    re.IGNORECASE,
)
_HELD_AFTER = re.compile(r"^\s*(?:に|中に|)?\s*(?:開催|開か|開く|개최|열린|열릴|열리|열었|연다)")
"""A month the lead says the event is held in ("will be held in May 2024", "11월 개최")."""

UPCOMING = re.compile(
    r"\b(?:will|to\s+(?:host|hold|be\s+held|take\s+place|convene|meet)|scheduled|upcoming|plans?\s+to|intends?\s+to"
    r"|set\s+to|next\s+(?:week|month|year))\b|開催へ|予定|개최\s*예정|열\s*예정|앞두고|개최한다|연다\b",
    re.IGNORECASE,
)
"""An event the report announces ahead: a date resolved from publication is the announcement's."""

WEAK_FORMS = frozenset({"ym"})
"""Forms that date the event only when nothing else does: a Japanese or Korean headline's
"2026年1月" is mostly when a law applies, not when it passed (0 of 4 right on train and dev)."""
_RANGE_START = re.compile(r"^\s*(?:から|부터)\s*(?:\d{1,2}\s*[月월]\s*)?\d{1,2}\s*[日일]\s*(?:まで|까지)")
"""The first day of a span ("16日から20日まで", "16일부터 20일까지"): the event's start, not a
"since" or "from" said of something else."""

_LETTER = re.compile(r"[^\W\d_]")


def _byline(sentence: str, found: list[FoundDate]) -> bool:
    """A dateline or byline ("24 August 2023", "2024.05.22 14:41"): a date, barely a sentence."""
    rest = sentence
    for f in reversed(found):
        rest = rest[: f.start] + rest[f.end :]
    letters = _LETTER.findall(rest)
    return sum(3 if ord(c) > 0x2E80 else 1 for c in letters) < 12


def event_date(
    title: str,
    sentences: list[str],
    published: date | None,
    upcoming: bool = False,
    edition_year: bool = False,
    skip_in_force: bool = False,
    delayed: bool = False,
) -> str | None:
    """The event's date from the headline and lead, or None when the text does not state it.

    Candidates are read in the headline, then the lead. Origins, deadlines, bylines and
    publication stamps are dropped; an announcement date ("said on Monday", "27일 밝혔다") or a
    start date ("from 1 August") is kept only as a fallback. A full date beats a month. When the
    headline names one year ("AI Summit 2027"), a lead date of another year is another event's;
    with ``edition_year`` (a summit's edition) that year is the date when nothing finer is stated.
    With ``skip_in_force`` (a law whose headline reports its passage) the day it takes effect is
    another milestone, not the event's date; with ``delayed`` (a headline reporting a delay), so is
    the date it is delayed to."""
    # the lead's first sentences after any repetition of the headline (pages repeat it, twice at times)
    lead = [s for s in sentences if s.strip() and s.strip() != title.strip()][:LEAD_SENTENCES]
    upcoming = upcoming or bool(UPCOMING.search(title))
    title_years = set(YEAR.findall(title))
    first: list[tuple[FoundDate, bool]] = []
    fallback: list[tuple[FoundDate, bool]] = []
    for region in (title, *lead):
        found = find_dates(region, published, upcoming)
        if region is not title and _byline(region, found):
            continue
        for f in found:
            before = region[max(0, f.start - 30) : f.start]
            if _NOT_THE_EVENT.search(before):
                continue
            if skip_in_force and in_force_date(region, f.start):
                continue  # "passed ... to be enforced from 22 January": the passage is the news
            if delayed and moved_date(region, f.start, f.end):
                continue  # "moves the start date from February to June 30, 2026": the law's dates
            if len(title_years) == 1 and f.iso[:4] not in title_years:
                continue  # "Switzerland to host 2027 summit ... India hosts February 16-20, 2026"
            tail = region[f.end :]
            if _STAMP_AFTER.match(tail) or _STAMP_BEFORE.search(before) or _SINCE_AFTER.match(tail):
                continue
            if region is not title and not region[: f.start].strip() and _DATELINE_DASH.match(tail):
                continue
            if (
                upcoming
                and region is not title
                and _DATELINE_PLACE.fullmatch(region[: f.start])
                and _DATELINE_END.match(tail)
            ):
                continue  # "New Delhi [India], May 12 : ... to take place next week": filed, not held
            # a weekday or "today" on the publication day is when it was said; "On May 21-22 ... will
            # host", published on the 21st, is the event's own day
            said = (
                upcoming
                and not f.stated
                and published is not None
                and (
                    f.iso < published.isoformat()
                    or (f.iso == published.isoformat() and f.kind in ("wd", "rel"))
                )
            )
            if said and not f.past_verb:
                continue  # "said on Wednesday it will host": when it was said, not when it is held
            weak = (
                f.kind in WEAK_FORMS
                or _REPORTED_BEFORE.search(before)
                or (_REPORTED_AFTER.match(tail) and not _RANGE_START.match(tail))
            )
            said_held = region is title or bool(
                _HELD_BEFORE.search(before) or _HELD_AFTER.match(region[f.end : f.end + 16])
            )
            (fallback if weak else first).append((f, said_held))
        if first:
            break
    pool = first or fallback
    if not pool:
        return title_years.pop() if edition_year and len(title_years) == 1 else None
    best, said_held = next((pair for pair in pool if len(pair[0].iso) == 10), pool[0])
    if len(best.iso) < 10 and not said_held:
        # A lead's bare month or year is mostly another date (when a partnership was signed,
        # when a law applies): 4 of 5 were wrong on train and dev. The headline's, or one the
        # lead says the event is held in ("will be held in May 2024"), is the event's.
        return None
    return best.iso


REPORT_LAG_DAYS = 7
"""Days after an event its news reports come out, at most: a report published later in its month
than this reports an event of that month."""


def report_month(status: str | None, published: date | None) -> str | None:
    """The month of an event reported as news whose text states no date: the report's month.

    News of a meeting, a signing or a vote comes out within days of it ("signed a memorandum
    with Denmark", "the council met in Brussels", no date in the lead), so a report published
    after the first week of a month is news of an event of that month (train and dev: 40 of 45
    such undated events fell in the report's month). Only the month is known, so only the
    month is given, never a day: a wrong day is worse than none. Nothing is given for an
    upcoming or postponed event (its date is ahead) or for a report from the first week of a
    month (the event may be last month's)."""
    if published is None or status in ("upcoming", "postponed", "cancelled"):
        return None
    if published.day <= REPORT_LAG_DAYS:
        return None
    return published.isoformat()[:7]


NEWS_AFTER_DAYS = 30
"""Days after an event a report of it is still news of it (analysis and follow-ups come later)."""


def news_date(day: str, published: date | None, upcoming: bool = False) -> bool:
    """Whether a date said beside a series' name can be the reported event's: not one long before
    the report (the partnership's signing in 2022, last year's summit), and, with no published
    date to tell, a full date or one the sentence says is ahead ("the third meeting is scheduled
    for 2025"): a bare month or year beside a series is otherwise mostly its history.

    On train and dev, 8 of 19 such dates were wrong before this check; none of the 7 it keeps is."""
    if not day[:1].isdigit():
        return False
    if published is None:
        return len(day) == 10 or upcoming
    try:
        _first, last = day_span(day)
    except ValueError:
        return False
    return last >= published - timedelta(days=NEWS_AFTER_DAYS)


def day_span(day: str) -> tuple[date, date]:
    """First and last day of '2027', '2027-02' or '2027-02-16'."""
    if len(day) >= 10:
        one = date.fromisoformat(day[:10])
        return one, one
    year, month = int(day[:4]), int(day[5:7]) if len(day) >= 7 else 0
    if not month:
        return date(year, 1, 1), date(year, 12, 31)
    first = date(year, month, 1)
    return first, (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)

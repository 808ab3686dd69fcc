"""Event extraction: which meetings, summits, MoUs, laws and declarations an item reports.

Why it works this way:

* Mentions come from ``rules.yaml`` (named series first, generic triggers after); overlapping
  mentions keep the longest, so "Colorado AI Act" is not read as the EU AI Act.
* A mention becomes an event only with a concrete cue in its sentence (a meeting verb,
  "signed", "entered into force", or an ordinal/date/place): "a Digital Partnership Council
  will address these concerns" is talk about a council, not a meeting.
* "The summit", "the third meeting", "this declaration" refer back to a recent event of the
  same type (anaphora); a series named again without cues supports its event.
* Attributes (ordinal, date, place, status) are read from the clause around the mention, so
  "signed in May 2022 and the third meeting has been scheduled for 2025 in Tokyo" gives 2025.
* The event key is deterministic (type, slug of the canonical name, ordinal or year), so five
  write-ups of one meeting in two languages collapse into one event.
* Salience (``score``) is a sum of explainable weights from rules.yaml; the primary event type
  of an item is the best-scoring event, not a fixed priority of types.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pipeline.rules import FactorIndex, FastRx, Rules, Series
from pipeline.types import ExtractedEvent

# ----------------------------------------------------------------------------- gazetteers


def jurisdiction_spans(text: str, rules: Rules) -> list[tuple[int, int, str]]:
    """Every jurisdiction alias in ``text`` as (start, end, code), left to right."""
    return rules.fast.juris.find(text)


class Sentences:
    """An item's sentences with one lower-cased joined copy, so patterns skip sentences cheaply.

    Each pattern has required words (see rules.FastRx); a substring search over the joined
    lower-case text finds the few sentences that contain one, and only those reach the regex
    engine. This keeps a 5 KB article in a few milliseconds with a hundred patterns.
    """

    def __init__(self, sentences: list[str]) -> None:
        self.items = sentences
        self.text = "\n".join(sentences)
        self.lower = self.text.lower()
        self._plain_lower = len(self.lower) == len(self.text)
        if not self._plain_lower:  # a few Unicode letters change length when lowered
            self.lower = "\n".join(s.lower() if len(s.lower()) == len(s) else s for s in sentences)
        self.starts: list[int] = []
        pos = 0
        for sent in sentences:
            self.starts.append(pos)
            pos += len(sent) + 1
        self._lines: dict[int, list[int]] = {}
        self._index: FactorIndex | None = None
        self._inv: dict[int, list[int]] = {}

    def lines(self, rx: FastRx) -> list[int]:
        """Indexes of the sentences that contain one of ``rx``'s required factors (sorted)."""
        got = self._lines.get(id(rx))
        if got is not None:
            return got
        index = rx.index
        if index is None or rx.fids is None:
            got = rx.lines(self.items, self.lower, self.starts)
        else:
            if self._index is not index:
                self._build(index)
            inv = self._inv
            hits = [inv[f] for f in rx.fids if f in inv]
            if not hits:
                got = []
            elif len(hits) == 1:
                got = hits[0]
            else:
                got = sorted(set().union(*hits))
        if got and (rx.exact or rx.caseless):
            items, ok = self.items, rx.strong_ok
            got = [i for i in got if ok(items[i])]
        self._lines[id(rx)] = got
        return got

    def _build(self, index: FactorIndex) -> None:
        """Factor id -> sentences containing it, from each sentence's slice of the joined lower text."""
        inv: dict[int, list[int]] = {}
        low, starts = self.lower, self.starts
        for i, sent in enumerate(self.items):
            st = starts[i]
            for f in index.presence(low[st : st + len(sent)]):
                got = inv.get(f)
                if got is None:
                    inv[f] = [i]
                else:
                    got.append(i)
        self._inv = inv
        self._index = index
        if self._plain_lower:
            # The joined text's factors are the union of the sentences' (no factor spans the "\n"), so
            # the gazetteers' patterns over the whole text need no second scan.
            index.seed(self.text, set(inv))

    def matches(self, rx: FastRx) -> list[tuple[int, re.Match[str]]]:
        """(sentence index, match) for every match of ``rx``."""
        items, finditer = self.items, rx.rx.finditer
        return [(i, m) for i in self.lines(rx) for m in finditer(items[i])]

    def flags(self, rx: FastRx) -> list[bool]:
        """For each sentence: does ``rx`` match in it?"""
        hits = [False] * len(self.items)
        items, search = self.items, rx.rx.search
        for i in self.lines(rx):
            hits[i] = search(items[i]) is not None
        return hits

    def jurisdictions(self, rules: Rules) -> list[list[tuple[int, int, str]]]:
        """Jurisdiction spans per sentence (one gazetteer pass over the joined text)."""
        return self._spans(rules.fast.juris.find(self.text))

    def places(self, rules: Rules) -> list[list[tuple[int, int, str]]]:
        """Gazetteer place spans per sentence (one pass, instead of one per event clause)."""
        return self._spans(rules.fast.places.find(self.text))

    def _spans(self, found: list[tuple[int, int, str]]) -> list[list[tuple[int, int, str]]]:
        out: list[list[tuple[int, int, str]]] = [[] for _ in self.items]
        for start, end, value in found:
            i = bisect_right(self.starts, start) - 1
            if i >= 0 and end <= self.starts[i] + len(self.items[i]):
                out[i].append((start - self.starts[i], end - self.starts[i], value))
        return out


_PLACE_PREP = re.compile(
    r"(?:\b(?:in|at|to|held\s+in|hosted\s+in|hosted\s+by|venue|city\s+of|host\s+city)\s+(?:the\s+)?(?:city\s+of\s+)?)$",
    re.IGNORECASE,
)
_PLACE_POST = re.compile(r"^\s*(?:で|에서|にて)")


def find_place(
    text: str, rules: Rules, anchor: int = 0, spans: list[tuple[int, int, str]] | None = None
) -> str | None:
    """The place an event is held: a gazetteer name introduced by "in/at/held in" (or で/에서).

    Bare names are ignored on purpose: datelines ("Brussels, Belgium –") and party names
    ("Japan and the EU") are not venues. ``spans`` are the gazetteer hits in ``text`` when the
    caller already has them (see ``clip``).
    """
    best: tuple[int, str] | None = None
    for start, end, name in rules.fast.places.find(text) if spans is None else spans:
        before = text[max(0, start - 24) : start]
        if not (_PLACE_PREP.search(before) or _PLACE_POST.match(text[end:])):
            continue
        dist = abs(start - anchor) + (0 if start >= anchor else 10)
        if best is None or dist < best[0]:
            best = (dist, name)
    return best[1] if best else None


# ----------------------------------------------------------------------------- ordinals

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
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_MONTH_RX = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
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
        if re.search(_MONTH_RX + r"\s*$", text[max(0, m.start() - 12) : m.start()], re.IGNORECASE):
            continue  # "October 2nd" is a date
        if re.search(r"for\s+the\s*$", text[max(0, m.start() - 10) : m.start()], re.IGNORECASE) and re.match(
            r"\s*time", text[m.end() :]
        ):
            continue
        tail = text[m.end() : m.end() + 90]
        noun = _ORD_NOUN.search(tail)
        if noun is None or re.search(r"[.;。]", tail[: noun.start()]):
            continue
        value = _ord_value(m)
        if not value:
            continue
        dist = abs(m.start() - anchor)
        if best is None or dist < best[0]:
            best = (dist, value, m.start())
    return (best[1], best[2]) if best else None


# ----------------------------------------------------------------------------- dates

_D = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"
_D2 = r"(?:\s*(?:-|–|to|and|&)\s*\d{1,2}(?:st|nd|rd|th)?)?"
_MON = r"(?P<mon>" + _MONTH_RX + r")"
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
_WORD_DATE_PATTERNS = [(k, rx) for k, rx in _DATE_PATTERNS if k in ("rel", "wd", "m")]


@dataclass(frozen=True, slots=True)
class FoundDate:
    start: int
    iso: str
    """"YYYY", "YYYY-MM", "YYYY-MM-DD", or "--MM-DD" when no year is known."""


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
    # Every pattern but the relative/weekday/month-name ones needs a digit: skipping them cannot change
    # what the others find (they only skip spans an earlier pattern took).
    for kind, rx in _DATE_PATTERNS if _DIGIT.search(text) else _WORD_DATE_PATTERNS:
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            try:
                iso = _resolve(kind, m, published, status)
            except (KeyError, ValueError):
                iso = None
            if iso:
                taken.append((m.start(), m.end()))
                out.append(FoundDate(m.start(), iso))
    return sorted(out, key=lambda d: d.start)


_ORIGIN = re.compile(
    r"\b(?:launched|established|founded|created|set\s+up|inaugurated|began|started|introduced|in\s+place\s+since)"
    r"\s+(?:(?:in|on|back\s+in)\s+)?$",
    re.IGNORECASE,
)


def pick_date(text: str, anchor: int, published: date | None, status: str | None) -> str | None:
    """The date nearest the event mention, preferring one after it ("scheduled for 2025").

    A date that dates an origin ("a framework launched in 2022") is not the meeting's date.
    """
    dates = [
        d
        for d in find_dates(text, published, status)
        if not _ORIGIN.search(text[max(0, d.start - 30) : d.start])
    ]
    if not dates:
        return None
    return min(
        dates, key=lambda d: (d.start - anchor) if d.start >= anchor else (anchor - d.start) * 2 + 20
    ).iso


# ----------------------------------------------------------------------------- status


def find_status(text: str, rules: Rules, anchor: int = 0) -> str | None:
    """upcoming / held / postponed from tense and keywords; the cue nearest the mention wins."""
    rx = rules.fast.status
    if rx["postponed"].search(text):
        return "postponed"
    up = [(m.start(), m.end()) for m in rx["upcoming"].finditer(text)]
    held = [
        (m.start(), m.end()) for m in rx["held"].finditer(text) if not any(s <= m.start() < e for s, e in up)
    ]
    cands = [(abs(s - anchor), "upcoming") for s, _ in up] + [(abs(s - anchor), "held") for s, _ in held]
    return min(cands)[1] if cands else None


# ----------------------------------------------------------------------------- helpers

_CLAUSE = re.compile(r";|,\s+(?:and|but|while|whereas)\s+|\s+and\s+(?=the\s|its\s|their\s|a\s)|\s+[–—]\s+")


def clause_around(sentence: str, pos: int) -> tuple[str, int]:
    """The clause of ``sentence`` containing ``pos`` and its offset (clauses split at ';', ', and' ...)."""
    start = 0
    for m in _CLAUSE.finditer(sentence):
        if m.start() >= pos:
            return sentence[start : m.start()], start
        start = m.end()
    return sentence[start:], start


def clip(spans: list[tuple[int, int, str]], off: int, length: int) -> list[tuple[int, int, str]]:
    """Spans of a sentence that fall inside the clause [off, off+length), re-based on the clause."""
    return [(s - off, e - off, v) for s, e, v in spans if s >= off and e <= off + length]


def slug(text: str) -> str:
    """Lower-case, dash-separated identity fragment (Unicode letters kept for CJK names)."""
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-")


def order_parties(codes: list[str], rules: Rules) -> list[str]:
    """EU first, then alphabetical by display name: one spelling for "Japan-EU" and "EU-Japan"."""
    uniq = list(dict.fromkeys(codes))

    def key(code: str) -> tuple[int, str]:
        j = rules.jurisdiction(code)
        return (0 if code == "EU" else 1, j.label if j else code)

    return sorted(uniq, key=key)


def party_label(codes: list[str], rules: Rules) -> str:
    labels = []
    for c in order_parties(codes, rules):
        j = rules.jurisdiction(c)
        labels.append(j.label if j else c)
    return "-".join(labels)


_PROPER_TOKEN = re.compile(r"^(?:[A-Z0-9][\w&.’'-]*|&|of|on|for|and|the|de|du)$")
_LEADING_JUNK = re.compile(
    r"^(?:(?:the|of|on|for|and|de|du|\d{4}|\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|"
    r"next|inaugural|annual|upcoming|&)\s+)+",
    re.IGNORECASE,
)


def proper_name_before(sentence: str, start: int, end: int) -> str | None:
    """The capitalised name that ends with the trigger: "...at the International AI Summit" -> that name."""
    trigger = sentence[start:end]
    if not trigger[:1].isupper() and not re.match(r"[^\x00-\x7f]", trigger):
        return None
    words = re.sub(r"[‘’'\"“”()]", " ", sentence[:start]).split()
    kept: list[str] = []
    for w in reversed(words[-8:]):
        if not _PROPER_TOKEN.match(w):
            break
        kept.append(w)
    name = " ".join([*reversed(kept), trigger.strip()])
    name = _LEADING_JUNK.sub("", name).strip()
    if name.lower() == trigger.strip().lower() or not re.search(r"[A-Z]", name.replace(trigger, "")):
        return None
    return " ".join(w if not w.islower() else w for w in name.split())


# ----------------------------------------------------------------------------- mentions


@dataclass(slots=True)
class Mention:
    series: Series
    type: str
    sent: int
    """Sentence index; -1 is the title."""
    pos: int
    text: str
    name: str
    parties: list[str]
    explicit: bool = True
    has_cue: bool = False
    ordinal: int | None = None
    date: str | None = None
    location: str | None = None
    status: str | None = None
    boiler: bool = False
    weight: float = 0.0
    background: bool = False
    """A past event named in passing: "following the AI Impact Summit", "builds on the partnership"."""
    ident: str | None = None
    """The event's own name or number as written ("SB 243", "RAISE Act"), for key_from: mention."""


@dataclass(slots=True)
class MentionFacts:
    """The few facts about an event's mentions that attaching a new mention asks for."""

    sents: list[int] = field(default_factory=list)
    """Sentence indexes, sorted (nearest mention by bisection)."""
    ordinal: int | None = None
    """The first ordinal a mention gave."""
    statuses: set[str] = field(default_factory=set)
    date_years: set[str] = field(default_factory=set)
    """``date[:4]`` of every dated mention."""
    explicit_years: set[str] = field(default_factory=set)
    """Years (numeric dates only) of the explicit mentions."""
    explicit_places: set[str] = field(default_factory=set)
    explicit: int = 0
    passing: int = 0
    """Explicit mentions that are passing references or boilerplate."""

    def note(self, m: Mention) -> None:
        insort(self.sents, m.sent)
        if self.ordinal is None and m.ordinal:
            self.ordinal = m.ordinal
        if m.status:
            self.statuses.add(m.status)
        if m.date:
            self.date_years.add(m.date[:4])
        if not m.explicit:
            return
        self.explicit += 1
        self.passing += int(m.background or m.boiler)
        if m.date and m.date[:1].isdigit():
            self.explicit_years.add(m.date[:4])
        if m.location:
            self.explicit_places.add(m.location)


@dataclass(slots=True)
class Event:
    type: str
    name: str
    series: Series
    parties: list[str]
    mentions: list[Mention] = field(default_factory=list)
    score: float = 0.0
    weighted: float = 0.0
    title_hit: bool = False
    title_cue: bool = False
    eligible: bool = True
    """Can be an item's primary event: score >= min_primary and, for meetings, something specific."""
    background: bool = False
    """Named only in passing or long past: reported with confidence <= BACKGROUND_CONFIDENCE."""
    facts: MentionFacts = field(default_factory=MentionFacts, repr=False)
    """What the mentions say, kept up to date by ``add``: a long text names one series thousands
    of times, and scanning every mention for every new one made extraction quadratic."""

    def __post_init__(self) -> None:
        given, self.mentions = self.mentions, []
        for m in given:
            self.add(m)

    def add(self, m: Mention) -> None:
        """Append a mention; mentions are final once added (``facts`` reads them only here)."""
        self.mentions.append(m)
        self.facts.note(m)

    @property
    def ordinal(self) -> int | None:
        return self.facts.ordinal

    def last_sent(self) -> int:
        return self.facts.sents[-1]

    def distance(self, sent: int) -> int:
        """Sentences between ``sent`` and the nearest mention."""
        sents = self.facts.sents
        i = bisect_left(sents, sent)
        return min(abs(sents[j] - sent) for j in (i - 1, i) if 0 <= j < len(sents))

    def lean_distance(self, sent: int) -> float:
        """``distance``, with a mention before ``sent`` half a sentence nearer than one after:
        a reference points back to what was said rather than ahead."""
        sents = self.facts.sents
        i = bisect_right(sents, sent)
        near = [sent - sents[i - 1] - 0.5] if i > 0 else []
        return min(near + ([sents[i] - sent] if i < len(sents) else []))

    def latest_at_or_before(self, sent: int) -> int | None:
        """The last mention's sentence up to ``sent`` (None when every mention comes after)."""
        i = bisect_right(self.facts.sents, sent)
        return self.facts.sents[i - 1] if i else None


@dataclass(slots=True)
class Doc:
    """Everything the extractor needs about one item, computed once."""

    title: str
    sentences: list[str]
    published: date | None
    rules: Rules
    juris: list[list[tuple[int, int, str]]]
    ai: list[bool]
    boiler: list[bool]
    series: list[list[tuple[int, int, Series]]]
    core_ai: list[bool] = field(default_factory=list)
    """Sentences that name AI itself (rules: ai_policy.core_ai_terms)."""
    places: list[list[tuple[int, int, str]]] = field(default_factory=list)
    """Gazetteer place spans per sentence (computed once per item)."""
    anaphora: dict[str, dict[int, re.Match[str]]] = field(default_factory=dict)
    """Per event type: sentence index -> first anaphora match ("the summit")."""
    vetoed: dict[str, list[int]] = field(default_factory=dict)
    """Sentences (-1: title) where a mention of a type was vetoed by a hard negative: "the summit"
    two sentences after "the COP29 climate summit" is the climate summit, not an AI one."""
    veto_cache: dict[tuple[int, str], bool] = field(default_factory=dict)
    """(negative index, sentence or title) -> does it veto (hard negatives are tested once per text)."""


def _raw_series(text: str, rules: Rules) -> list[tuple[int, int, Series]]:
    fast = rules.fast
    series = fast.series
    return [
        (m.start(), m.end(), series[k][0])
        for k in fast.series_candidates(text)
        for m in series[k][1].rx.finditer(text)
        if m.end() > m.start()
    ]


def _series_matches(found: list[tuple[int, int, Series]]) -> list[tuple[int, int, Series]]:
    """Series mentions of one sentence, overlaps resolved: longest first, named before generic."""
    found = list(found)
    found.sort(key=lambda t: (-(t[1] - t[0]), t[2].generic))
    kept: list[tuple[int, int, Series]] = []
    for st, en, s in found:
        if all(en <= a or st >= b for a, b, _ in kept):
            kept.append((st, en, s))
    return sorted(kept, key=lambda t: t[0])


def _zones(length: int, starts: list[int]) -> list[tuple[int, int]]:
    """Each mention owns the sentence from its start to the next mention; the first also owns the lead-in."""
    out = []
    for i, st in enumerate(starts):
        out.append((0 if i == 0 else st, starts[i + 1] if i + 1 < len(starts) else length))
    return out


_BACKGROUND = re.compile(
    r"\b(?:following|after|since|builds?\s+(?:up)?on|building\s+(?:up)?on|built\s+(?:up)?on|follows|followed"
    r"|in\s+the\s+wake\s+of|on\s+the\s+heels\s+of|successor\s+to|follow-up\s+to|in\s+line\s+with"
    r"|(?:made|agreed|adopted|launched|announced|reached|endorsed|pledged|struck|secured|set\s+out|unveiled)\s+at"
    r"|previous|prior|preceding|last\s+year[’']s|earlier)"
    r"\s+(?:(?:the|a|an|this|that|its|their|on\s+the)\s+)?(?:[\w’'&().-]+\s+){0,4}$",
    re.IGNORECASE,
)
_OWN_UPCOMING = re.compile(r"^[^,;]{0,60}\b(?:will|to\s+be\s+held|scheduled|upcoming|next)\b", re.IGNORECASE)


def _is_background(text: str, start: int) -> bool:
    """Is the mention at ``start`` introduced as a past reference ("following the ...", "made at the ...")?"""
    before = text[max(0, start - 60) : start]
    cut = max(before.rfind(","), before.rfind(";"), before.rfind("("))
    return bool(_BACKGROUND.search(before[cut + 1 :] if cut >= 0 else before))


def _vetoed(
    type_: str, sentence: str, rules: Rules, title: str, cache: dict[tuple[int, str], bool] | None = None
) -> bool:
    """Does a hard negative veto a ``type_`` mention here? ``cache``: per-item memo of (negative, text)."""
    for k, (vetoes, on_title, pattern, unless) in enumerate(rules.fast.vetoes):
        if type_ not in vetoes:
            continue
        target = title if on_title else sentence
        if cache is None:
            hit = bool(pattern.search(target) and not (unless and unless.search(target)))
        else:
            got = cache.get((k, target))
            if got is None:
                got = bool(pattern.search(target) and not (unless and unless.search(target)))
                cache[(k, target)] = got
            hit = got
        if hit:
            return True
    return False


def _parties(doc: Doc, idx: int, text: str, start: int, end: int, prior: list[str]) -> list[str]:
    """Jurisdictions a mention is between: right before the trigger, else in its sentence, else earlier."""
    spans = jurisdiction_spans(text, doc.rules) if idx < 0 else doc.juris[idx]
    near = [c for s, e, c in spans if start - 45 <= s < start]
    codes = list(dict.fromkeys(near))
    if len(codes) < 2:
        sent_codes = list(dict.fromkeys(c for _, _, c in sorted(spans, key=lambda t: abs(t[0] - start))))
        for c in sent_codes:
            if c not in codes and len(codes) < 2:
                codes.append(c)
    if len(codes) < 2 and prior:
        for c in prior:
            if c not in codes and len(codes) < 2:
                codes.append(c)
    return codes[:2]


def _public_party(doc: Doc, idx: int, text: str) -> bool:
    """Is a government body a party (an MoU between two companies is business news, not policy)?

    A public actor in the sentence settles it; a company cue without one rules it out; else a
    public actor in the previous sentence, or two jurisdictions ("France and India signed...").
    """
    fast = doc.rules.fast
    if fast.actor is not None and fast.actor.search(text):
        return True
    if fast.company is not None and fast.company.search(text):
        return False
    prev = doc.sentences[idx - 1] if idx > 0 else doc.title
    if fast.actor is not None and fast.actor.search(prev):
        return True
    spans = doc.juris[idx] if idx >= 0 else jurisdiction_spans(text, doc.rules)
    return len({c for _, _, c in spans}) >= 2


def _mentions_in(doc: Doc, idx: int, text: str, prior_parties: dict[str, list[str]]) -> list[Mention]:
    rules = doc.rules
    out: list[Mention] = []
    raw = doc.series[idx] if idx >= 0 else _raw_series(text, rules)
    matches = _series_matches(raw)
    bounds = _zones(len(text), [st for st, _, _ in matches])
    for (start, end, s), (z0, z1) in zip(matches, bounds, strict=True):
        if _vetoed(s.type, text, rules, doc.title, doc.veto_cache):
            doc.vetoed.setdefault(s.type, []).append(idx)
            continue
        if s.needs_ai:
            # A generic summit/law/declaration needs AI itself nearby: "digital economy" talk at an ASEAN
            # summit does not make it an AI summit.
            core = doc.core_ai or doc.ai
            near = [core[i] for i in range(max(0, idx - 1), min(len(core), idx + 2))] if idx >= 0 else []
            if not (any(near) or rules.fast.core_ai.search(text)):
                continue
        if s.needs_actor and not _public_party(doc, idx, text):
            continue
        parties = list(s.parties)
        name = s.name
        if s.generic or "{" in s.name:
            parties = _parties(doc, idx, text, start, end, prior_parties.get(s.type, []))
            if s.type == "dpc_meeting" and len(parties) == 1 and parties[0] != "EU":
                parties = ["EU", parties[0]]
            named = next(
                (
                    x
                    for x in rules.series
                    if not x.generic and x.type == s.type and x.parties and set(x.parties) == set(parties)
                ),
                None,
            )
            if named is not None and s.type == "dpc_meeting":
                name, s = named.name, named
            elif "{name}" in s.name:
                proper = proper_name_before(text, start, end)
                fallback = (
                    GENERIC_SUMMIT
                    if s.type == "summit"
                    else f"{party_label(parties, rules)} joint statement".strip()
                )
                name = proper or fallback
            else:
                label = party_label(parties, rules)
                name = s.name.replace("{parties}", label).strip()
        elif s.type == "legislation" and s.parties:
            # "Japan's AI Act" is not the EU AI Act: a different jurisdiction right before wins.
            spans = jurisdiction_spans(text, rules) if idx < 0 else doc.juris[idx]
            other = [c for a, _, c in spans if start - 25 <= a < start and c not in s.parties]
            if other:
                parties = other[:1]
                name = f"{party_label(parties, rules)} AI law"
        # Attributes come from this mention's zone of the sentence: "host the next AI summit in Geneva
        # in 2027, following the AI Impact Summit in New Delhi" gives Geneva/2027 to the first mention
        # and New Delhi to the second, never 2027 to the AI Impact Summit.
        ztext, zstart = text[z0:z1], start - z0
        background = _is_background(text, start)
        clause, off = clause_around(ztext, zstart)
        anchor = zstart - off
        ordinal = find_ordinal(clause, anchor)
        if ordinal is None and s.type in ("dpc_meeting", "summit"):
            # "... signed in May 2022 and the third meeting has been scheduled for 2025": the meeting clause.
            whole = find_ordinal(ztext, zstart)
            if whole is not None:
                clause, off = clause_around(ztext, whole[1])
                anchor, ordinal = whole[1] - off, whole
        status = find_status(clause, rules, anchor) or find_status(ztext, rules, zstart)
        if background and status != "postponed" and not _OWN_UPCOMING.search(clause[anchor:]):
            status = "held"  # "following the AI Impact Summit", "commitments made at the Seoul summit"
        day = pick_date(clause, anchor, doc.published, status)
        zone_places = clip(doc.places[idx], z0, len(ztext)) if idx >= 0 and doc.places else None
        place = find_place(
            clause, rules, anchor, None if zone_places is None else clip(zone_places, off, len(clause))
        ) or find_place(ztext, rules, zstart, zone_places)
        cue_rx = rules.fast.type_cue[s.type]
        cue = bool(cue_rx and cue_rx.search(text))
        if rules.fast.attribute_cues[s.type] and (ordinal or day or place):
            cue = True
        out.append(
            Mention(
                series=s,
                type=s.type,
                sent=idx,
                pos=start,
                text=text,
                name=name,
                parties=parties,
                explicit=True,
                has_cue=cue,
                ordinal=ordinal[0] if ordinal else None,
                date=day,
                location=place,
                status=status,
                boiler=idx >= 0 and doc.boiler[idx],
                background=background,
                ident=law_identifier(text, start, end) if s.key_from == "mention" else None,
            )
        )
        if parties:
            prior_parties[s.type] = parties
    return out


_BILL = re.compile(r"^(SB|AB|HB|SF|HF)\s?-?(\d+)$")
_LAW_WORDS = frozenset({"Act", "Law", "Bill", "Code", "Regulation", "Directive", "Ordinance"})
_CONNECTORS = frozenset({"of", "on", "and", "for", "the", "in", "to", "&", "de", "du", "des", "la", "le"})


def law_identifier(sentence: str, start: int, end: int) -> str | None:
    """The law's own name or number where the item writes one: "SB243" -> "SB 243", "the Texas
    Responsible Artificial Intelligence Governance Act" -> that Act's name, in one spelling so two
    write-ups of one law share it. None for a description ("an AI bill", "the AI companion
    chatbot bill"): only a bill number or a name in title case identifies a law."""
    matched = " ".join(sentence[start:end].split())
    bill = _BILL.match(matched)
    if bill:
        return f"{bill.group(1)} {bill.group(2)}"
    phrase = proper_name_before(sentence, start, end) or matched
    words = re.sub(r"^(?:[Tt]he)\s+", "", " ".join(phrase.split())).split()
    # "... Governance Act into law": the name ends at its last capitalised law word
    ends = [i for i, w in enumerate(words) if w.rstrip(".,;:’'s") in _LAW_WORDS]
    if not ends:
        return None
    words = words[: ends[-1] + 1]
    named = [w for w in words if w.lower() not in _CONNECTORS]
    if len(named) < 2 or not all(w[:1].isupper() or w[:1].isdigit() for w in named):
        return None
    return " ".join(words)


def _mention_weight(m: Mention, sc_rules: Rules) -> float:
    sc = sc_rules.scoring
    w = (sc.mention * m.series.weight) if m.explicit else sc.anaphora
    w += sc.cue if m.has_cue and m.explicit else 0.0
    w += sc.ordinal if m.ordinal else 0.0
    w += sc.date if m.date else 0.0
    w += sc.location if m.location else 0.0
    w += sc.status if m.status else 0.0
    return w * (sc.boilerplate_factor if m.boiler else 1.0)


Namesakes = dict[tuple[str, str], list[Event]]
"""An item's events by (type, name), in creation order: a mention is compared with its namesakes
only, not with every event found before it."""


def _attach(ev_list: list[Event], m: Mention, namesakes: Namesakes) -> None:
    """Put a mention into the event it belongs to, or start a new event."""
    same = namesakes.setdefault((m.type, m.name), [])
    if m.ordinal:
        target = next((e for e in same if e.ordinal == m.ordinal), None)
        if target is None:
            loose = [e for e in same if e.ordinal is None]
            target = loose[0] if len(loose) == 1 and len(same) == 1 else None
    else:
        target = None
        if same:
            year = m.date[:4] if m.date and m.date[:1].isdigit() else None

            def dist(e: Event) -> tuple[int, int]:
                status_clash = int(bool(m.status and any(s != m.status for s in e.facts.statuses)))
                return (status_clash, e.distance(m.sent))

            pool = [e for e in same if not year or not any(y != year for y in e.facts.date_years)] or same
            target = min(pool, key=dist)
    if target is None:
        target = Event(type=m.type, name=m.name, series=m.series, parties=m.parties)
        ev_list.append(target)
        same.append(target)
    target.add(m)


def _best_attr(ev: Event, attr: str) -> str | None:
    vals = [getattr(m, attr) for m in ev.mentions if getattr(m, attr)]
    if attr == "date":
        return max(vals, key=lambda v: (v[:1].isdigit(), len(v)), default=None)
    return vals[0] if vals else None


def extract(doc: Doc) -> list[Event]:
    """Find, validate, merge and score the events of one item."""
    rules, sc = doc.rules, doc.rules.scoring
    prior: dict[str, list[str]] = {}
    title_mentions = _mentions_in(doc, -1, doc.title, prior) if doc.title else []
    events: list[Event] = []
    namesakes: Namesakes = {}
    pending: list[Mention] = []
    for idx, sent in enumerate(doc.sentences):
        found = _mentions_in(doc, idx, sent, prior)
        for m in found:
            generic_ref = m.series.generic and m.series.type != "dpc_meeting" and not _has_proper(m)
            if m.has_cue and not generic_ref:
                _attach(events, m, namesakes)
            else:
                pending.append(m)
        types_here = {m.type for m in found}
        for type_, hits in doc.anaphora.items():
            hit = hits.get(idx)
            if hit is not None and type_ not in types_here:
                # The reference only reads attributes between the surrounding named mentions: in "the
                # arrangement builds on ... the AI Seoul Summit in May 2024" the date is the summit's.
                starts = [st for st, _, _ in _series_matches(doc.series[idx])]
                z0 = max((st for st in starts if st <= hit.start()), default=0)
                z1 = min((st for st in starts if st > hit.start()), default=len(sent))
                clause, off = clause_around(sent[z0:z1], hit.start() - z0)
                off += z0
                clause = sent[off : off + len(clause)]
                anchor = hit.start() - off
                ordinal = find_ordinal(clause, anchor)
                status = find_status(clause, rules, anchor)
                pending.append(
                    Mention(
                        series=rules.series[0],
                        type=type_,
                        sent=idx,
                        pos=hit.start(),
                        text=sent,
                        name="",
                        parties=[],
                        explicit=False,
                        ordinal=ordinal[0] if ordinal else None,
                        status=status,
                        date=pick_date(clause, anchor, doc.published, status),
                        location=find_place(clause, rules, anchor, clip(doc.places[idx], off, len(clause))),
                        boiler=doc.boiler[idx],
                    )
                )
    # References: a generic "the summit" or a series named again without cues joins a nearby event.
    for m in pending:
        if _blocked(doc, m, events):
            continue
        cands = [e for e in events if e.type == m.type]
        if m.explicit and not m.series.generic:
            named = [e for e in cands if e.series.id == m.series.id or e.name == m.name]
            if named:
                m.explicit = False
                m.has_cue = False
                _attach_to(named, m)
                continue
        near = [e for e in cands if e.distance(m.sent) <= sc.anaphora_window]
        if m.explicit and not m.series.generic:
            # "SB 53" is never a reference to "SB 1047": a named series only joins its own or a generic event.
            near = [e for e in near if e.series.generic]
        if m.explicit and m.has_cue and m.series.generic:
            # "the next AI summit in Geneva in 2027, following the AI Impact Summit": a generic mention with
            # its own date/place does not merge into a past (background) event or one held elsewhere/when.
            near = [e for e in near if not _is_background_event(e) and _compatible(m, e)]
        if near:
            if m.ordinal and any(e.ordinal == m.ordinal for e in near):
                near = [e for e in near if e.ordinal == m.ordinal]
            elif m.ordinal and all(e.ordinal for e in near):
                continue
            m.explicit = False
            _attach_to(near, m)
        elif m.explicit and m.has_cue:
            _attach(events, m, namesakes)
    for ev in events:
        explicit = [m for m in ev.mentions if m.explicit]
        if not explicit:
            continue
        ev.score = sum(_mention_weight(m, rules) for m in ev.mentions)
        if any(m.sent < sc.early_sentences for m in ev.mentions):
            ev.score += sc.early
        # The title names this event, or uses the type's generic word ("summit") for it.
        same = [t for t in title_mentions if t.type == ev.type and _title_names(t, ev, events)]
        ev.title_hit = bool(same)
        ev.title_cue = any(t.has_cue for t in same)
        if ev.title_hit:
            ev.score += sc.title
        factor = rules.fast.prior[ev.type]
        if ev.type == "mou" and len(ev.parties) <= 1:
            factor *= sc.domestic_mou_factor
        ev.weighted = ev.score * factor
    # Title mentions with cues and no body event still describe one (short news items).
    for t in title_mentions:
        known = any(e.type == t.type and _title_names(t, e, events) for e in events)
        if t.has_cue and not known:
            ev = Event(type=t.type, name=t.name, series=t.series, parties=t.parties, mentions=[t])
            ev.score = _mention_weight(t, rules) + sc.title
            ev.weighted = ev.score * rules.fast.prior[t.type]
            ev.title_hit = ev.title_cue = True
            events.append(ev)
    for ev in events:
        ev.background = not ev.title_hit and (_is_background_event(ev) or _long_past(ev, doc.published))
        # A past event named in passing is context, not the item's news: it never becomes the primary.
        ev.eligible = ev.score >= sc.min_primary and _specific(ev, rules) and not ev.background
    return [e for e in events if e.score > 0]


def _is_background_event(ev: Event) -> bool:
    """Every explicit mention is a passing reference ("following the ...") or sits in boilerplate."""
    return ev.facts.explicit > 0 and ev.facts.passing == ev.facts.explicit


_PAST_DAYS = 180


def _long_past(ev: Event, published: date | None) -> bool:
    """Held long before the item was published (a retrospective mention, not news)."""
    day = _best_attr(ev, "date")
    if published is None or not day or not day[:1].isdigit():
        return False
    parts = [int(x) for x in day.split("-")]
    when = date(parts[0], parts[1] if len(parts) > 1 else 12, parts[2] if len(parts) > 2 else 28)
    return (published - when).days > _PAST_DAYS


def _title_names(t: Mention, ev: Event, events: list[Event]) -> bool:
    """Does title mention ``t`` name event ``ev``? A generic title ("next AI summit") names the event
    with its own name when there is one, never a past event the body mentions only in passing."""
    if t.name == ev.name:
        return True
    if not t.series.generic or not _compatible(t, ev) or _is_background_event(ev):
        return False
    return not any(e.type == t.type and e.name == t.name for e in events)


def _compatible(m: Mention, ev: Event) -> bool:
    """Can mention ``m`` describe event ``ev``: no clash of year or place between them."""
    year = m.date[:4] if m.date and m.date[:1].isdigit() else None
    years = ev.facts.explicit_years
    if year and years and year not in years:
        return False
    places = ev.facts.explicit_places | ({ev.series.location} if ev.series.location else set())
    return not (m.location and places and m.location not in places)


def _specific(ev: Event, rules: Rules) -> bool:
    """Meetings must be one occurrence: an ordinal, date, place, upcoming/postponed status or a title cue.

    "The council has met twice but has little to show for it" is commentary about a series, not
    news of a meeting; "the upcoming AI Seoul Summit" is news even without a date.
    """
    if not rules.fast.attribute_cues[ev.type]:
        return True
    return ev.title_cue or any(
        m.ordinal or m.date or m.location or m.status in ("upcoming", "postponed") for m in ev.mentions
    )


def _blocked(doc: Doc, m: Mention, events: list[Event]) -> bool:
    """A reference whose nearest antecedent is a vetoed mention (a NATO or climate summit) is dropped."""
    if m.explicit and not m.series.generic:
        return False
    if m.explicit and _has_proper(m):
        return False
    vetoed = [i for i in doc.vetoed.get(m.type, []) if i <= m.sent]
    if not vetoed:
        return False
    nearest_veto = m.sent - max(vetoed) if max(vetoed) >= 0 else doc.rules.scoring.anaphora_window
    if nearest_veto > doc.rules.scoring.anaphora_window:
        return False
    latest = (e.latest_at_or_before(m.sent) for e in events if e.type == m.type)
    dists = [m.sent - x for x in latest if x is not None]
    return not dists or min(dists) > nearest_veto


def _has_proper(m: Mention) -> bool:
    return m.name != GENERIC_SUMMIT and not m.name.endswith("joint statement")


def _attach_to(pool: list[Event], m: Mention) -> None:
    # "The summit will ..." after "the next AI summit ..., following the AI Impact Summit" is the new one.
    target = min(pool, key=lambda e: (_is_background_event(e), e.lean_distance(m.sent)))
    m.name = target.name
    target.add(m)


def to_extracted(ev: Event, published: date | None, rules: Rules) -> ExtractedEvent:
    """Freeze an Event into the shared type with its deterministic key."""
    ordinal = ev.ordinal
    day = _best_attr(ev, "date")
    rich = max(
        (m for m in ev.mentions if m.explicit or m.ordinal),
        key=lambda m: (bool(m.ordinal) + bool(m.date) + bool(m.location) + bool(m.status), m.explicit),
        default=ev.mentions[0],
    )
    status = rich.status or _best_attr(ev, "status")
    if status is None and day and day[:1].isdigit() and published is not None:
        status = "upcoming" if day > published.isoformat()[: len(day)] else "held"
    location = (
        next((m.location for m in ev.mentions if m.location and m.ordinal == ordinal), None)
        or _best_attr(ev, "location")
        or ev.series.location
    )
    name = ev.name
    base = ev.name
    year = day[:4] if day and day[:1].isdigit() else None
    if ev.series.generic and ev.type == "summit" and name == GENERIC_SUMMIT and location:
        # An unnamed summit is identified by where (and when) it is held: "AI Summit (Geneva 2027)".
        name = f"AI Summit ({location}{' ' + year if year else ''})"
        base = f"AI Summit {location}"
    parties = "-".join(order_parties(ev.parties, rules))
    if ev.series.key_from in ("parties", "mention") and ev.parties:
        base = f"{parties} {ev.type}"
    ident = next((m.ident for m in ev.mentions if m.ident and m.explicit), None)
    if ident:
        # "US AI law" is every US state's law: the bill or Act the item names tells them apart.
        base = f"{parties} {ident}".strip()
        label = party_label(ev.parties, rules)
        name = f"{ident} ({label})" if label and label.lower() not in ident.lower() else ident
    if ev.type == "mou":
        base, year = _mou_identity(ev, rich.text, published, rules, year)
    if ordinal:
        key = f"{ev.type}:{slug(base)}:{ordinal}"
    elif year:
        key = f"{ev.type}:{slug(base)}:{year}"
    else:
        key = f"{ev.type}:{slug(base)}"
    confidence = round(min(1.0, ev.score / 4.0), 2)
    if not ev.series.generic and any(_concrete(m) for m in ev.mentions):
        # A curated series named in the item's own words with a when and a where ("the forthcoming OECD
        # ministerial meeting in Paris") is a real event even when mentioned once.
        confidence = max(confidence, CONCRETE_CONFIDENCE)
    if ev.background:
        confidence = min(confidence, BACKGROUND_CONFIDENCE)
    return ExtractedEvent(
        type=ev.type,
        name=name,
        key=key,
        evidence=rich.text,
        series=None if ev.series.generic else ev.series.name,
        ordinal=ordinal,
        date=day,
        location=location,
        status=status,
        rule=ev.series.id,
        confidence=confidence,
    )


BACKGROUND_CONFIDENCE = 0.6
"""Cap for past events named in passing: below subscribers' default alert threshold (0.7)."""
CONCRETE_CONFIDENCE = 0.75
"""Floor for a named series mentioned with a cue, a place and a date or upcoming/postponed status."""


def _concrete(m: Mention) -> bool:
    when = bool(m.date and m.date[:1].isdigit()) or m.status in ("upcoming", "postponed") or bool(m.ordinal)
    return m.explicit and m.has_cue and not m.background and not m.boiler and when and bool(m.location)


GENERIC_SUMMIT = "AI summit"

_ORG = re.compile(
    r"\b(?:Ministry|Department|Office|Agency|Institute|Authority|Commission)\s+(?:of|for)\s+(?:the\s+)?"
    r"[A-Z][\w&-]*(?:\s+(?:and|&|of|for)\s+[A-Z][\w&-]*|\s+[A-Z][\w&-]*){0,4}"
    r"|\b(?:[A-Z][\w&-]*\s+){1,4}(?:Ministry|Department|Office|Agency|Institute|Authority|Commission)\b(?!\s+(?:of|for)\s)"
)
_STOP = frozenset(
    re.findall(
        r"\w+",
        "a an the and or of for to in on at by with from as is are was were has have had be been will would "
        "its their this that these those said says today monday tuesday wednesday thursday friday "
        "saturday sunday",
    )
)


def _mou_identity(
    ev: Event, evidence: str, published: date | None, rules: Rules, year: str | None
) -> tuple[str, str | None]:
    """Key base and year of an MoU: two parties, else the bodies named, else a slug of the evidence.

    "mou:mou" for every MoU without two jurisdictions made unrelated agreements collide; the same
    agreement written up by two outlets still shares parties and year.
    """
    year = year or (str(published.year) if published else None)
    if len(ev.parties) >= 2:
        return f"{'-'.join(order_parties(ev.parties, rules))} mou", year
    orgs = [re.sub(r"^(?:The|A|An)\s+", "", " ".join(m.group().split())) for m in _ORG.finditer(evidence)]
    orgs = sorted(dict.fromkeys(o for o in orgs if len(o.split()) >= 2))[:2]
    prefix = "-".join(ev.parties)
    if orgs:
        return " ".join([prefix, *orgs, "mou"]).strip(), year
    words = [w for w in re.findall(r"[^\W\d_]+", evidence.lower()) if w not in _STOP and len(w) > 2][:4]
    return " ".join([prefix, *words, "mou"]).strip(), year


def extract_events(
    title: str,
    sentences: list[str] | Sentences,
    published: datetime | date | None,
    rules: Rules,
    juris: list[list[tuple[int, int, str]]] | None = None,
    ai: list[bool] | None = None,
) -> tuple[list[ExtractedEvent], list[Event]]:
    """Public entry: events of one item (most salient first) plus the scored internals for classify."""
    sents = sentences if isinstance(sentences, Sentences) else Sentences(sentences)
    pub = published.date() if isinstance(published, datetime) else published
    boiler, inside = [], False
    starts = sents.flags(rules.fast.boiler) if rules.fast.boiler else [False] * len(sents.items)
    for flag in starts:
        inside = inside or flag
        boiler.append(inside)
    series: list[list[tuple[int, int, Series]]] = [[] for _ in sents.items]
    for s, rx in rules.fast.series:
        for i, m in sents.matches(rx):
            if m.end() > m.start():
                series[i].append((m.start(), m.end(), s))
    doc = Doc(
        title=title,
        sentences=sents.items,
        published=pub,
        rules=rules,
        juris=juris if juris is not None else sents.jurisdictions(rules),
        ai=ai if ai is not None else sents.flags(rules.fast.ai),
        core_ai=sents.flags(rules.fast.core_ai),
        boiler=boiler,
        series=series,
        places=sents.places(rules),
        anaphora={
            type_: {i: m for i, m in reversed(sents.matches(ana))}
            for type_, ana in rules.fast.type_ana.items()
            if ana is not None
        },
    )
    # Past references (background) sort after the item's own events whatever their raw salience.
    events = sorted(extract(doc), key=lambda e: (e.background, -e.weighted))
    return [to_extracted(e, pub, rules) for e in events], events

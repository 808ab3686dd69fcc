"""Candidate events: mentions, the events they form, and how a mention joins an event.

An item's ``Doc`` (everything the extractor needs, computed once) yields ``Mention`` s
(``pipeline.intel.mentions``); mentions of one event collapse into one ``Event``: five
write-ups of one meeting in two languages become one event.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from datetime import date

from pipeline.intel.rules_schema import Rules, Series


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
    title_ordinal: int | None = None
    """The ordinal the headline gives the event ("閣僚級会合(第2回)の結果"): it wins over one the
    body gives in passing ("since the first meeting in 2023")."""
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
        return self.title_ordinal or self.facts.ordinal

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
    skip_in_force: bool = False
    """The headline reports a law passed, signed, delayed... (``skips_in_force_date``): its news is
    that milestone, so the day the law will take effect is not the event's date."""
    delay: bool = False
    """The headline reports a law's milestone delayed: the dates it is moved from and to are the
    law's, not the delay's."""


Namesakes = dict[tuple[str, str], list[Event]]
"""An item's events by (type, name), in creation order: a mention is compared with its namesakes
only, not with every event found before it."""


def attach(ev_list: list[Event], m: Mention, namesakes: Namesakes) -> None:
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


def best_attr(ev: Event, attr: str) -> str | None:
    # A mention of another edition ("since the first meeting (3 July 2023, Tokyo)" in a report of
    # the second, numbered in its headline) does not date or place this one.
    own = [m for m in ev.mentions if not (ev.title_ordinal and m.ordinal and m.ordinal != ev.title_ordinal)]
    vals = [getattr(m, attr) for m in own if getattr(m, attr)]
    if attr == "date":
        return max(vals, key=lambda v: (v[:1].isdigit(), len(v)), default=None)
    return vals[0] if vals else None


def is_background_event(ev: Event) -> bool:
    """Every explicit mention is a passing reference ("following the ...") or sits in boilerplate."""
    return ev.facts.explicit > 0 and ev.facts.passing == ev.facts.explicit


def attach_to(pool: list[Event], m: Mention) -> None:
    # "The summit will ..." after "the next AI summit ..., following the AI Impact Summit" is the new one.
    target = min(pool, key=lambda e: (is_background_event(e), e.lean_distance(m.sent)))
    m.name = target.name
    target.add(m)

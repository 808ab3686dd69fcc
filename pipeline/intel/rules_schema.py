"""Typed model of the rules files: the classifier's knowledge lives in data, not in code.

Analysts change aliases, series names and weights without touching Python, so the files are
validated strictly (unknown keys are errors) and every regular expression is compiled while
validating (``pipeline.intel.patterns``). A validated ``Rules`` builds its hot-path view once
(``Rules.fast``, ``pipeline.intel.compiled_rules``).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from pipeline.intel.compiled_rules import CompiledRules
from pipeline.intel.country_names import AMBIGUOUS_IN_ENGLISH, every_country
from pipeline.intel.patterns import Regex, combine
from pipeline.intel.vocabulary import EVENT_TYPES, EventType


class Strict(BaseModel):
    """Base: unknown keys are errors, so a misspelt field never silently does nothing."""

    model_config = ConfigDict(extra="forbid", frozen=False)


class Matchable(Strict):
    """Anything recognised by literal aliases and/or regex patterns."""

    aliases: list[str] = Field(default_factory=list)
    patterns: list[Regex] = Field(default_factory=list)
    _rx: re.Pattern[str] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _build(self) -> Matchable:
        self._rx = combine(self.aliases, self.patterns)
        return self

    @property
    def rx(self) -> re.Pattern[str] | None:
        """The combined matcher (compiled once at load)."""
        return self._rx


class Jurisdiction(Matchable):
    code: str
    name: str
    short: str | None = None
    """Name used inside series names ("Japan" in "EU-Japan Digital Partnership Council")."""
    kind: Literal["country", "bloc", "body", "subnational"] = "country"
    name_is_alias: bool = True
    """False for a name that is also a common word or another place ("Georgia", "Jordan"): the
    jurisdiction is then found by its aliases and its names in other languages only."""

    @property
    def label(self) -> str:
        return self.short or self.name


class Place(Matchable):
    """A gazetteer entry: where an event is held. Countries are added from jurisdictions."""

    name: str
    jurisdiction: str | None = None


class Seat(Strict):
    """Where a body sits, and so where its acts happen: "the UN General Assembly adopted a
    resolution" happened in New York though no outlet names the city."""

    place: str
    bodies: list[Regex]
    types: list[EventType] = Field(default_factory=lambda: [EventType.LEGISLATION, EventType.DECLARATION])
    """The event types the seat places (a body's votes and texts, not the meetings it attends)."""
    country: str | None = None
    """The jurisdiction whose body this is ('KR' for 국회): not the seat of another country's law
    that names its own body the same way ("베트남 국회", Vietnam's National Assembly)."""
    months: list[int] = Field(default_factory=list)
    """Only in these months of the event (1-12; empty: every month). The Council of the EU meets
    in Luxembourg in April, June and October and in Brussels otherwise: two seats, split by month."""


class Topic(Matchable):
    id: str


class WeightedPattern(Strict):
    name: str
    pattern: Regex
    weight: float = 1.0


class AiPolicy(Strict):
    """``ai_policy`` is true when AI terms and policy terms meet often enough in one sentence."""

    ai_terms: list[Regex]
    policy_terms: list[Regex]
    core_ai_terms: list[Regex] = Field(default_factory=list)
    """Terms that name AI itself (not digital-policy proxies such as "data flows"): what ``needs_ai``
    series (generic summits, declarations, laws) require near the mention. Empty: use ai_terms."""
    negative: list[WeightedPattern] = Field(default_factory=list)
    title_weight: float = 2.0
    sentence_weight: float = 1.0
    event_weight: float = 1.0
    """Each validated event (score >= scoring.min_primary) adds this much policy evidence."""
    min_score: float = 2.0
    _ai: re.Pattern[str] | None = PrivateAttr(default=None)
    _policy: re.Pattern[str] | None = PrivateAttr(default=None)
    _core: re.Pattern[str] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _build(self) -> AiPolicy:
        self._ai = combine([], self.ai_terms)
        self._policy = combine([], self.policy_terms)
        self._core = combine([], self.core_ai_terms) or self._ai
        return self

    @property
    def core(self) -> re.Pattern[str]:
        assert self._core is not None
        return self._core

    @property
    def ai(self) -> re.Pattern[str]:
        assert self._ai is not None
        return self._ai

    @property
    def policy(self) -> re.Pattern[str]:
        assert self._policy is not None
        return self._policy


class Series(Matchable):
    """A named event series (or a generic trigger when ``generic`` is true).

    ``name`` is the canonical name; for generic rules it is a template where ``{parties}``
    is filled with the jurisdictions involved (EU first, then alphabetical) and ``{name}``
    with the proper name written before the trigger ("International AI Summit").
    """

    id: str
    type: str
    name: str
    parties: list[str] = Field(default_factory=list)
    location: str | None = None
    generic: bool = False
    needs_ai: bool = False
    """The sentence must itself mention AI (generic summits, declarations, laws)."""
    needs_actor: bool = False
    """The sentence must name a public actor (ministry, agency, government...): MoUs."""
    key_from: Literal["name", "parties", "mention"] = "name"
    """What tells two events of this rule apart: the canonical name; the parties (and year);
    or ``mention``: the parties plus the words the pattern matched when they name the event
    (a bill number, an Act's name), so two states' AI laws of one year are two events."""
    weight: float = 1.0

    @model_validator(mode="after")
    def _check(self) -> Series:
        if self.type not in EVENT_TYPES:
            raise ValueError(f"type must be one of {', '.join(EVENT_TYPES)}")
        if not self.aliases and not self.patterns:
            raise ValueError("needs at least one alias or pattern")
        return self


class EventTypeRules(Matchable):
    """Per type: cue words that turn a mention into an event, and a prior weight for salience.

    ``aliases``/``patterns`` are the type's cues (a meeting verb, "signed", "entered into
    force"...). When ``attribute_cues`` is true an ordinal, date, place or status also counts
    as a cue (a meeting "in Tokyo in 2025" is an event even without a verb).
    """

    type: str
    prior: float = 1.0
    attribute_cues: bool = True
    anaphora: list[Regex] = Field(default_factory=list)
    """Phrases that refer back to a recent event of this type ("the summit", "the MoU")."""
    _ana: re.Pattern[str] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _ana_build(self) -> EventTypeRules:
        self._ana = combine([], self.anaphora)
        return self

    @property
    def ana(self) -> re.Pattern[str] | None:
        return self._ana


class Negative(Strict):
    """A hard negative: a pattern that vetoes events of some types in the same sentence/title."""

    id: str
    pattern: Regex
    vetoes: list[str]
    scope: Literal["sentence", "title"] = "sentence"
    unless: Regex | None = None
    """No veto when this also matches (e.g. a NATO summit sentence that names the AI summit)."""


class StatusRules(Strict):
    upcoming: list[Regex]
    held: list[Regex]
    postponed: list[Regex]
    _rx: dict[str, re.Pattern[str]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _build(self) -> StatusRules:
        for name in ("postponed", "upcoming", "held"):
            rx = combine([], getattr(self, name))
            assert rx is not None
            self._rx[name] = rx
        return self

    @property
    def rx(self) -> dict[str, re.Pattern[str]]:
        return self._rx


class Scoring(Strict):
    """Salience weights: why one event is the item's primary one (see events.score)."""

    mention: float = 1.0
    anaphora: float = 0.6
    ordinal: float = 0.7
    date: float = 0.4
    location: float = 0.4
    status: float = 0.4
    cue: float = 0.5
    title: float = 2.5
    early: float = 0.5
    early_sentences: int = 4
    boilerplate_factor: float = 0.3
    domestic_mou_factor: float = 0.6
    min_primary: float = 2.0
    anaphora_window: int = 4


class Rules(Strict):
    version: int = 1
    scoring: Scoring = Field(default_factory=Scoring)
    ai_policy: AiPolicy
    jurisdictions: list[Jurisdiction]
    places: list[Place] = Field(default_factory=list)
    seats: list[Seat] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    event_types: list[EventTypeRules]
    series: list[Series]
    negatives: list[Negative] = Field(default_factory=list)
    status: StatusRules
    actors: list[Regex] = Field(default_factory=list)
    """Public actors (ministry, agency, government, commission...): an MoU needs one."""
    companies: list[Regex] = Field(default_factory=list)
    """Company cues: an MoU sentence with these and no public actor is company business."""
    boilerplate_markers: list[Regex] = Field(default_factory=list)
    """A line matching one starts trailing boilerplate ("Related links", "Key questions")."""
    _by_code: dict[str, Jurisdiction] = PrivateAttr(default_factory=dict)
    _types: dict[str, EventTypeRules] = PrivateAttr(default_factory=dict)
    _actor: re.Pattern[str] | None = PrivateAttr(default=None)
    _company: re.Pattern[str] | None = PrivateAttr(default=None)
    _boiler: re.Pattern[str] | None = PrivateAttr(default=None)
    _fast: Any = PrivateAttr(default=None)
    _origin: tuple[str, int] | None = PrivateAttr(default=None)
    """(resolved path, mtime) of the file these rules were loaded from, set by load_rules."""

    @model_validator(mode="after")
    def _index(self) -> Rules:
        self._by_code = {j.code: j for j in self.jurisdictions}
        if len(self._by_code) != len(self.jurisdictions):
            raise ValueError("jurisdiction codes must be unique")
        self._types = {t.type: t for t in self.event_types}
        missing = [t for t in EVENT_TYPES if t not in self._types]
        if missing:
            raise ValueError(f"event_types must define {', '.join(missing)}")
        for s in self.series:
            for p in s.parties:
                if p not in self._by_code:
                    raise ValueError(f"series {s.id}: unknown party {p!r}")
        known = {p.name for p in self.places}
        for j in self.jurisdictions:
            if j.kind == "country" and j.name not in known:
                names = [j.name] + ([j.short] if j.short else [])
                self.places.append(Place(name=j.label, jurisdiction=j.code, aliases=names))
        # Every other country is a party too, by its CLDR names (not a place: events are placed
        # in cities). The rules' own entries add aliases, capitals and leaders to the big ones.
        for code, name in every_country():
            if code not in self._by_code:
                j = Jurisdiction(code=code, name=name, name_is_alias=name not in AMBIGUOUS_IN_ENGLISH)
                self.jurisdictions.append(j)
                self._by_code[code] = j
        self._actor = combine([], self.actors)
        self._company = combine([], self.companies)
        self._boiler = combine([], self.boilerplate_markers)
        self._fast = CompiledRules(self)
        return self

    @property
    def fast(self) -> CompiledRules:
        """Plain-Python view of the compiled rules (pydantic attribute access is slow in hot loops)."""
        # Read the private slot directly: pydantic's __getattr__ for private attributes costs ~5 µs.
        return self.__pydantic_private__["_fast"]  # type: ignore[index,no-any-return]

    def jurisdiction(self, code: str) -> Jurisdiction | None:
        # The private slot read directly, as ``fast`` does: asked for each party of each mention.
        return self.__pydantic_private__["_by_code"].get(code)  # type: ignore[index,no-any-return]

    def event_type(self, type_: str) -> EventTypeRules:
        return self.__pydantic_private__["_types"][type_]  # type: ignore[index,no-any-return]

    @property
    def actor_rx(self) -> re.Pattern[str] | None:
        return self._actor

    @property
    def company_rx(self) -> re.Pattern[str] | None:
        return self._company

    @property
    def boilerplate_rx(self) -> re.Pattern[str] | None:
        return self._boiler

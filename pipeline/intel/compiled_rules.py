"""The rules as the hot path reads them: plain attributes, prefiltered patterns and gazetteers, built once."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pipeline.intel.alias_gazetteer import AliasGazetteer
from pipeline.intel.country_names import country_names
from pipeline.intel.prefilter import FactorIndex, FastRx, clear_text_caches, fast
from pipeline.intel.sieve import GuidedRx

if TYPE_CHECKING:
    from pipeline.intel.rules_schema import Rules, Series


class CompiledRules:
    """Everything the hot path needs, as plain attributes built once per loaded Rules."""

    def __init__(self, rules: Rules) -> None:
        def must(rx: re.Pattern[str] | None) -> FastRx:
            assert rx is not None
            return FastRx(rx)

        self.juris = AliasGazetteer(
            [
                (
                    j.code,
                    [*j.aliases, *([j.name] if j.name_is_alias else []), *_other_names(j)],
                    list(j.patterns),
                )
                for j in rules.jurisdictions
            ]
        )
        self.places = AliasGazetteer([(p.name, [p.name, *p.aliases], list(p.patterns)) for p in rules.places])
        countries = {j.label for j in rules.jurisdictions if j.kind == "country"}
        self.cities = frozenset(p.name for p in rules.places if p.name not in countries)
        """The places that are cities, not the countries added from the jurisdictions."""
        self.series: list[tuple[Series, FastRx]] = [(s, FastRx(s.rx)) for s in rules.series if s.rx]
        self.type_cue: dict[str, FastRx | None] = {t.type: fast(t.rx) for t in rules.event_types}
        self.type_ana: dict[str, FastRx | None] = {t.type: fast(t.ana) for t in rules.event_types}
        self.prior: dict[str, float] = {t.type: t.prior for t in rules.event_types}
        self.attribute_cues: dict[str, bool] = {t.type: t.attribute_cues for t in rules.event_types}
        self.ai = must(rules.ai_policy.ai)
        self.core_ai = must(rules.ai_policy.core)
        self.policy = must(rules.ai_policy.policy)
        self.negative = [(n.name, FastRx(n.pattern), n.weight) for n in rules.ai_policy.negative]
        self.status = {k: FastRx(v) for k, v in rules.status.rx.items()}
        self.topics: list[tuple[str, FastRx]] = [(t.id, FastRx(t.rx)) for t in rules.topics if t.rx]
        self.actor = fast(rules.actor_rx)
        self.company = fast(rules.company_rx)
        self.boiler = fast(rules.boilerplate_rx)
        every: list[FastRx | None] = [
            *(rx for _, rx in self.series),
            *self.type_cue.values(),
            *self.type_ana.values(),
            self.ai,
            self.core_ai,
            self.policy,
            *(rx for _, rx, _ in self.negative),
            *self.status.values(),
            *(rx for _, rx in self.topics),
            self.actor,
            self.company,
            self.boiler,
            *(rx for rx, _ in self.juris.patterns),
            *(rx for rx, _ in self.places.patterns),
        ]
        self._every = [rx for rx in every if rx is not None]
        self.index = FactorIndex(self._every)
        # Searched with RE2 proposing where (the same matches): a veto is asked of every mention.
        self.vetoes: list[tuple[frozenset[str], bool, GuidedRx, GuidedRx | None]] = [
            (
                frozenset(n.vetoes),
                n.scope == "title",
                GuidedRx(n.pattern),
                None if n.unless is None else GuidedRx(n.unless),
            )
            for n in rules.negatives
        ]
        # Factor id -> positions in self.series whose prefilter it satisfies (one pass for a title).
        self._series_always = [k for k, (_, rx) in enumerate(self.series) if rx.index is None]
        self._series_by_fid: dict[int, list[int]] = {}
        for k, (_, rx) in enumerate(self.series):
            for f in rx.fids or ():
                self._series_by_fid.setdefault(f, []).append(k)

    def index_patterns(self) -> list[FastRx]:
        """Every prefiltered pattern the hot path runs (those registered with ``index``)."""
        return list(self._every)

    def forget_texts(self) -> None:
        """Drop what is cached per whole text (gazetteer spans, factor sets, lower-cased copies),
        keeping the per-word factor cache. A benchmark that classifies the same texts again
        calls this between passes, so it measures the work of new items, not cache hits."""
        self.juris._cache.clear()
        self.places._cache.clear()
        self.index._texts.clear()
        clear_text_caches()

    def series_candidates(self, text: str) -> list[int]:
        """Positions in ``series`` (ascending) whose ``FastRx.finditer(text)`` may find something."""
        present = self.index.text_presence(text)
        found = {k for k in self._series_always if self.series[k][1]._may_match(text)}
        return sorted(self._with_factors(found, present))

    def series_with_factors(self, present: Iterable[int]) -> list[int]:
        """Positions in ``series`` (ascending) that can match a text containing only the factors
        ``present`` (ids of ``index``), with those the index cannot judge."""
        return sorted(self._with_factors(set(self._series_always), present))

    def _with_factors(self, found: set[int], present: Iterable[int]) -> set[int]:
        by_fid = self._series_by_fid
        for f in present:
            got = by_fid.get(f)
            if got:
                found.update(got)
        return found


def _other_names(j: Any) -> tuple[str, ...]:
    """A country's name in other languages (CLDR), beside the aliases the rules write."""
    if j.kind != "country":
        return ()
    # a name that is a US state or a first name in English is one in Spanish or Italian too
    return (
        country_names(j.code) if j.name_is_alias else tuple(n for n in country_names(j.code) if n != j.name)
    )

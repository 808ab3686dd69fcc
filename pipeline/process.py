"""The analyse stage (``PreparedItem`` -> ``ProcessedItem``): classification with evidence and the
story signature. The stages before it are in ``pipeline.stages``; ``process_item`` runs one item
through all of them, for the paths that classify without storing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from pipeline.classify import classify
from pipeline.intel.rules_schema import Rules
from pipeline.stages import prepare_item
from pipeline.stories import story_keys
from pipeline.types import PreparedItem, ProcessedItem, RawItem

CLASSIFIED_CHARS = 50_000
"""How much main text the classifier and the story signature read: the first 50,000 characters.

News states its event in the headline and the lead, so nothing is lost on real articles (the
longest in the labelled corpus is far shorter); a hostile or broken page can be megabytes, and
classification cost grows with its length. The cap bounds the work per item; the stored text
stays whole."""


def merge_jurisdictions(found: list[str], implied: Iterable[str]) -> list[str]:
    out = list(found)
    for code in implied:
        if code not in out:
            out.append(code)
    return out


def classified_text(text: str) -> str:
    """The part of an item's main text that goes to the classifier (see CLASSIFIED_CHARS)."""
    return text[:CLASSIFIED_CHARS]


def analyse_items(
    prepared: Sequence[PreparedItem], rules: Rules | None = None, implied_jurisdictions: Iterable[str] = ()
) -> list[ProcessedItem]:
    """Classify prepared items and sign their stories (one MinHash pass for the whole batch)."""
    implied = list(implied_jurisdictions)
    keys = story_keys([classified_text(p.text) for p in prepared])  # bounded work, as classification
    out: list[ProcessedItem] = []
    for prep, key in zip(prepared, keys, strict=True):
        raw = prep.raw
        result = classify(raw.title, classified_text(prep.text), raw.published, rules)
        if result.ai_policy and implied:
            result = replace(result, jurisdictions=merge_jurisdictions(result.jurisdictions, implied))
        out.append(
            ProcessedItem(
                raw=raw,
                canonical_url=prep.canonical_url,
                text=prep.text,
                content_hash=prep.content_hash,
                classification=result,
                story_signature=key.signature if key else None,
                story_bands=key.bands if key else [],
            )
        )
    return out


def process_item(
    raw: RawItem, rules: Rules | None = None, implied_jurisdictions: Iterable[str] = ()
) -> ProcessedItem:
    return analyse_items([prepare_item(raw)], rules, implied_jurisdictions)[0]


__all__ = [
    "CLASSIFIED_CHARS",
    "analyse_items",
    "classified_text",
    "merge_jurisdictions",
    "prepare_item",
    "process_item",
]

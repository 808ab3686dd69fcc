"""RawItem -> ProcessedItem: main text, identity keys and classification, in one pure step."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from pipeline.classify import classify
from pipeline.intel.rules_schema import Rules
from pipeline.stories import story_keys
from pipeline.text import content_hash, extract_article, html_to_text, strip_unsafe_chars
from pipeline.types import ProcessedItem, RawItem
from pipeline.urls import canonical_url

_MIN_EXTRACTED_CHARS = 200


def _looks_like_page(html: str) -> bool:
    head = html[:2000].lower()
    return "<html" in head or "<body" in head or "<!doctype" in head


def main_text(raw: RawItem) -> str:
    """The best text a source gave us: plain body, else HTML main text, else the summary."""
    if raw.body.strip():
        return raw.body.strip()
    if raw.html.strip():
        extracted = extract_article(raw.html, raw.url).text
        if _looks_like_page(raw.html):
            if extracted:
                return extracted
        else:
            # A content fragment (feed content:encoded, WordPress content.rendered): trafilatura
            # drops embedded promo blocks, but on very short fragments it may drop everything.
            fragment_text = html_to_text(raw.html)
            if len(extracted) >= min(_MIN_EXTRACTED_CHARS, len(fragment_text) // 2):
                return extracted
            return fragment_text
    return raw.summary.strip()


def merge_jurisdictions(found: list[str], implied: Iterable[str]) -> list[str]:
    out = list(found)
    for code in implied:
        if code not in out:
            out.append(code)
    return out


@dataclass(slots=True)
class PreparedItem:
    """A RawItem with its main text and identity keys: enough to drop duplicates before the
    costly part (classification), which then only runs on items that will be stored."""

    raw: RawItem
    text: str
    canonical_url: str
    content_hash: str


def clean_raw(raw: RawItem) -> RawItem:
    """The item with control characters and bidi overrides stripped from every text field, the
    first thing ingest does: no store, feed, terminal or PostgreSQL column ever sees them (see
    ``strip_unsafe_chars``). Idempotent, so every path may apply it."""
    clean = strip_unsafe_chars
    return replace(
        raw,
        url=clean(raw.url),
        title=clean(raw.title),
        summary=clean(raw.summary),
        body=clean(raw.body),
        html=clean(raw.html),
        guid=clean(raw.guid) if raw.guid is not None else None,
        language=clean(raw.language) if raw.language is not None else None,
    )


def prepare_item(raw: RawItem) -> PreparedItem:
    raw = clean_raw(raw)
    text = main_text(raw)
    return PreparedItem(raw, text, canonical_url(raw.url), content_hash(raw.title, text))


CLASSIFIED_CHARS = 50_000
"""How much main text the classifier and the story signature read: the first 50,000 characters.

News states its event in the headline and the lead, so nothing is lost on real articles (the
longest in the labelled corpus is far shorter); a hostile or broken page can be megabytes, and
classification cost grows with its length. The cap bounds the work per item; the stored text
stays whole."""


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

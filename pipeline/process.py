"""RawItem -> ProcessedItem: main text, identity keys and classification, in one pure step."""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.classify import classify
from pipeline.rules import Rules
from pipeline.stories import story_key
from pipeline.text import content_hash, extract_main_text, html_fragment_to_text
from pipeline.types import Classification, ProcessedItem, RawItem
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
        extracted, _meta = extract_main_text(raw.html, raw.url)
        if _looks_like_page(raw.html):
            if extracted:
                return extracted
        else:
            # A content fragment (feed content:encoded, WordPress content.rendered): trafilatura
            # drops embedded promo blocks, but on very short fragments it may drop everything.
            fragment_text = html_fragment_to_text(raw.html)
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


def process_item(
    raw: RawItem, rules: Rules | None = None, implied_jurisdictions: Iterable[str] = ()
) -> ProcessedItem:
    text = main_text(raw)
    result = classify(raw.title, text, raw.published, rules)
    if result.ai_policy:
        result = Classification(
            ai_policy=result.ai_policy,
            event_type=result.event_type,
            jurisdictions=merge_jurisdictions(result.jurisdictions, implied_jurisdictions),
            topics=result.topics,
            labels=result.labels,
            events=result.events,
            evidence=result.evidence,
        )
    key = story_key(text)
    return ProcessedItem(
        raw=raw,
        canonical_url=canonical_url(raw.url),
        text=text,
        content_hash=content_hash(raw.title, text),
        classification=result,
        story_signature=key.signature if key else None,
        story_bands=key.bands if key else [],
    )

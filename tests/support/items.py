"""A processed item ready for the store, with or without events: the shape the store tests and
the typed-boundary tests both feed in."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.text import content_hash
from pipeline.types import Classification, ExtractedEvent, ProcessedItem, RawItem
from pipeline.types import Label as LabelT
from pipeline.urls import canonical_url

DPC = ExtractedEvent(
    type="dpc_meeting",
    name="EU-Japan Digital Partnership Council",
    key="dpc_meeting:eu-japan-digital-partnership-council:4",
    evidence="The fourth meeting will take place in Tokyo.",
    series="EU-Japan Digital Partnership Council",
    ordinal=4,
)


def processed(
    url: str, text: str, guid: str | None = None, events: tuple[ExtractedEvent, ...] = ()
) -> ProcessedItem:
    raw = RawItem(
        source_id="src",
        url=url,
        title=f"Title of {url}",
        published=datetime(2026, 11, 16, tzinfo=UTC),
        body=text,
        guid=guid,
    )
    cls = Classification(
        ai_policy=True,
        event_type=events[0].type if events else "none",
        jurisdictions=["EU", "JP"],
        topics=["ai_regulation"],
        labels=[LabelT("jurisdiction", "EU", "jurisdiction:EU", "The European Union and Japan...")],
        events=list(events),
        evidence=events[0].evidence if events else "",
    )
    return ProcessedItem(
        raw=raw,
        canonical_url=canonical_url(url),
        text=text,
        content_hash=content_hash("", text),
        classification=cls,
    )

"""The shapes that flow through the pipeline core, shared by every source kind.

Every fetcher (feed poller, Scrapy spider, JSON-lines import) produces a ``RawItem``; one
processing path turns it into a ``ProcessedItem``, one typed value per stage (``RawItem`` ->
``LinkedItem`` -> ``EnrichedItem`` -> ``PreparedItem`` -> ``ProcessedItem``, see
``pipeline.stages``). Nothing here knows about Prefect, Scrapy or the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class RawItem:
    """One item as a source delivered it, before any cleaning."""

    source_id: str
    url: str
    title: str = ""
    published: datetime | None = None
    summary: str = ""
    body: str = ""
    """Plain text of the item when the source gave text."""
    html: str = ""
    """HTML of the article (full page or content fragment) when the source gave HTML."""
    guid: str | None = None
    """The source's own id for the item (feed GUID, WordPress id, imported line id)."""
    language: str | None = None
    categories: list[str] = field(default_factory=list)
    """The source's own categories or tags (feed ``<category>``, an API's field): for the
    per-source ``include``/``exclude`` filters of sources.yaml, not stored."""


@dataclass(frozen=True, slots=True)
class LinkedItem:
    """Stage 3 of ``pipeline.stages`` (screen): a cleaned item with a web link, and that link's
    canonical form, computed here once and carried to the store (the dedup by link, the unique
    index and every later stage read this one value)."""

    raw: RawItem
    canonical_url: str


@dataclass(frozen=True, slots=True)
class EnrichedItem:
    """Stage 4 (enrich): the item's main text, from its article page when one was fetched, else
    from what the source gave (body, HTML, summary)."""

    raw: RawItem
    """With ``html`` replaced by the article page's when one was fetched."""
    canonical_url: str
    text: str


@dataclass(frozen=True, slots=True)
class PreparedItem:
    """Stage 5 (prepare): the content hash added, computed once. Enough to drop duplicates before
    the costly part (classification), which then only runs on items that will be stored."""

    raw: RawItem
    canonical_url: str
    text: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class Label:
    """One classification decision and why it was made."""

    kind: str
    """``jurisdiction``, ``topic``, ``event_type`` or ``ai_policy``."""
    value: str
    rule: str
    """Name of the rule in rules.yaml that produced the label."""
    evidence: str
    """The sentence that triggered the rule."""


@dataclass(frozen=True, slots=True)
class ExtractedEvent:
    """An event an item reports (a meeting, a summit, an MoU, a law milestone, a declaration)."""

    type: str
    name: str
    """Normalised series or event name, e.g. 'EU-Japan Digital Partnership Council'."""
    key: str
    """Deterministic identity: the same real-world event reported anywhere gets the same key."""
    evidence: str
    series: str | None = None
    ordinal: int | None = None
    date: str | None = None
    """ISO date, or a partial one ('2025', '2025-06')."""
    location: str | None = None
    status: str | None = None
    """``upcoming``, ``held``, ``postponed`` or None when unknown."""
    rule: str = ""
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Classification:
    """What the classifier read in one item."""

    ai_policy: bool
    event_type: str
    """Primary event type: a ``core.vocabulary.EventType`` or ``none``."""
    jurisdictions: list[str]
    topics: list[str]
    labels: list[Label]
    events: list[ExtractedEvent]
    evidence: str
    """The sentence behind the primary event type ('' when none)."""


@dataclass(slots=True)
class ProcessedItem:
    """A RawItem after cleaning, identity and classification: ready to store."""

    raw: RawItem
    canonical_url: str
    text: str
    content_hash: str
    classification: Classification
    story_signature: bytes | None = None
    """MinHash signature of the main text (None when too short to compare)."""
    story_bands: list[str] = field(default_factory=list)
    """LSH band keys of the signature: the lookup keys for near-duplicate stories."""

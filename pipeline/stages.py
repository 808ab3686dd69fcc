"""One item, one way: the pure stages every item goes through, each a plain function of the
previous stage's typed value (``pipeline.types``), run in this order:

1. fetch    ``pipeline.fetch.fetch``                      -> ``FetchResult`` (bytes)
2. parse    ``pipeline.feeds.parse_feed`` or a spider     -> ``RawItem``
3. screen   ``screen``: cleaned, web links only, the source's filters, canonical URL
                                                          -> ``LinkedItem``
   (dedup by link: the store's known URLs and GUIDs, ``services.dedup.drop_known_links``)
4. enrich   ``pipeline.articles.fetch_article_pages`` (the network, for ``fetch_articles``)
            then ``enrich``: the main text                -> ``EnrichedItem``
5. prepare  ``prepare``: the content hash                 -> ``PreparedItem``
   (dedup by text: ``services.dedup.drop_known_texts``)
6. analyse  ``pipeline.process.analyse_items``            -> ``ProcessedItem``
7. store, match, outbox: ``services.storing.store_batch`` (one transaction, no network)

Why this shape: each identity is computed once and carried (the canonical URL in ``screen``, the
hash in ``prepare``), so the store, the dedup and the unique indexes cannot disagree about what
an item is; and all network work ends before the store's transaction starts. The dedup by link
runs before the enrich stage on purpose: an article page is fetched only for an item the store
does not have yet (polling a feed must not re-fetch the pages of its twenty known entries).
Nothing here touches the store or the network.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from pipeline.source_filters import apply_filters, has_filters
from pipeline.text import content_hash, extract_article, html_to_text, strip_unsafe_chars
from pipeline.types import EnrichedItem, LinkedItem, PreparedItem, RawItem
from pipeline.urls import canonical_url, is_item_link

_MIN_EXTRACTED_CHARS = 200


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


@dataclass(slots=True)
class Screened:
    """What the screen stage kept, and what it dropped and why (for the source's report)."""

    items: list[LinkedItem] = field(default_factory=list)
    unsafe_links: int = 0
    """Items dropped because their link is not http(s) (``javascript:``, ``file:``, ``data:``)."""
    unsafe_schemes: list[str] = field(default_factory=list)
    """Their schemes, sorted: the link itself is hostile text, not for a terminal or a chat."""
    filtered: int = 0
    """Items dropped by the source's ``include``/``exclude`` filters in sources.yaml."""


def screen(raws: Iterable[RawItem], source: object = None) -> Screened:
    """Stage 3: every item cleaned (``clean_raw``: no control characters, so no poison item),
    those whose link is not http(s) dropped (a ``javascript:`` or ``file:`` link is never stored
    or shown), then the source's filters; each kept item gets its canonical URL, once."""
    out = Screened()
    kept: list[RawItem] = []
    schemes: set[str] = set()
    for raw in map(clean_raw, raws):
        if is_item_link(raw.url):
            kept.append(raw)
        else:
            schemes.add(_scheme(raw.url))
            out.unsafe_links += 1
    out.unsafe_schemes = sorted(schemes)
    if source is not None and has_filters(source):
        filtered = apply_filters(source, kept)
        kept = filtered.kept
        out.filtered = filtered.dropped_count
    out.items = [link(raw) for raw in kept]
    return out


def link(raw: RawItem) -> LinkedItem:
    """A cleaned item with its canonical URL: the one place the canonical URL is computed."""
    return LinkedItem(raw, canonical_url(raw.url))


def _scheme(url: str) -> str:
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        scheme = ""
    return f"{scheme}:" if scheme else "no scheme"


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


def enrich(items: Sequence[LinkedItem], pages: Mapping[str, str] | None = None) -> list[EnrichedItem]:
    """Stage 4: each item's main text. ``pages`` maps an item's link to its article page's HTML
    (``pipeline.articles.fetch_article_pages``, already fetched): the page replaces what the feed
    gave, the same main-text extraction as a crawled page, so both hash alike. An item whose page
    failed or was not asked for keeps the source's own text."""
    pages = pages or {}
    out: list[EnrichedItem] = []
    for item in items:
        raw = item.raw
        page = pages.get(raw.url)
        if page:
            raw = replace(raw, html=strip_unsafe_chars(page))
        out.append(EnrichedItem(raw, item.canonical_url, main_text(raw)))
    return out


def prepare(items: Sequence[EnrichedItem]) -> list[PreparedItem]:
    """Stage 5: the content hash of title and main text, computed once: the dedup by text and
    the store's unique index both read it."""
    return [PreparedItem(e.raw, e.canonical_url, e.text, content_hash(e.raw.title, e.text)) for e in items]


def prepare_item(raw: RawItem) -> PreparedItem:
    """One item through screen's cleaning, link, enrich (no article page) and prepare, without
    dropping it: for the paths that classify one item (dry-run, ``process_item``, benchmarks)."""
    return prepare(enrich([link(clean_raw(raw))]))[0]

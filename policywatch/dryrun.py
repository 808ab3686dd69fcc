"""`policywatch sources dry-run`: what a source would yield, without touching the store.

A maintainer adding a source wants to see the extracted items (titles, dates, URLs, the
classifier's reading) from the live site or from the stored fixture, before anything is kept.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.feeds import parse_feed
from pipeline.fetch import fetch, make_client
from pipeline.process import process_item
from pipeline.rules import load_rules
from pipeline.types import RawItem
from policywatch.settings import rules_path
from policywatch.sources_config import (
    FeedSource,
    JsonApiSource,
    ListingSource,
    SitemapSource,
    Source,
    load_sources,
)
from policywatch.yamlconf import ConfigError


def parse_stored_response(source: Source, body: bytes) -> list[RawItem]:
    """Parse a stored response with the same functions the fetchers use."""
    from spiders import parsing
    from spiders.items import to_raw_item

    if isinstance(source, FeedSource):
        return parse_feed(body, source.id).items
    if source.kind == "wordpress":
        return [to_raw_item(d) for d in parsing.parse_wp_posts(json.loads(body), source.id, source.language)]
    if isinstance(source, JsonApiSource):
        rows = parsing.parse_json_api(json.loads(body), source.fields, source.id, source.language, source.url)
        return [to_raw_item(d) for d in rows]
    if isinstance(source, SitemapSource):
        doc = parsing.parse_sitemap(body)
        return [
            RawItem(
                source_id=source.id,
                url=e["loc"],
                title=e.get("title") or "",
                published=parsing._as_datetime(e.get("published") or e.get("lastmod")),
            )
            for e in doc.entries
        ]
    if isinstance(source, ListingSource):
        page = parsing.decode_html(body)
        return [
            RawItem(
                source_id=source.id,
                url=link["url"],
                title=link["title"],
                published=parsing._as_datetime(link["published"]),
            )
            for link in parsing.listing_links(page, source.url, source.listing)
        ]
    raise ConfigError(f"source {source.id}: kind {source.kind} has no fixture parser; run its spider's test")


def _live(source: Source, sources_file: Path) -> list[RawItem]:
    if isinstance(source, FeedSource):
        with make_client(source.timeout_seconds, private_network=source.private_network) as client:
            result = fetch(client, source.url, max_bytes=source.max_bytes)
        return parse_feed(result.body, source.id, result.headers).items
    from spiders.runner import crawl

    crawled = crawl(source.id, sources_path=sources_file)
    if reason := crawled.failed_reason():
        raise ConfigError(f"source {source.id}: crawl failed: {reason}")
    return crawled.items


def dry_run(source_id: str, sources_file: Path, fixture: Path | None = None) -> list[dict[str, Any]]:
    sources = {s.id: s for s in load_sources(sources_file, base_url="http://127.0.0.1")}
    if source_id not in sources:
        raise ConfigError(
            f"{sources_file}: no source with id {source_id!r} (have: {', '.join(sorted(sources))})"
        )
    source = sources[source_id]
    raws = parse_stored_response(source, fixture.read_bytes()) if fixture else _live(source, sources_file)
    rules = load_rules(rules_path())
    rows = []
    for raw in raws:
        processed = process_item(raw, rules, source.jurisdictions)
        rows.append(
            {
                "url": processed.canonical_url,
                "title": raw.title,
                "published": raw.published.isoformat() if raw.published else None,
                "event_type": processed.classification.event_type,
            }
        )
    return rows

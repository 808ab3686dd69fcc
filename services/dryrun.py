"""`policywatch sources dry-run`: what a source would yield, without touching the store.

A maintainer adding a source wants to see the extracted items (titles, dates, URLs, the
classifier's reading) from the live site or from the stored fixture, before anything is kept.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from core.settings import rules_path
from core.sources_config import (
    FeedSource,
    JsonApiSource,
    ListingSource,
    SitemapSource,
    Source,
    SpiderSource,
    load_sources,
)
from core.yamlconf import ConfigError
from pipeline.feeds import parse_feed
from pipeline.fetch import FetchError, fetch, make_client
from pipeline.intel.rules_loading import load_rules
from pipeline.process import process_item
from pipeline.published import parse_published
from pipeline.source_filters import FilterResult, apply_filters
from pipeline.types import RawItem
from pipeline.urls import mask_secrets


class FetchFailed(Exception):
    """A live dry run could not get the source's response. ``label`` names the kind of failure
    for the first word a maintainer reads: ``Network error`` (DNS, refused, timed out),
    ``HTTP error`` (the server answered 4xx/5xx) or ``Crawl failed`` (anything else)."""

    def __init__(self, label: str, message: str) -> None:
        super().__init__(mask_secrets(message))
        self.label = label


def parse_unfiltered(source: Source, body: bytes, suffix: str | None = None) -> list[RawItem]:
    """Parse a stored response with the same functions the fetchers use (filters not applied).

    A ``kind: spider`` source's response goes through its own spider's ``parse``
    (``spiders.stored``); ``suffix`` (the fixture's ``.html``/``.json``/``.xml``) says which
    Response it is, or it is told from the body."""
    from spiders import parsing
    from spiders.items import to_raw_item

    if isinstance(source, FeedSource):
        return parse_feed(body, source.id).items
    if source.kind == "wordpress":
        return [to_raw_item(d) for d in parsing.parse_wp_posts(json.loads(body), source.id, source.language)]
    if isinstance(source, JsonApiSource):
        rows = parsing.parse_json_api(
            json.loads(body),
            source.fields,
            source.id,
            source.language,
            source.url,
            url_template=source.url_template,
        )
        return [to_raw_item(d) for d in rows]
    if isinstance(source, SitemapSource):
        doc = parsing.parse_sitemap(body)
        return [
            RawItem(
                source_id=source.id,
                url=e["loc"],
                title=e.get("title") or "",
                published=parse_published(e.get("published") or e.get("lastmod")),
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
                published=parse_published(link["published"]),
            )
            for link in parsing.listing_links(page, source.url, source.listing)
        ]
    if isinstance(source, SpiderSource):
        from spiders.stored import parse_site_fixture

        return [to_raw_item(d) for d in parse_site_fixture(source, body, suffix)]
    raise ConfigError(f"source {source.id}: kind {source.kind} has no fixture parser")


def parse_fixture(source: Source, body: bytes, suffix: str | None = None) -> FilterResult:
    """A stored response parsed, then passed through the source's include/exclude filters."""
    return apply_filters(source, parse_unfiltered(source, body, suffix))


def parse_stored_response(source: Source, body: bytes, suffix: str | None = None) -> list[RawItem]:
    """The items a stored response yields once the source's filters have run: what is stored."""
    return parse_fixture(source, body, suffix).kept


_NETWORK_ERRORS = frozenset(
    {
        # Scrapy 2.13+ names
        "CannotResolveHostError",
        "DownloadConnectionRefusedError",
        "DownloadTimeoutError",
        "DownloadFailedError",
        "ResponseDataLossError",
        # Twisted and older Scrapy names
        "DNSLookupError",
        "ConnectionRefusedError",
        "ConnectError",
        "ConnectionLost",
        "ConnectionDone",
        "TimeoutError",
        "TCPTimedOutError",
        "ResponseNeverReceived",
        "ResponseFailed",
        "TunnelError",
        "NoRouteError",
        "SSLError",
    }
)


def crawl_failure(source: Source, reason: str, errors: list[str], timed_out: bool) -> FetchFailed:
    """Name a failed crawl by its cause: a network error, an HTTP error, or a crawl failure."""
    first_words = [e.split(" ", 1)[0] for e in errors]
    message = f"source {source.id}: {reason}"
    if timed_out or any(w in _NETWORK_ERRORS for w in first_words):
        return FetchFailed("Network error", message)
    statuses = [int(w) for w in first_words if w.isdigit()]
    if statuses:
        keys = getattr(source, "params_env", None) or {}
        if keys and any(s in (401, 403) for s in statuses):
            message += f" (is the key in {', '.join(sorted(set(keys.values())))} valid?)"
        return FetchFailed("HTTP error", message)
    return FetchFailed("Crawl failed", message)


@dataclass(slots=True)
class DryRun:
    rows: list[dict[str, Any]]
    items: list[RawItem]
    dropped: Counter[str] = field(default_factory=Counter)
    """Items the source's filters dropped, by filter (``exclude.url '/foreign-travel-advice/'``)."""

    def filter_lines(self) -> list[str]:
        return [f"{n} item(s) dropped by {reason}" for reason, n in self.dropped.most_common()]


def _live(source: Source, sources_file: Path) -> FilterResult:
    if isinstance(source, FeedSource):
        try:
            with make_client(source.timeout_seconds, private_network=source.private_network) as client:
                result = fetch(client, source.url, max_bytes=source.max_bytes)
        except FetchError as exc:
            label = "Network error" if exc.status is None else "HTTP error"
            raise FetchFailed(label, f"source {source.id}: {exc}") from None
        return apply_filters(source, parse_feed(result.body, source.id, result.headers).items)
    from spiders.runner import crawl

    crawled = crawl(source.id, sources_path=sources_file)
    if crawled.setup_error:  # an unset params_env variable
        raise ConfigError(crawled.setup_error)
    if reason := crawled.failed_reason():
        raise crawl_failure(source, reason, crawled.errors, crawled.timed_out)
    # The crawl applied the filters itself (spiders.pipelines); its stats say what they dropped.
    prefix = "policywatch/filtered/"
    dropped = Counter({k[len(prefix) :]: int(v) for k, v in crawled.stats.items() if k.startswith(prefix)})
    return FilterResult(kept=crawled.items, dropped=dropped)


def dry_run(source_id: str, sources_file: Path, fixture: Path | None = None) -> DryRun:
    sources = {s.id: s for s in load_sources(sources_file, base_url="http://127.0.0.1")}
    if source_id not in sources:
        raise ConfigError(
            f"{sources_file}: no source with id {source_id!r} (have: {', '.join(sorted(sources))})"
        )
    source = sources[source_id]
    result = (
        parse_fixture(source, fixture.read_bytes(), fixture.suffix)
        if fixture
        else _live(source, sources_file)
    )
    rules = load_rules(rules_path())
    rows = []
    for raw in result.kept:
        processed = process_item(raw, rules, source.jurisdictions)
        rows.append(
            {
                "url": processed.canonical_url,
                "title": raw.title,
                "published": raw.published.isoformat() if raw.published else None,
                "event_type": processed.classification.event_type,
            }
        )
    return DryRun(rows=rows, items=result.kept, dropped=result.dropped)


# --------------------------------------------------------------------------- --format expected


def _literal(text: str) -> str:
    """A double-quoted Python string literal (what ruff format writes), non-ASCII kept as is."""
    return json.dumps(text, ensure_ascii=False)


def expected_entry(source_id: str, items: list[RawItem], dropped: Counter[str] | None = None) -> str:
    """The ``EXPECTED`` entry of tests/integration/test_shipped_sources.py for these items, ready to paste
    into the dict: one ``(utc("..."), "title", "url")`` tuple per item, in document order, with
    the instant in UTC. An item without a date gets ``None`` and a comment: the test fails on it
    until the source's date field (or ``date_format``) is fixed."""
    lines = [f"    {_literal(source_id)}: ["]
    for reason, n in (dropped or Counter()).most_common():
        lines.append(f"        # {n} item(s) dropped by {reason}")
    for item in items:
        if item.published is not None:
            aware = item.published if item.published.tzinfo else item.published.replace(tzinfo=UTC)
            when = aware.astimezone(UTC).replace(tzinfo=None).isoformat()
            stamp = f"utc({_literal(when)}),"
        else:
            stamp = "None,  # no publication date found: check the source's date field"
        lines += [
            "        (",
            f"            {stamp}",
            f"            {_literal(item.title)},",
            f"            {_literal(item.url)},",
            "        ),",
        ]
    lines.append("    ],")
    return "\n".join(lines) + "\n"

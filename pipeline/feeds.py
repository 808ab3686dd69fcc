"""Feed documents (RSS 0.9x/1.0/2.0, Atom) to RawItems.

feedparser always gets bytes (never a URL): fetching, caching and size limits are ours.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from pipeline.text import html_fragment_to_text
from pipeline.types import RawItem


@dataclass(slots=True)
class ParsedFeed:
    items: list[RawItem]
    version: str
    title: str = ""
    error: str | None = None
    """Set when the document was malformed; ``items`` still holds what parsed before the error."""
    warnings: list[str] = field(default_factory=list)


class NotAFeed(ValueError):
    """The body is not RSS/Atom at all (an HTML error page, an empty body)."""


def _entry_datetime(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    return None


def _entry_html(entry: Any) -> str:
    for content in entry.get("content") or []:
        if content.get("value"):
            return str(content["value"])
    return ""


def parse_feed(body: bytes, source_id: str, headers: dict[str, str] | None = None) -> ParsedFeed:
    """Parse one feed document; raise NotAFeed when it is not a feed."""
    parsed = feedparser.parse(body, response_headers=headers or {}, sanitize_html=True)
    if not parsed.get("version") and not parsed.entries:
        reason = "empty response" if not body.strip() else "not an RSS/Atom document"
        if parsed.get("bozo") and parsed.get("bozo_exception") is not None:
            reason += f" ({parsed.bozo_exception})"
        raise NotAFeed(reason)
    items: list[RawItem] = []
    for entry in parsed.entries:
        link = entry.get("link") or ""
        guid = entry.get("id") or link or None
        if not link and guid and str(guid).startswith("http"):
            link = str(guid)
        if not link:
            continue
        summary_html = entry.get("summary") or entry.get("description") or ""
        content_html = _entry_html(entry)
        items.append(
            RawItem(
                source_id=source_id,
                url=link,
                title=html_fragment_to_text(entry.get("title") or ""),
                published=_entry_datetime(entry),
                summary=html_fragment_to_text(summary_html),
                html=content_html,
                guid=str(guid) if guid else None,
                language=(entry.get("language") or parsed.feed.get("language") or None),
            )
        )
    error = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        # feedparser flags a charset override as bozo too; that is a warning, not a broken feed.
        if exc is not None and type(exc).__name__ not in ("CharacterEncodingOverride",):
            error = f"malformed feed: {exc}"
    return ParsedFeed(
        items=items, version=parsed.get("version") or "", title=parsed.feed.get("title", ""), error=error
    )

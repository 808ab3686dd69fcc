"""Feed documents (RSS 0.9x/1.0/2.0, Atom) to RawItems.

feedparser always gets bytes (never a URL): fetching, caching and size limits are ours.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from pipeline.published import parse_published
from pipeline.text import html_to_text
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
    # A date feedparser could not read (``Thu,28 Jul 2022 4:35:5 GMT+9``): the project's parser.
    for key in ("published", "updated", "created"):
        if value := entry.get(key):
            return parse_published(str(value))
    return None


def _entry_html(entry: Any) -> str:
    for content in entry.get("content") or []:
        if content.get("value"):
            return str(content["value"])
    return ""


def _entry_categories(entry: Any) -> list[str]:
    """``<category>`` (RSS), ``<category term label>`` (Atom) and ``dc:subject`` values."""
    found: list[str] = []
    for tag in entry.get("tags") or []:
        for value in (tag.get("term"), tag.get("label")):
            text = html_to_text(str(value or ""))
            if text and text not in found:
                found.append(text)
    return found


_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""")
_SINGLE_BYTE = re.compile(r"^(iso-?8859-\d+|latin-?1|us-ascii|ascii|windows-125\d|cp125\d)$", re.I)


def _trusted_headers(body: bytes, headers: dict[str, str]) -> dict[str, str]:
    """Drop a single-byte HTTP charset that contradicts a multi-byte XML declaration.

    feedparser follows RFC 3023 (the HTTP charset wins), but servers often send a default
    ``charset=ISO-8859-1`` for Shift_JIS or EUC-KR feeds: when the document's own declaration
    names a multi-byte encoding and the bytes decode cleanly with it, the declaration is right.
    """
    key = next((k for k in headers if k.lower() == "content-type"), None)
    if key is None or "charset=" not in headers[key].lower():
        return headers
    declared = _XML_DECL.match(body[:300])
    http_charset = headers[key].lower().split("charset=", 1)[1].split(";")[0].strip().strip('"')
    if not declared or not _SINGLE_BYTE.match(http_charset):
        return headers
    encoding = declared.group(1).decode("ascii")
    if _SINGLE_BYTE.match(encoding):
        return headers
    try:
        body.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return headers
    return {**headers, key: headers[key].split(";")[0].strip()}


def parse_feed(body: bytes, source_id: str, headers: dict[str, str] | None = None) -> ParsedFeed:
    """Parse one feed document; raise NotAFeed when it is not a feed."""
    parsed = feedparser.parse(
        body, response_headers=_trusted_headers(body, headers or {}), sanitize_html=True
    )
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
                title=html_to_text(entry.get("title") or ""),
                published=_entry_datetime(entry),
                summary=html_to_text(summary_html),
                html=content_html,
                guid=str(guid) if guid else None,
                language=(entry.get("language") or parsed.feed.get("language") or None),
                categories=_entry_categories(entry),
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

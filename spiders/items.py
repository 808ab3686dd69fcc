"""The item every spider yields, and its conversion to the pipeline's RawItem.

Spiders yield ``ArticleItem`` (a dataclass, so Scrapy's exporters write it as JSON lines with
``published`` as an ISO string); the runner reads the lines back with ``to_raw_item``. Keeping
the item JSON-plain is what lets a crawl live in its own OS process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from pipeline.published import parse_published
from pipeline.types import RawItem


@dataclass
class ArticleItem:
    """Mirror of ``pipeline.types.RawItem`` with ``published`` as an ISO-8601 string."""

    source_id: str
    url: str
    title: str = ""
    published: str | None = None
    summary: str = ""
    body: str = ""
    html: str = ""
    guid: str | None = None
    language: str | None = None
    categories: list[str] = field(default_factory=list)


_FIELDS = {f.name for f in fields(ArticleItem)}


def item_from_dict(data: Mapping[str, Any]) -> ArticleItem:
    """Build an ArticleItem from a parsing-function dict, ignoring keys it does not know."""
    return ArticleItem(**{k: v for k, v in data.items() if k in _FIELDS})


def to_raw_item(data: Mapping[str, Any]) -> RawItem:
    """Convert one exported item (a JSON-lines dict) into a RawItem; unknown keys are ignored."""
    return RawItem(
        source_id=str(data.get("source_id") or ""),
        url=str(data.get("url") or ""),
        title=str(data.get("title") or ""),
        published=parse_published(data.get("published") or None),
        summary=str(data.get("summary") or ""),
        body=str(data.get("body") or ""),
        html=str(data.get("html") or ""),
        guid=str(data["guid"]) if data.get("guid") not in (None, "") else None,
        language=data.get("language") or None,
        categories=[str(c) for c in data.get("categories") or [] if c not in (None, "")],
    )

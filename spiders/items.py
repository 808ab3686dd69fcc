"""The item every spider yields, and its conversion to the pipeline's RawItem.

Spiders yield ``ArticleItem`` (a dataclass, so Scrapy's exporters write it as JSON lines with
``published`` as an ISO string); the runner reads the lines back with ``to_raw_item``. Keeping
the item JSON-plain is what lets a crawl live in its own OS process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, TypedDict

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


class _ItemKeys(TypedDict):
    source_id: str
    url: str
    title: str
    published: str | None
    summary: str
    body: str
    html: str
    guid: str | None
    language: str | None


class ItemFields(_ItemKeys, total=False):
    """The dict a parsing function returns for one item: ``ArticleItem``'s fields, by name, so a
    test compares it with a literal and a spider adds to it with ``{**data, ...}``. A typed dict,
    not ``dict[str, Any]``: a misspelt key or a date left as a ``datetime`` fails mypy, not a crawl.
    ``categories`` only where the source gives them (a base class, not ``NotRequired``, so that
    ``__optional_keys__`` says so at run time too, under ``from __future__ import annotations``)."""

    categories: list[str]


class LinkHint(TypedDict):
    """What a listing page says of one article link; it rides to the article's callback as
    ``cb_kwargs["hint"]`` and fills in what the article page lacks."""

    url: str
    title: str
    published: str | None


_FIELDS = {f.name for f in fields(ArticleItem)}


def item_from_dict(data: Mapping[str, object]) -> ArticleItem:
    """Build an ArticleItem from a parsing-function dict, ignoring keys it does not know.

    The values are taken as they are (the parsers made them): this is the one place that trusts
    a mapping's values to fit the dataclass, hence the ``Any`` inside."""
    known: dict[str, Any] = {k: v for k, v in data.items() if k in _FIELDS}
    return ArticleItem(**known)


def _when(value: object) -> str | datetime | None:
    """An exported ``published`` as ``parse_published`` takes it (an ISO string, as written)."""
    if not value:
        return None
    return value if isinstance(value, str | datetime) else str(value)


def to_raw_item(data: Mapping[str, object]) -> RawItem:
    """Convert one exported item (a JSON-lines dict) into a RawItem; unknown keys are ignored."""
    guid, language = data.get("guid"), data.get("language") or None
    categories = data.get("categories") or []
    return RawItem(
        source_id=str(data.get("source_id") or ""),
        url=str(data.get("url") or ""),
        title=str(data.get("title") or ""),
        published=parse_published(_when(data.get("published"))),
        summary=str(data.get("summary") or ""),
        body=str(data.get("body") or ""),
        html=str(data.get("html") or ""),
        guid=str(guid) if guid not in (None, "") else None,
        language=str(language) if language is not None else None,
        categories=[str(c) for c in categories if c not in (None, "")]
        if isinstance(categories, list | tuple)
        else [],
    )

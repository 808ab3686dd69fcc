"""A source's stored response (its fixture) given to a site spider's own parse, offline.

``policywatch sources dry-run ID --fixture FILE``, the shipped-sources test and ``scrapy check``
all read a site spider's output this way, so the spider is tested as it runs: the Response class
a download would give (``HtmlResponse``, ``XmlResponse``, ``TextResponse`` for JSON), the
source's url as the page's url, and the spider's ``parse`` itself, not a copy of its selectors.
"""

from __future__ import annotations

import importlib
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse

from core.yamlconf import ConfigError
from spiders.items import ArticleItem
from spiders.loader import SITES_PACKAGE
from spiders.sources import REPO_ROOT

if TYPE_CHECKING:
    from core.sources_config import SpiderSource
    from spiders.spiders.base import SourceSpider

SOURCE_FIXTURES = REPO_ROOT / "tests" / "fixtures" / "sources"

# The formats a site spider's fixture may have: file suffix -> (Response class, Content-Type).
# No charset in the HTML type: Scrapy reads the page's own <meta charset> (EUC-KR, Shift_JIS...).
FORMATS: dict[str, tuple[type[TextResponse], str]] = {
    ".html": (HtmlResponse, "text/html"),
    ".json": (TextResponse, "application/json"),
    ".xml": (XmlResponse, "application/xml"),
}
SUFFIX_OF = {"html": ".html", "json": ".json", "xml": ".xml"}


def sniff_suffix(body: bytes) -> str:
    """The format of a stored body when no file name says it: JSON, XML (a feed) or HTML."""
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].lower()
    if head[:1] in (b"{", b"["):
        return ".json"
    if head.startswith(b"<?xml") and b"<html" not in head or head.startswith((b"<rss", b"<feed", b"<rdf")):
        return ".xml"
    return ".html"


def stored_response(url: str, body: bytes, suffix: str, request: Request | None = None) -> Response:
    """The Response a download of ``url`` with this body would have given."""
    if suffix not in FORMATS:
        raise ConfigError(f"a site spider's fixture ends in one of {', '.join(FORMATS)}, not {suffix!r}")
    cls, content_type = FORMATS[suffix]
    return cls(url=url, body=body, headers={"Content-Type": content_type}, request=request)


def source_fixture(source_id: str) -> Path:
    """The one fixture of a source, ``tests/fixtures/sources/<id>.<ext>``."""
    found = sorted(SOURCE_FIXTURES.glob(f"{source_id}.*"))
    if len(found) != 1:
        raise ConfigError(
            f"source {source_id}: want one fixture tests/fixtures/sources/{source_id}.<ext>, "
            f"found {[p.name for p in found] or 'none'}"
        )
    return found[0]


def site_spider_class(source_id: str) -> type[SourceSpider]:
    """The hand-written spider of a ``kind: spider`` source: ``sites/<id with _>.py``, ``name`` = id."""
    module_name = f"{SITES_PACKAGE}.{source_id.replace('-', '_')}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise ConfigError(
            f"source {source_id}: kind spider, but there is no spiders/spiders/sites/"
            f"{source_id.replace('-', '_')}.py (scaffold it: policywatch new-source {source_id} URL)"
        ) from None
    for value in vars(module).values():
        if isinstance(value, type) and getattr(value, "name", None) == source_id and hasattr(value, "parse"):
            spider_class: type[SourceSpider] = value  # a SiteSpider, as every scaffold makes it
            return spider_class
    raise ConfigError(f"source {source_id}: {module_name} has no spider class with name = {source_id!r}")


def spider_output(spider: SourceSpider, response: Response) -> list[dict[str, object]]:
    """What ``spider.parse`` yields for this response, as item dicts: its items, and the hint
    (``cb_kwargs["hint"]``: the listing's title, url and date) of each request that follows a
    link. Other requests (a next page) are not followed: a stored response is one page."""
    rows: list[dict[str, object]] = []
    for out in spider.parse(response) or ():
        if isinstance(out, ArticleItem):
            rows.append(asdict(out))
        elif isinstance(out, Request) and isinstance(out.cb_kwargs.get("hint"), dict):
            rows.append({**out.cb_kwargs["hint"], "source_id": spider.source_id})
    return rows


def parse_site_fixture(
    source: SpiderSource, body: bytes, suffix: str | None = None
) -> list[dict[str, object]]:
    """A ``kind: spider`` source's stored response through its own spider's ``parse``."""
    spider = site_spider_class(source.id)()
    spider.source = source  # the entry of the sources file given, not the default file's
    return spider_output(spider, stored_response(source.url, body, suffix or sniff_suffix(body)))

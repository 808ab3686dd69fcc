"""Listing kind: a press-release list page (CSS/XPath selectors) plus each new article page."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator

import scrapy
from parsel import Selector
from scrapy.http import Response

from spiders.items import ArticleItem, LinkHint, item_from_dict
from spiders.parsing import ListingSpec, listing_links, next_page_url, parse_article
from spiders.spiders.base import SourceSpider

logger = logging.getLogger(__name__)

_HTMLISH = (b"text/html", b"application/xhtml", b"text/plain", b"application/xml", b"text/xml")


class ListingSpider(SourceSpider):
    """Generic listing spider; configured subclasses set ``name`` and ``source`` (a ListingSource)."""

    @property
    def spec(self) -> ListingSpec:
        return ListingSpec.of(self.source.listing)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(self.source.url, callback=self.parse_listing, cb_kwargs={"page": 1})

    def parse_listing(self, response: Response, page: int = 1) -> Iterator[scrapy.Request]:
        spec = self.spec
        sel = Selector(text=self.page_text(response), base_url=response.url)
        rejected: list[str] = []
        links = listing_links(sel, response.url, spec, rejected)
        self.count("listing_pages")
        self.skip_links(rejected)
        if not links:
            # Zero links on a listing almost always means the site changed its markup.
            logger.error("%s: no links matched %r on %s", self.source_id, spec.links, response.url)
        for link in links:
            self.count("candidates")
            if self.is_known(link["url"]):
                self.count("skipped_known")
                continue
            if self.excluded(link["title"], link["url"]):
                continue
            yield from self.web_request(link["url"], self.parse_article, hint=link)
        max_pages = self.arg_int("max_pages", spec.max_pages)
        nxt = next_page_url(sel, response.url, spec.next_page)
        if nxt and page < max_pages:
            yield from self.web_request(nxt, self.parse_listing, page=page + 1)

    def parse_article(self, response: Response, hint: LinkHint) -> Iterable[ArticleItem]:
        content_type = response.headers.get("Content-Type") or b"text/html"
        if not any(kind in content_type.lower() for kind in _HTMLISH):
            # PDFs and other files are common on government listings: keep what the listing said.
            self.count("non_html")
            yield item_from_dict({**hint, "source_id": self.source_id, "language": self.language})
            return
        keep_html = str(getattr(self, "keep_html", "")) == "1"
        data = parse_article(
            self.page_text(response),
            response.url,
            source_id=self.source_id,
            spec=self.spec,
            hint=hint,
            language=self.language,
            keep_html=keep_html,
        )
        yield item_from_dict(data)

"""WordPress kind: the REST API (``/wp-json/wp/v2/posts``), incremental via ``after=``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable

import scrapy
from scrapy.http import Response

from spiders.items import ArticleItem
from spiders.parsing import parse_wp_posts, wp_after_param, wp_posts_url
from spiders.spiders.base import SourceSpider


class WordPressSpider(SourceSpider):
    """One request per page of posts (no article fetches: ``content.rendered`` is the article).

    Arguments: ``after`` (newest stored date, ISO), ``max_pages`` (default 5),
    ``after_margin_hours`` (default 24, see parsing.wp_after_param).
    """

    def _url(self, page: int) -> str:
        after = None
        if self.after:
            after = wp_after_param(self.after, float(getattr(self, "after_margin_hours", 24) or 0))
        return wp_posts_url(self.source.url, per_page=self.source.per_page, after=after, page=page)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(self._url(1), callback=self.parse_posts, cb_kwargs={"page": 1})

    def parse_posts(self, response: Response, page: int = 1) -> Iterable[ArticleItem | scrapy.Request]:
        data = json.loads(response.body)
        yield from self.emit(parse_wp_posts(data, self.source_id, self.language))
        if page != 1:
            return
        total = int(response.headers.get("X-WP-TotalPages", b"1") or b"1")
        for next_page in range(2, min(total, self.arg_int("max_pages", 5)) + 1):
            yield scrapy.Request(
                self._url(next_page), callback=self.parse_posts, cb_kwargs={"page": next_page}
            )

"""Downloader middleware: no crawl request reaches a loopback, private, link-local or metadata
address unless the spider's source allows it (``private_network: true`` in ``sources.yaml``).

It runs before robots.txt is fetched (order 50, below RobotsTxtMiddleware's 100), so a refused
host gets no request at all. A refusal is an ``IgnoreRequest``: counted in the crawl's stats
(``policywatch/refused_private``) and logged, never fatal to the crawl.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from pipeline.netguard import refusal

logger = logging.getLogger(__name__)

REFUSED_KEY = "policywatch/refused_private"


class PrivateAddressMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._verdicts: dict[str, str | None] = {}
        """Refusal message (or None) per host: one DNS lookup per host and crawl."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        source = getattr(spider, "source", None)
        if getattr(source, "private_network", False):
            return None
        host = urlsplit(request.url).hostname or ""
        if host not in self._verdicts:
            self._verdicts[host] = refusal(host) if host else None
        message = self._verdicts[host]
        if message is None:
            return None
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(REFUSED_KEY)
        source_id = getattr(source, "id", None) or getattr(spider, "name", "?")
        logger.warning("%s: not fetching %.120s: %s", source_id, request.url, message)
        raise IgnoreRequest(message)

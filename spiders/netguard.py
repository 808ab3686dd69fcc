"""No crawl request reaches a loopback, private, link-local or metadata address unless the
spider's source allows it (``private_network: true`` in ``sources.yaml``). Two guards:

- ``PrivateAddressMiddleware`` (downloader middleware) refuses a request whose host is, or
  resolves to, an internal address. It runs before robots.txt is fetched (order 50, below
  RobotsTxtMiddleware's 100), so a refused host gets no request at all. A refusal is an
  ``IgnoreRequest``: counted in the crawl's stats (``policywatch/refused_private``) and logged,
  never fatal to the crawl.
- ``PublicAddressResolver`` (the reactor's DNS resolver) refuses an internal answer where the
  connection is made, and the connection goes to the address it checked. Without it a hostile
  DNS server could answer a public address to the middleware's lookup and 127.0.0.1 to the
  connection's (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from pipeline.netguard import refusal, refusal_of

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


PRIVATE_NETWORK_SETTING = "POLICYWATCH_CRAWL_PRIVATE_NETWORK"
"""The Scrapy setting (true for a source with ``private_network: true``) the resolver reads.
``spiders.crawl_one`` sets it from the crawl's source before the reactor starts: one crawl per
process, so the reactor's resolver serves one source. Its default (``spiders.settings``) is the
variable of the same name, read through ``core.config``."""


class PublicAddressResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing internal answers unless the crawl's source allows
    them. Twisted connects to the address this returns (literal addresses never reach a
    resolver: the middleware refuses those)."""

    private_network: bool = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> Self:
        # Scrapy builds the resolver from the process's settings (it passes the CrawlerProcess),
        # once, before any crawl: the value is read here and kept, not looked up per answer.
        resolver = super().from_crawler(crawler, reactor)
        resolver.private_network = crawler.settings.getbool(PRIVATE_NETWORK_SETTING)
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        found = super().getHostByName(name, timeout)
        if not self.private_network:
            found.addCallback(_public_only, name)
        return found


def _public_only(address: str, name: str) -> str:
    try:
        addr = ipaddress.ip_address(str(address))
    except ValueError:
        return address
    message = refusal_of(name, [addr])
    if message is not None:
        logger.warning("not connecting to %s: %s", name, message)
        raise DNSLookupError(message)
    return address

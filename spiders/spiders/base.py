"""Shared behaviour of every policywatch spider: source config, known URLs, item emission.

``known_urls`` (a file, one URL per line; spider argument or ``POLICYWATCH_KNOWN_URLS``) lets
a re-crawl skip article pages we already stored, so an hourly crawl of a listing costs one
request. ``after`` is the newest published date already stored (ISO), for APIs that filter.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urldefrag

import scrapy
from scrapy.http import Response
from scrapy.settings import BaseSettings
from w3lib.url import add_or_replace_parameters

from core.config import current
from pipeline.urls import is_web_url
from spiders.crawlreport import install_log_masking
from spiders.items import ArticleItem, item_from_dict
from spiders.parsing import decode_html
from spiders.sources import BASE_PLACEHOLDER

logger = logging.getLogger(__name__)


def load_known_urls(path: str | None) -> set[str]:
    """Read a newline-separated URL file; a missing path means 'nothing known'."""
    if not path:
        return set()
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return {_norm(line) for line in lines if line.strip()}


def _norm(url: str) -> str:
    return urldefrag(url.strip())[0].rstrip("/")


class SourceSpider(scrapy.Spider):
    """Base for generated and hand-written spiders; ``source`` is the pydantic source entry."""

    source: Any = None
    """The source's entry of the sources file (a pydantic model of ``core.sources_config``): set
    on the class by a generated or hand-written spider, on an instance by a dry run. Each kind
    reads its own fields (``listing``, ``fields``, ...), so it stays untyped here."""

    def __init__(self, *args: Any, known_urls: str | None = None, after: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        install_log_masking()  # Scrapy's handlers exist by now; keys never reach the log
        self.known_urls = load_known_urls(known_urls or str(current().known_urls or ""))
        self.after = after or None
        self.local_counts: dict[str, int] = {}
        if self.source is not None and BASE_PLACEHOLDER in self.source.url:
            raise ValueError(
                f"source {self.source.id}: url {self.source.url!r} uses {{base}}; set POLICYWATCH_BASE_URL"
            )

    @property
    def source_id(self) -> str:
        return self.source.id if self.source is not None else self.name

    @property
    def language(self) -> str | None:
        return getattr(self.source, "language", None)

    def arg_int(self, name: str, default: int) -> int:
        """An integer spider argument (``-a name=3``); Scrapy passes them as strings."""
        value = getattr(self, name, None)
        return int(value) if value not in (None, "") else default

    def is_known(self, url: str) -> bool:
        return _norm(url) in self.known_urls

    def count(self, key: str, n: int = 1) -> None:
        """Add to a ``policywatch/`` stat. A spider made in a unit test or by ``sources dry-run``
        has no crawler: there the counts are kept on the spider (``local_counts``) instead."""
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(f"policywatch/{key}", n)
        else:
            self.local_counts[key] = self.local_counts.get(key, 0) + n

    def excluded(self, title: str, url: str) -> bool:
        """True (and counted) when the source's ``exclude`` patterns drop this link already, so
        its page is never fetched. Include patterns wait for the item (see spiders.pipelines)."""
        from pipeline.source_filters import drop_reason

        reason = drop_reason(self.source, title, url, excludes_only=True) if self.source else None
        if reason is None:
            return False
        self.count("filtered")
        self.count(f"filtered/{reason}")
        return True

    def skip_links(self, links: Iterable[str]) -> None:
        """Count (and log) links not followed because their scheme is not http(s)."""
        for link in links:
            self.count("skipped_scheme")
            logger.info("%s: not following %.80r (only http and https)", self.source_id, link)

    def web_request(
        self, url: str, callback: Callable[..., Any], **cb_kwargs: Any
    ) -> Iterator[scrapy.Request]:
        """A request for an http(s) URL, or nothing: one bad link on a page never ends the crawl
        (Scrapy raises on a scheme it cannot parse, and that would drop every later link)."""
        if not is_web_url(url):
            self.skip_links([url])
            return
        try:
            yield scrapy.Request(url, callback=callback, cb_kwargs=cb_kwargs)
        except ValueError as exc:
            self.count("skipped_invalid")
            logger.warning("%s: not following %.80r: %s", self.source_id, url, exc)

    def page_text(self, response: Response) -> str:
        """Response body decoded with our charset rules (see parsing.decode_html)."""
        return decode_html(response.body, response.headers.get("Content-Type"))

    def emit(self, dicts: Iterable[Mapping[str, object]]) -> Iterable[ArticleItem]:
        """Turn parser dicts into items, skipping already-known URLs and links other than http(s)
        (an API's ``javascript:`` link is never stored), counting candidates."""
        for data in dicts:
            self.count("candidates")
            url = str(data.get("url", ""))
            if not is_web_url(url):
                self.skip_links([url])
                continue
            if self.is_known(url):
                self.count("skipped_known")
                continue
            yield item_from_dict({**data, "source_id": self.source_id})


class SiteSpider(SourceSpider):
    """Base of a hand-written spider under ``sites/`` (a ``kind: spider`` source).

    The first request goes to the source's ``url`` (``start_url``, the module's own URL, when
    the sources file read does not declare the source: a unit test, a fresh scaffold) and is
    answered by ``parse``; query parameters named in the source's ``params_env`` (an API key)
    are read from the environment and added to it, masked in every log line. ``parse`` yields
    items, or requests that carry the listing's ``hint`` (title, url, date) in ``cb_kwargs`` like
    the listing kind: ``sources dry-run --fixture`` and the shipped-sources test read items and
    hints alike, so a spider that follows links is tested on its first page too.
    """

    start_url: ClassVar[str] = ""

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        if cls.source is not None:  # the source's limits, as the generated spiders have them
            settings.set("DOWNLOAD_TIMEOUT", cls.source.timeout_seconds, priority="spider")
            settings.set("DOWNLOAD_MAXSIZE", cls.source.max_bytes, priority="spider")

    @property
    def entry_url(self) -> str:
        return self.source.url if self.source is not None else self.start_url

    def api_params(self) -> dict[str, str] | None:
        """The ``params_env`` values (registered for masking), or None after logging the one-line
        error of a missing variable: the crawl then sends no request."""
        from core.yamlconf import ConfigError
        from spiders.crawlreport import record_error

        try:
            return self.source.secret_params() if self.source is not None else {}
        except ConfigError as exc:
            logger.error("%s", exc)
            if getattr(self, "crawler", None) is not None:
                record_error(self.crawler, str(exc))
            return None

    async def start(self) -> AsyncIterator[scrapy.Request]:
        params = self.api_params()
        if params is None:
            return
        url = add_or_replace_parameters(self.entry_url, params) if params else self.entry_url
        yield scrapy.Request(url, callback=self.parse, dont_filter=True)

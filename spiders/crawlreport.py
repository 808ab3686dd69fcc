"""What a crawl reports back to the runner: final HTTP errors, download failures and stats.

The runner lives in another process, so everything it needs is written to a JSON file
(``POLICYWATCH_STATS_FILE``) when the engine stops: Scrapy's stats plus a short list of
errors such as ``"404 http://host/a.html"``. Handlers are bound methods of objects the
crawler keeps alive; Scrapy holds signal receivers by weak reference, so lambdas would vanish.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

ERRORS_KEY = "policywatch/errors"
MAX_ERRORS = 50


def record_error(crawler: Crawler, message: str) -> None:
    """Append one short error line to the crawl's stats (capped, so a broken site cannot bloat it)."""
    assert crawler.stats is not None
    errors = list(crawler.stats.get_value(ERRORS_KEY, []))
    if len(errors) < MAX_ERRORS:
        errors.append(message)
        crawler.stats.set_value(ERRORS_KEY, errors)
    crawler.stats.inc_value("policywatch/error_count")


class ErrorRecorderMiddleware:
    """Downloader middleware (order 10): sees final responses/exceptions, after retries."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ErrorRecorderMiddleware:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if response.status >= 400 and not request.url.endswith("/robots.txt"):
            allowed = request.meta.get("handle_httpstatus_list", ()) or getattr(
                spider, "handle_httpstatus_list", ()
            )
            if response.status not in allowed:
                record_error(self.crawler, f"{response.status} {request.url}")
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        if isinstance(exception, IgnoreRequest) or request.url.endswith("/robots.txt"):
            return None  # robots.txt refusals and filtered requests are decisions, not failures
        record_error(self.crawler, f"{type(exception).__name__} {request.url}")
        return None


class StatsFileWriter:
    """Extension: dump stats (with the error list) to ``POLICYWATCH_STATS_FILE`` on engine stop."""

    def __init__(self, crawler: Crawler, path: str) -> None:
        self.crawler = crawler
        self.path = path
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFileWriter:
        path = crawler.settings.get("POLICYWATCH_STATS_FILE") or os.environ.get("POLICYWATCH_STATS_FILE", "")
        return cls(crawler, path)

    def spider_error(self, failure: Failure, response: Response, spider: Spider) -> None:
        """A callback raised: the page was fetched but our parsing broke."""
        record_error(
            self.crawler, f"{failure.type.__name__ if failure.type else 'Error'} in callback {response.url}"
        )

    def engine_stopped(self) -> None:
        if not self.path or self.crawler.stats is None:
            return
        stats: dict[str, Any] = dict(self.crawler.stats.get_stats())
        target = Path(self.path)
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_text(json.dumps(stats, default=str, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(target)

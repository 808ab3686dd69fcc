"""What a crawl reports back to the runner: final HTTP errors, download failures and stats.

The runner lives in another process, so everything it needs is written to a JSON file
(``POLICYWATCH_STATS_FILE``) when the engine stops: Scrapy's stats plus a short list of
errors such as ``"404 http://host/a.html"``. Handlers are bound methods of objects the
crawler keeps alive; Scrapy holds signal receivers by weak reference, so lambdas would vanish.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from core.config import current
from pipeline.urls import mask_secrets

logger = logging.getLogger(__name__)


class SecretMaskFilter(logging.Filter):
    """Masks keys (``?api_key=…``, registered ``params_env`` values) in every log record that
    reaches a handler, tracebacks included: Scrapy logs request URLs in its own messages."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # boundary: a malformed record is left to the handler's own error path
            return True
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_secrets(record.exc_text)
        return True


_MASK = SecretMaskFilter()


def install_log_masking() -> None:
    """Add the mask to every handler of the root logger (Scrapy's included); idempotent."""
    for handler in logging.getLogger().handlers:
        if _MASK not in handler.filters:
            handler.addFilter(_MASK)


ERRORS_KEY = "policywatch/errors"
LOG_ERRORS_KEY = "policywatch/log_errors"
"""The spider's own ERROR log lines ("no links matched 'dl a' on …", "not JSON from …: …"): the
message an operator needs when a crawl fails with nothing else to say."""
MAX_ERRORS = 50


def record_error(crawler: Crawler, message: str) -> None:
    """Append one short error line to the crawl's stats (capped, so a broken site cannot bloat it).
    A key in a URL (``?api_key=…``, or a registered ``params_env`` value) is masked."""
    assert crawler.stats is not None
    message = mask_secrets(message)
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


class _SpiderErrorLog(logging.Handler):
    """Keeps the ERROR lines our spiders log (loggers ``spiders.*`` and the spider's own, named
    after it) in the crawl's stats, masked and capped; Scrapy's own errors are recorded above."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(level=logging.ERROR)
        self.crawler = crawler

    def emit(self, record: logging.LogRecord) -> None:
        stats = self.crawler.stats
        spider = getattr(self.crawler, "spider", None)
        if stats is None or not (
            record.name.startswith("spiders.") or (spider is not None and record.name == spider.name)
        ):
            return
        try:
            message = mask_secrets(record.getMessage().strip().splitlines()[0][:500])
        except Exception:  # boundary: a log handler must never raise into the crawl it watches;
            return  # a malformed record is reported by the other handlers' own error path
        lines = list(stats.get_value(LOG_ERRORS_KEY, []))
        if len(lines) < MAX_ERRORS:
            stats.set_value(LOG_ERRORS_KEY, [*lines, message])


class StatsFileWriter:
    """Extension: dump stats (with the error list) to ``POLICYWATCH_STATS_FILE`` on engine stop."""

    def __init__(self, crawler: Crawler, path: str) -> None:
        self.crawler = crawler
        self.path = path
        self.log_errors = _SpiderErrorLog(crawler)
        logging.getLogger().addHandler(self.log_errors)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFileWriter:
        # crawl_one sets the Scrapy setting; the variable (through core.config) serves a crawl
        # started another way, such as ``scrapy crawl``
        path = crawler.settings.get("POLICYWATCH_STATS_FILE") or str(current().stats_file or "")
        return cls(crawler, path)

    def spider_error(self, failure: Failure, response: Response, spider: Spider) -> None:
        """A callback raised: the page was fetched but our parsing broke (the exception's own message
        is kept: "ValueError in callback http://…: no 'results' list")."""
        detail = str(failure.value).strip().splitlines()[0][:300] if failure.value is not None else ""
        record_error(
            self.crawler,
            f"{failure.type.__name__ if failure.type else 'Error'} in callback {response.url}"
            + (f": {detail}" if detail else ""),
        )

    def engine_stopped(self) -> None:
        logging.getLogger().removeHandler(self.log_errors)
        if not self.path or self.crawler.stats is None:
            return
        stats: dict[str, Any] = dict(self.crawler.stats.get_stats())
        target = Path(self.path)
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_text(json.dumps(stats, default=str, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(target)

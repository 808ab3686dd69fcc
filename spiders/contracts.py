"""``scrapy check`` offline: the ``@fixture`` contract answers a callback's ``@url`` from a file.

Scrapy's contracts (``@url``, ``@returns``, ``@scrapes``) download the ``@url`` page, so a check
needs the network and tests whatever the site serves today. ``@fixture`` marks the contract's
request, and ``FixtureResponseMiddleware`` answers it with the stored response instead: the
source's fixture (``tests/fixtures/sources/<spider name>.<ext>``) or the file named,
as the Response class a download would give. The middleware acts only while ``scrapy check``
runs (Scrapy sets ``SCRAPY_CHECK``) and only on requests the contract marked, so a crawl never
reads a file.

    def parse(self, response):
        '''@url https://japan.kantei.go.jp/index.html
        @fixture
        @returns items 3 3
        @scrapes title url published
        '''
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.contracts import Contract
from scrapy.crawler import Crawler
from scrapy.http import Response

from core.yamlconf import ConfigError
from spiders.sources import REPO_ROOT
from spiders.stored import source_fixture, stored_response

FIXTURE_META = "policywatch_fixture"
FIXTURES_ROOT = REPO_ROOT / "tests" / "fixtures"


class FixtureContract(Contract):
    """``@fixture [tests/fixtures/…]``: the ``@url`` request is answered from a stored file."""

    name = "fixture"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        meta = dict(args.get("meta") or {})
        meta[FIXTURE_META] = next((a for a in self.args if a), "")
        args["meta"] = meta
        return args


def fixture_file(spider_name: str, named: str) -> Path:
    """The file a ``@fixture`` names (relative to the repo, under tests/fixtures/), or the
    source's own fixture when it names none."""
    if not named:
        return source_fixture(spider_name)
    path = (REPO_ROOT / named).resolve()
    if not path.is_relative_to(FIXTURES_ROOT.resolve()) or not path.is_file():
        raise ConfigError(f"@fixture {named}: not a file under tests/fixtures/")
    return path


class FixtureResponseMiddleware:
    """Downloader middleware (first in line): a ``@fixture`` request gets the file, offline."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FixtureResponseMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> Response | None:
        if FIXTURE_META not in request.meta or not os.environ.get("SCRAPY_CHECK"):
            return None
        spider = spider or self.crawler.spider
        name = str(getattr(spider, "name", ""))
        path = fixture_file(name, str(request.meta[FIXTURE_META]))
        return stored_response(request.url, path.read_bytes(), path.suffix, request=request)

"""JSON API kind: JSON documents, records and fields found by declared dotted paths.

The first request is the source's ``url``; ``pagination`` (page number, offset, cursor or
the API's next URL) asks for more, up to ``max_pages``. Query parameters named in
``params_env`` are read from the environment and added to every request; their values are
registered for masking, so no log line, error or stats entry of the crawl shows them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterable

import scrapy
from scrapy.http import Response
from w3lib.url import add_or_replace_parameters

from core.yamlconf import ConfigError
from pipeline.urls import mask_secrets
from spiders.crawlreport import record_error
from spiders.items import ArticleItem
from spiders.parsing import json_api_next_url, parse_json_api
from spiders.spiders.base import SourceSpider

logger = logging.getLogger(__name__)


class JsonApiSpider(SourceSpider):
    """Items come straight from the API (title, url, date, abstract); no article pages fetched."""

    async def start(self) -> AsyncIterator[scrapy.Request]:
        try:
            self._secrets = self.source.secret_params()
        except ConfigError as exc:  # a missing key: one clear line, no request sent
            logger.error("%s", exc)
            if getattr(self, "crawler", None) is not None:
                record_error(self.crawler, str(exc))
            return
        self._fetched: set[str] = set()
        yield self.api_request(self.source.url, page=1)

    def api_request(self, url: str, page: int) -> scrapy.Request:
        self._fetched.add(url)
        full = add_or_replace_parameters(url, self._secrets) if self._secrets else url
        return scrapy.Request(
            full,
            callback=self.parse_api,
            headers={"Accept": "application/json"},
            cb_kwargs={"page": page, "plain_url": url},
            dont_filter=True,
        )

    def parse_api(
        self, response: Response, page: int = 1, plain_url: str | None = None
    ) -> Iterable[ArticleItem | scrapy.Request]:
        plain_url = plain_url or self.source.url
        try:
            data = json.loads(response.body)
        except ValueError as exc:
            logger.error("%s: not JSON from %s: %s", self.source_id, mask_secrets(response.url), exc)
            return
        self.count("api_pages")
        records = parse_json_api(
            data,
            self.source.fields,
            self.source_id,
            self.language,
            base_url=self.source.url,
            url_template=self.source.url_template,
        )
        yield from self.emit(records)
        # The next URL is built from the URL without the key (a next link the API returns may
        # carry it: it is taken out, then added back by api_request).
        nxt = json_api_next_url(plain_url, data, self.source.pagination, page, len(records))
        if nxt:
            nxt = _without(nxt, self._secrets)
        if nxt and nxt not in self._fetched:
            yield self.api_request(nxt, page + 1)


def _without(url: str, secrets: dict[str, str]) -> str:
    if not secrets:
        return url
    from w3lib.url import url_query_cleaner

    return str(url_query_cleaner(url, list(secrets), remove=True, keep_fragments=True))

"""JSON API kind: one JSON document, records and fields found by declared dotted paths."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from typing import Any

import scrapy
from scrapy.http import Response

from spiders.parsing import parse_json_api
from spiders.spiders.base import SourceSpider


class JsonApiSpider(SourceSpider):
    """Items come straight from the API (title, url, date, abstract); no article pages fetched."""

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.source.url, callback=self.parse_api, headers={"Accept": "application/json"})

    def parse_api(self, response: Response) -> Iterable[Any]:
        data = json.loads(response.body)
        yield from self.emit(
            parse_json_api(data, self.source.fields, self.source_id, self.language, base_url=response.url)
        )

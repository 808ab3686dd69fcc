"""Item pipelines of every crawl.

``SourceFilterPipeline`` applies the source's ``include``/``exclude`` filters of sources.yaml
to every item any spider yields (generic or hand-written), so ``scrapy crawl ID -O out.jsonl``
writes exactly what ``policywatch run`` would store. Each drop is counted in the stats as
``policywatch/filtered`` and ``policywatch/filtered/<reason>``.
"""

from __future__ import annotations

from typing import TypeVar

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from pipeline.source_filters import drop_reason, has_filters

Item = TypeVar("Item")
"""Whatever a spider yields (our spiders: ``ArticleItem``; Scrapy allows dicts and others): the
pipeline hands back the very item it was given, or drops it."""


class SourceFilterPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceFilterPipeline:
        return cls(crawler)

    def process_item(self, item: Item) -> Item:
        source = getattr(self.crawler.spider, "source", None)
        if source is None or not has_filters(source):
            return item
        data = item if isinstance(item, dict) else vars(item)
        title, url = str(data.get("title") or ""), str(data.get("url") or "")
        reason = drop_reason(source, title, url, list(data.get("categories") or []))
        if reason is None:
            return item
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("policywatch/filtered")
            stats.inc_value(f"policywatch/filtered/{reason}")
        raise DropItem(f"filtered by {reason}", log_level="INFO")

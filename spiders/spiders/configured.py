"""One spider class per enabled non-feed source in sources.yaml, generated at import.

Scrapy's loader only lists classes whose ``__module__`` is the module it walks, so the
classes are created here with that module name. ``kind: spider`` sources have no generated
class: their spider is a hand-written module under ``sites/``.
"""

from __future__ import annotations

import re

from spiders.sources import crawl_sources
from spiders.spiders.base import SourceSpider
from spiders.spiders.json_api import JsonApiSpider
from spiders.spiders.listing import ListingSpider
from spiders.spiders.sitemap import SitemapSpider
from spiders.spiders.wordpress import WordPressSpider

GENERIC: dict[str, type[SourceSpider]] = {
    "listing": ListingSpider,
    "wordpress": WordPressSpider,
    "sitemap": SitemapSpider,
    "json_api": JsonApiSpider,
}


def _class_name(source_id: str) -> str:
    return "Source_" + re.sub(r"\W", "_", source_id)


def build_spider_classes() -> list[type[SourceSpider]]:
    """Subclass the generic spider of each source's kind, with ``name`` = source id."""
    classes: list[type[SourceSpider]] = []
    for src in crawl_sources():
        base = GENERIC.get(src.kind)
        if base is None:
            continue
        attrs = {
            "name": src.id,
            "source": src,
            "__module__": __name__,
            "__doc__": f"{src.kind} spider for {src.label} ({src.url})",
            "custom_settings": {"DOWNLOAD_TIMEOUT": src.timeout_seconds, "DOWNLOAD_MAXSIZE": src.max_bytes},
        }
        classes.append(type(_class_name(src.id), (base,), attrs))
    return classes


# No module-level loop variable: it would stay in globals() and Scrapy would see the last class twice.
globals().update({cls.__name__: cls for cls in build_spider_classes()})

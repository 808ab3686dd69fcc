"""Which sources file the spiders read, and the crawlable sources in it.

Spider classes are generated at import from this file (see ``spiders.spiders.configured``),
so ``scrapy list`` shows one spider per enabled non-feed source. Lookup order for the file:
``POLICYWATCH_SOURCES``, ``./sources.yaml``, the repo root's ``sources.yaml``.
``POLICYWATCH_BASE_URL`` fills ``{base}`` in demo/test URLs.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from core.config import current
from core.sources_config import Source, load_sources

REPO_ROOT = Path(__file__).resolve().parents[1]
CRAWLED_KINDS = ("listing", "wordpress", "sitemap", "json_api", "spider")
BASE_PLACEHOLDER = "{base}"


def sources_path() -> Path | None:
    """The sources file to read, or None when there is none anywhere."""
    configured = current().sources
    if configured:
        return configured
    for candidate in (Path.cwd() / "sources.yaml", REPO_ROOT / "sources.yaml"):
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=4)
def _load(path: str, base_url: str | None) -> tuple[Source, ...]:
    # Without a base URL, keep "{base}" in place: the spider still lists, and fails on start
    # with a message that says which variable to set.
    return tuple(load_sources(Path(path), base_url=base_url or BASE_PLACEHOLDER))


def _declared() -> tuple[Source, ...]:
    path = sources_path()
    if path is None:
        return ()
    return _load(str(path), current().base_url)


def crawl_sources() -> list[Source]:
    """Enabled sources whose kind is crawled by Scrapy (everything but feeds)."""
    return [s for s in _declared() if s.enabled and s.kind in CRAWLED_KINDS]


def site_spider_ids() -> set[str]:
    """Ids of the ``kind: spider`` sources of the sources file, enabled or not: the hand-written
    spiders that load (``spiders.loader``). A disabled one still loads so that ``scrapy check``
    keeps testing its code; the flows crawl only enabled sources."""
    return {s.id for s in _declared() if s.kind == "spider"}


def source_by_id(source_id: str) -> Source | None:
    """The declared source with this id, enabled or not (a site spider reads its url, language,
    limits and ``params_env`` from it)."""
    return next((s for s in _declared() if s.id == source_id), None)

"""The spider loader: only the site spiders that the sources file declares are loaded.

Scrapy's own loader lists every spider class under ``SPIDER_MODULES``, so each hand-written
module under ``spiders/spiders/sites/`` would appear in ``scrapy list`` (and in ``scrapy
check``, and be crawlable) whatever the sources file says, and a test sources file without it
would see it anyway. Here a module of ``sites/`` contributes its spider only when a source
with that id and ``kind: spider`` is declared; the generated spiders follow the file already.
"""

from __future__ import annotations

import warnings
from types import ModuleType

from scrapy.spiderloader import SpiderLoader
from scrapy.utils.spider import iter_spider_classes

from spiders.sources import site_spider_ids

SITES_PACKAGE = "spiders.spiders.sites"


def is_site_module(name: str) -> bool:
    # The installed package is reached through ``policywatch.spiders`` too (one namespace).
    return name.startswith(SITES_PACKAGE + ".") or name.startswith("policywatch." + SITES_PACKAGE + ".")


class DeclaredSpiderLoader(SpiderLoader):
    """``SpiderLoader`` that skips undeclared site spiders and names declared ones it did not find."""

    def _load_spiders(self, module: ModuleType) -> None:
        if not is_site_module(module.__name__):
            super()._load_spiders(module)
            return
        declared = site_spider_ids()
        for spcls in iter_spider_classes(module):
            if spcls.name in declared:
                self._found[spcls.name].append((module.__name__, spcls.__name__))
                self._spiders[spcls.name] = spcls

    def _load_all_spiders(self) -> None:
        super()._load_all_spiders()
        missing = sorted(site_spider_ids() - set(self._spiders))
        if missing:
            warnings.warn(
                f"sources file declares kind: spider for {', '.join(missing)} but no spider module "
                f"under spiders/spiders/sites/ has that name (scaffold one: policywatch new-source ID URL)",
                stacklevel=2,
                category=UserWarning,
            )

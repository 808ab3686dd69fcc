"""Run exactly one crawl in this process, then exit: ``python -m spiders.crawl_one SOURCE_ID ...``.

Twisted's reactor cannot restart, so every crawl gets a fresh interpreter (spiders.runner
starts this module). Items go to a JSON-lines file, stats and errors to a JSON file.
Exit codes: 0 crawl ran (check the stats for how well), 1 bootstrap failed, 2 unknown spider.
"""

from __future__ import annotations

import argparse
import os
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.project import get_project_settings

from spiders.netguard import PRIVATE_NETWORK_SETTING


def allow_private_network(settings: Settings, spidercls: type) -> None:
    """Pass the spider's ``private_network`` to the reactor's resolver (a setting, since the
    resolver is built from the process's settings before the crawl starts)."""
    source = getattr(spidercls, "source", None)
    settings.set(PRIVATE_NETWORK_SETTING, bool(getattr(source, "private_network", False)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m spiders.crawl_one")
    ap.add_argument("source_id")
    ap.add_argument("--items", required=True, help="JSON-lines output file (overwritten)")
    ap.add_argument("--stats", required=True, help="stats JSON file written when the engine stops")
    ap.add_argument("--known-urls", default=None, help="file of already-stored URLs, one per line")
    ap.add_argument("--after", default=None, help="newest stored published date (ISO)")
    ap.add_argument("-a", dest="spider_args", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args(argv)

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "spiders.settings")  # Scrapy's own variable
    settings = get_project_settings()
    settings.set("FEEDS", {args.items: {"format": "jsonlines", "encoding": "utf-8", "overwrite": True}})
    settings.set("POLICYWATCH_STATS_FILE", args.stats)
    # The spider is found before the process is built: its source decides whether the reactor's
    # resolver (spiders.netguard) may answer internal addresses, a setting passed in here.
    loader = get_spider_loader(settings)
    try:
        spidercls = loader.load(args.source_id)
    except KeyError:
        print(f"unknown spider {args.source_id!r}; known: {loader.list()}", file=sys.stderr)
        return 2
    allow_private_network(settings, spidercls)
    process = CrawlerProcess(settings)
    kwargs: dict[str, str] = dict(pair.split("=", 1) for pair in args.spider_args)
    if args.known_urls:
        kwargs["known_urls"] = args.known_urls
    if args.after:
        kwargs["after"] = args.after
    process.crawl(spidercls, **kwargs)
    process.start()
    return 1 if process.bootstrap_failed else 0


if __name__ == "__main__":
    sys.exit(main())

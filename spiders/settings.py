"""Scrapy settings for AI Policy Watch: polite by default, fast only when asked.

We crawl government and news sites on a schedule, so the defaults favour being a good
citizen (robots.txt, a named user agent with a contact URL, one or two requests per domain,
a delay, autothrottle). ``POLICYWATCH_CRAWL_FAST=1`` drops the delays for tests and
benchmarks against loopback servers; it never turns robots.txt off.
"""

from __future__ import annotations

from scrapy.settings.default_settings import RETRY_EXCEPTIONS as _SCRAPY_RETRY_EXCEPTIONS

from core.config import current

BOT_NAME = "policywatch"
SPIDER_MODULES = ["spiders.spiders"]
NEWSPIDER_MODULE = "spiders.spiders.sites"
# Hand-written spiders under sites/ load only when the sources file declares them (kind: spider).
SPIDER_LOADER_CLASS = "spiders.loader.DeclaredSpiderLoader"

# Read once, when the crawl process loads this module (no module-level Settings object: Scrapy
# would take any upper-case name here for a setting).
_CONTACT = current().contact_url
USER_AGENT = f"AIPolicyWatch/0.1 (+{_CONTACT})"

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_TIMES = 2
# A host with no address (offline, or a mistyped host) is not asked again within the crawl: the
# answer seconds later is the same, and the next scheduled run tries again (as the feed path).
RETRY_EXCEPTIONS = [e for e in _SCRAPY_RETRY_EXCEPTIONS if not str(e).endswith("CannotResolveHostError")]
COOKIES_ENABLED = False

# Only http and https are ever fetched: a ``file:///`` link on a hostile listing page would
# otherwise be read from the local disk and stored as an article (data:, ftp: and s3: alike).
# The spiders skip such links; switching the handlers off covers any path that does not.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}

# Scrapy 2.19 opens a telnet console and a remote-control port per crawl; we run many
# short crawls in subprocesses and want neither.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

LOG_LEVEL = current().scrapy_log_level
FEED_EXPORT_ENCODING = "utf-8"

# Final HTTP errors and download failures are recorded for the runner (CrawlResult.errors);
# a low order number means it sees responses after RetryMiddleware has given up.
# Loopback, private and metadata addresses are refused unless the source has
# ``private_network: true`` (before robots.txt is fetched: order 50 < RobotsTxtMiddleware's 100).
# ... and again where each connection is made, which goes to the address checked (no DNS rebinding).
TWISTED_DNS_RESOLVER = "spiders.netguard.PublicAddressResolver"
# Whether that resolver may answer internal addresses: crawl_one sets it from the crawl's source.
POLICYWATCH_CRAWL_PRIVATE_NETWORK = current().crawl_private_network == "1"
# `scrapy check` answers a contract's @url from the stored fixture (@fixture), never the network.
DOWNLOADER_MIDDLEWARES = {
    "spiders.contracts.FixtureResponseMiddleware": 1,
    "spiders.crawlreport.ErrorRecorderMiddleware": 10,
    "spiders.netguard.PrivateAddressMiddleware": 50,
}
SPIDER_CONTRACTS = {"spiders.contracts.FixtureContract": 10}
# The source's include/exclude filters of sources.yaml, on every item of every spider.
ITEM_PIPELINES = {"spiders.pipelines.SourceFilterPipeline": 100}
# Writes stats + errors to POLICYWATCH_STATS_FILE when the engine stops.
EXTENSIONS = {"spiders.crawlreport.StatsFileWriter": 500}
POLICYWATCH_STATS_FILE = str(current().stats_file or "")

if current().crawl_fast:
    DOWNLOAD_DELAY = 0.0
    AUTOTHROTTLE_ENABLED = False
    CONCURRENT_REQUESTS_PER_DOMAIN = 8
    RETRY_TIMES = 0
    DOWNLOAD_TIMEOUT = 10

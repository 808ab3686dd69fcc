"""Site crawling: pages per second for one crawl, and the per-crawl process overhead.

A loopback site (stdlib http.server in a thread of this process: robots.txt allowing all,
a paginated listing of 20 links per page, ~500-word article pages). Crawled through
``spiders.runner.crawl`` (one Scrapy process per crawl) with politeness off
(POLICYWATCH_CRAWL_FAST=1) and a temp sources file (``kind: listing``, ``{base}`` URL).
"""

from __future__ import annotations

import statistics
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.common import Config, Figure, TextGen, figure, log

NAME = "crawl"
PER_PAGE = 20

SOURCES = """sources:
  - id: bench-listing
    kind: listing
    url: "{base}/news/"
    private_network: true
    language: en
    listing:
      links: "ul.news li a"
      date: "time"
      next_page: "a.next"
      max_pages: 50
  - id: bench-empty
    kind: listing
    url: "{base}/empty/"
    private_network: true
    listing:
      links: "ul.news li a"
"""


class Site:
    def __init__(self, n_articles: int) -> None:
        gen = TextGen(seed=51)
        self.articles = {
            f"/news/a{i:04d}.html": _article(gen.title(i), " ".join(gen.text(100) for _ in range(5)), i)
            for i in range(n_articles)
        }
        keys = sorted(self.articles)
        self.pages = {}
        for p in range(0, max(1, (n_articles + PER_PAGE - 1) // PER_PAGE)):
            links = keys[p * PER_PAGE : (p + 1) * PER_PAGE]
            nxt = (
                f'<a class="next" href="/news/?page={p + 2}">Next</a>'
                if (p + 1) * PER_PAGE < n_articles
                else ""
            )
            items = "".join(
                f'<li><a href="{k}">Article {k[7:11]}</a> <time datetime="2026-05-{1 + n % 28:02d}">'
                f"2026-05-{1 + n % 28:02d}</time></li>"
                for n, k in enumerate(links)
            )
            path = "/news/" if p == 0 else f"/news/?page={p + 1}"
            self.pages[path] = (
                f"<html><body><h1>News</h1><ul class=news>{items}</ul>{nxt}</body></html>".encode()
            )
        self.pages["/empty/"] = b"<html><body><h1>News</h1><ul class=news></ul></body></html>"
        self.hits = 0
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

            def do_GET(self) -> None:  # noqa: N802
                site.hits += 1
                if self.path == "/robots.txt":
                    body, ctype, status = b"User-agent: *\nDisallow:\n", "text/plain", 200
                elif self.path in site.pages:
                    body, ctype, status = site.pages[self.path], "text/html; charset=utf-8", 200
                elif self.path in site.articles:
                    body, ctype, status = site.articles[self.path], "text/html; charset=utf-8", 200
                else:
                    body, ctype, status = b"not found", "text/plain", 404
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        ThreadingHTTPServer.request_queue_size = 128
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"


def _article(title: str, text: str, i: int) -> bytes:
    paras = "".join(f"<p>{s}.</p>" for s in text.split(". ") if s)
    return (
        f"<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a> | <a href='/news/'>News"
        f"</a></nav><article><h1>{title}</h1><time datetime='2026-05-{1 + i % 28:02d}'>2026-05-"
        f"{1 + i % 28:02d}</time>{paras}</article><footer>Contact | Privacy | Cookies</footer></body></html>"
    ).encode()


@contextmanager
def serve(site: Site) -> Iterator[Site]:
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()


def run(cfg: Config) -> list[Figure]:
    from spiders.runner import crawl

    n = cfg.size(50, 500, 500)
    sources = cfg.workdir / "crawl-sources.yaml"
    sources.write_text(SOURCES, encoding="utf-8")
    figs: list[Figure] = []
    with serve(Site(n)) as site:
        result = crawl(
            "bench-listing", sources_path=Path(sources), base_url=site.base, fast=True, timeout=600
        )
        pages = int(result.stats.get("response_received_count", 0) or site.hits)
        log(
            f"crawl of {n} articles: {len(result.items)} items, {pages} responses, {result.duration:.1f} s, "
            f"finish_reason={result.finish_reason}, failed_reason={result.failed_reason()}"
        )
        figs.append(
            figure(NAME, f"one crawl, {n} articles + listing pages", pages / result.duration, "pages/s")
        )
        figs.append(
            figure(NAME, "items per second (same crawl)", len(result.items) / result.duration, "items/s")
        )
        runs = []
        for _ in range(5):
            empty = crawl(
                "bench-empty", sources_path=Path(sources), base_url=site.base, fast=True, timeout=120
            )
            runs.append(empty.duration)
        log("empty-listing crawls: " + ", ".join(f"{d:.2f}" for d in runs) + " s")
        figs.append(
            figure(
                NAME, "per-crawl process overhead (empty listing, median of 5)", statistics.median(runs), "s"
            )
        )
    return figs

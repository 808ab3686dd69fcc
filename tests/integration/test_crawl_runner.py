"""spiders.runner end to end: real Scrapy crawls in child processes against a loopback site.

The site (stdlib http.server on 127.0.0.1:0, in a thread) has a robots.txt that disallows
/private/, a press-release listing with four links (two good, one disallowed, one 404), a
WordPress posts endpoint, a news sitemap and a JSON API. Every request is logged so the
tests can assert what the crawler did and did not fetch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from spiders import runner
from tests.support.paths import FIXTURES as ALL_FIXTURES

FIXTURES = ALL_FIXTURES / "spiders"

ROBOTS = b"User-agent: *\nDisallow: /private/\n"
LISTING_PATH = "/news/"
ARTICLE_1 = "/news/2026/eu-japan-digital-partnership-council.html"
ARTICLE_2 = "/news/2026/ai-act-guidelines-consultation.html"
DISALLOWED = "/private/draft-statement.html"
MISSING = "/news/2026/removed-article.html"
WP_PATH = "/wp-json/wp/v2/posts"
LOCAL_FILE = (FIXTURES / "gov-press-article-2.html").resolve()
HOSTILE_LINKS = [
    LOCAL_FILE.as_uri(),
    "JavaScript:alert(1)",
    "tel:+3225551234",
    "vbscript:msgbox(1)",
    "data:text/html,<h1>hi</h1>",
    "ftp://127.0.0.1/pub/x.html",
]
HOSTILE_PAGES = {
    "/hostile/": "<html><body><ul>"
    + "".join(f'<li><a class="item" href="{href}">Link {i}</a></li>' for i, href in enumerate(HOSTILE_LINKS))
    + f'<li><a class="item" href="{ARTICLE_1}">Council</a></li></ul>'
    + '<a class="next" href="/hostile/2">Next</a></body></html>',
    "/hostile/2": f'<html><body><a class="item" href="MAILTO:press@example.org">Press</a>'
    f'<a class="item" href="{ARTICLE_2}">Guidelines</a></body></html>',
}


def _wp_posts() -> bytes:
    posts = [
        {
            "id": 501,
            "date_gmt": "2026-05-12T08:00:00",
            "modified_gmt": "2026-05-12T08:00:00",
            "link": "http://example.invalid/2026/05/ai-office-opens/",
            "title": {"rendered": "AI Office opens &#8211; first staff hired"},
            "content": {"rendered": "<p>The new AI Office opened today.</p>"},
            "excerpt": {"rendered": "<p>The new AI Office opened.</p>"},
        },
        {
            "id": 502,
            "date_gmt": "2026-05-13T10:15:00",
            "modified_gmt": "2026-05-13T10:15:00",
            "link": "http://example.invalid/2026/05/sandbox-call/",
            "title": {"rendered": "Call for regulatory sandbox participants"},
            "content": {"rendered": "<p>Applications are open until July.</p>"},
            "excerpt": {"rendered": "<p>Applications are open.</p>"},
        },
    ]
    return json.dumps(posts).encode()


def _sitemap(base: str) -> bytes:
    recent = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    old = "2019-01-01T00:00:00Z"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{base}{ARTICLE_1}</loc><lastmod>{recent}</lastmod><news:news><news:publication><news:name>Ministry</news:name>
<news:language>en</news:language></news:publication><news:publication_date>{recent}</news:publication_date>
<news:title>Council meets in Tokyo (sitemap title)</news:title></news:news></url>
<url><loc>{base}{ARTICLE_2}</loc><lastmod>{old}</lastmod></url>
</urlset>""".encode()


class Site:
    """The loopback site and its request log."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                return

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                with site.lock:
                    site.requests.append(self.path)
                path = urlsplit(self.path).path
                base = f"http://{self.headers['Host']}"
                headers: dict[str, str] = {}
                if path == "/robots.txt":
                    status, body, ctype = 200, ROBOTS, "text/plain"
                elif path == LISTING_PATH:
                    status, body, ctype = 200, (FIXTURES / "gov-press-listing.html").read_bytes(), "text/html"
                elif path == ARTICLE_1:
                    status, body, ctype = (
                        200,
                        (FIXTURES / "gov-press-article-1.html").read_bytes(),
                        "text/html",
                    )
                elif path == ARTICLE_2:
                    status, body, ctype = (
                        200,
                        (FIXTURES / "gov-press-article-2.html").read_bytes(),
                        "text/html",
                    )
                elif path == DISALLOWED:
                    status, body, ctype = 200, b"<html><body>secret</body></html>", "text/html"
                elif path == WP_PATH:
                    status, body, ctype = 200, _wp_posts(), "application/json; charset=UTF-8"
                    headers = {"X-WP-Total": "2", "X-WP-TotalPages": "1"}
                elif path == "/sitemap.xml":
                    status, body, ctype = 200, _sitemap(base), "application/xml"
                elif path in HOSTILE_PAGES:
                    status, body, ctype = 200, HOSTILE_PAGES[path].encode(), "text/html"
                elif path == "/api/docs.json":
                    doc = {
                        "results": [
                            {"title": "Rule on AI", "html_url": "/docs/1", "publication_date": "2026-05-01"}
                        ]
                    }
                    status, body, ctype = 200, json.dumps(doc).encode(), "application/json"
                else:
                    status, body, ctype = 404, b"<html><body>Not found</body></html>", "text/html"
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def paths(self) -> list[str]:
        with self.lock:
            return [urlsplit(p).path for p in self.requests]

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()


SOURCES = """
sources:
  - id: demo-feed
    kind: feed
    url: "{base}/feed.xml"
    private_network: true
  - id: demo-listing
    kind: listing
    url: "{base}/news/"
    private_network: true
    language: en
    listing:
      links: ".views-row h3 a"
      date: "time"
      next_page: "li.pager__item--next a"
      max_pages: 1
  - id: demo-wp
    kind: wordpress
    url: "{base}"
    private_network: true
    per_page: 10
  - id: demo-sitemap
    kind: sitemap
    url: "{base}/sitemap.xml"
    private_network: true
    max_age_days: 7
  - id: demo-api
    kind: json_api
    url: "{base}/api/docs.json"
    private_network: true
    fields: {list: results, title: title, url: html_url, date: publication_date}
  - id: demo-disabled
    kind: listing
    enabled: false
    url: "{base}/news/"
    private_network: true
    listing: {links: "a"}
"""


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    s = Site()
    s.thread.start()
    yield s
    s.server.shutdown()
    s.server.server_close()


@pytest.fixture(scope="module")
def sources_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sources") / "sources.yaml"
    path.write_text(SOURCES, encoding="utf-8")
    return path


def test_listing_crawled_twice_in_one_process(site: Site, sources_file: Path) -> None:
    site.clear()
    first = runner.crawl("demo-listing", sources_path=sources_file, base_url=site.base, fast=True, timeout=60)
    assert first.failed_reason(expected_min_items=1) is None, first.log_tail
    assert first.returncode == 0 and first.finish_reason == "finished"
    urls = sorted(item.url for item in first.items)
    assert urls == [site.base + ARTICLE_2, site.base + ARTICLE_1]
    by_url = {item.url: item for item in first.items}
    council = by_url[site.base + ARTICLE_1]
    assert council.title == "Third EU-Japan Digital Partnership Council held in Tokyo"
    assert council.published == datetime(2026, 5, 12, 9, 30, tzinfo=UTC)
    assert council.source_id == "demo-listing" and council.language == "en"
    assert "planned for 2027 in Brussels" in council.body
    assert "Privacy notice" not in council.body
    # the 404 article is reported, not fatal; the robots-disallowed one is never requested
    assert first.errors == [f"404 {site.base}{MISSING}"]
    assert first.stats.get("robotstxt/forbidden") == 1
    assert first.stats.get("downloader/response_status_count/404") == 1
    first_paths = site.paths()
    assert DISALLOWED not in first_paths
    assert first_paths.count(ARTICLE_1) == 1 and first_paths.count(MISSING) == 1

    site.clear()
    second = runner.crawl(
        "demo-listing",
        sources_path=sources_file,
        base_url=site.base,
        known_urls={i.url for i in first.items},
        fast=True,
        timeout=60,
    )
    assert second.failed_reason(expected_min_items=1) is None, second.log_tail
    assert second.returncode == 0 and second.finish_reason == "finished"
    paths = site.paths()
    assert ARTICLE_1 not in paths and ARTICLE_2 not in paths and DISALLOWED not in paths
    assert LISTING_PATH in paths
    assert second.stats.get("policywatch/skipped_known") == 2
    # the 404 page was not stored, so it is tried again and reported again
    assert second.errors == [f"404 {site.base}{MISSING}"]
    assert second.items == []


def test_wordpress_crawl_sends_after(site: Site, sources_file: Path) -> None:
    site.clear()
    result = runner.crawl(
        "demo-wp", sources_path=sources_file, base_url=site.base, after="2026-05-10T12:00:00+00:00", fast=True
    )
    assert result.failed_reason(expected_min_items=1) is None, result.log_tail
    api_calls = [p for p in site.requests if p.startswith(WP_PATH)]
    assert len(api_calls) == 1
    query = parse_qs(urlsplit(api_calls[0]).query)
    # a day earlier than the newest stored date: WordPress compares `after` with local time
    assert query["after"] == ["2026-05-09T12:00:00"]
    assert query["per_page"] == ["10"]
    assert query["_fields"] == ["id,date_gmt,link,title,content,excerpt,modified_gmt"]
    assert [(i.guid, i.title) for i in result.items] == [
        ("501", "AI Office opens – first staff hired"),
        ("502", "Call for regulatory sandbox participants"),
    ]
    assert result.items[1].published == datetime(2026, 5, 13, 10, 15, tzinfo=UTC)
    assert result.items[0].html == "<p>The new AI Office opened today.</p>"


def test_sitemap_crawl_fetches_only_recent_pages(site: Site, sources_file: Path) -> None:
    site.clear()
    result = runner.crawl("demo-sitemap", sources_path=sources_file, base_url=site.base, fast=True)
    assert result.failed_reason(expected_min_items=1) is None, result.log_tail
    assert [i.title for i in result.items] == ["Council meets in Tokyo (sitemap title)"]
    assert ARTICLE_2 not in site.paths()  # lastmod 2019: filtered before fetching


def test_json_api_crawl(site: Site, sources_file: Path) -> None:
    result = runner.crawl("demo-api", sources_path=sources_file, base_url=site.base, fast=True)
    assert result.failed_reason(expected_min_items=1) is None, result.log_tail
    assert [(i.url, i.title) for i in result.items] == [(site.base + "/docs/1", "Rule on AI")]


def test_unknown_source_and_unreachable_site_fail_loudly(sources_file: Path) -> None:
    unknown = runner.crawl(
        "no-such-source", sources_path=sources_file, base_url="http://127.0.0.1:9", fast=True
    )
    assert unknown.returncode == 2
    assert unknown.failed_reason() is not None and "exit code 2" in (unknown.failed_reason() or "")
    # port 9 (discard) is closed on loopback: every request fails, nothing is scraped
    down = runner.crawl("demo-api", sources_path=sources_file, base_url="http://127.0.0.1:9", fast=True)
    reason = down.failed_reason()
    assert reason is not None and "0 items" in reason, (reason, down.log_tail)
    assert any("127.0.0.1:9/api/docs.json" in e for e in down.errors)


def test_timeout_kills_the_crawl(site: Site, sources_file: Path) -> None:
    result = runner.crawl(
        "demo-listing", sources_path=sources_file, base_url=site.base, fast=True, timeout=0.05
    )
    assert result.timed_out
    assert "timed out" in (result.failed_reason() or "")


def test_scrapy_list_from_the_repo_root(sources_file: Path) -> None:
    """`scrapy list` shows one spider per enabled non-feed source (feeds and disabled ones are not)."""
    env = {**os.environ, "POLICYWATCH_SOURCES": str(sources_file)}
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        cwd=runner.REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["demo-api", "demo-listing", "demo-sitemap", "demo-wp"]
    assert "several spiders with the same name" not in done.stderr


def test_a_listing_link_of_another_scheme_is_skipped_and_counted_never_fatal(
    site: Site, tmp_path: Path
) -> None:
    """A ``file:///`` link on a listing read a local file into the store; a ``JavaScript:``, ``tel:``
    or ``vbscript:`` link raised in the callback and dropped every later link and the next page."""
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        'sources:\n  - id: demo-hostile\n    kind: listing\n    url: "{base}/hostile/"\n'
        "    private_network: true\n"
        '    listing: {links: "a.item", next_page: "a.next", max_pages: 2}\n',
        encoding="utf-8",
    )
    site.clear()
    result = runner.crawl("demo-hostile", sources_path=sources, base_url=site.base, fast=True, timeout=60)
    assert result.failed_reason(expected_min_items=2) is None, result.log_tail
    assert sorted(i.url for i in result.items) == [site.base + ARTICLE_2, site.base + ARTICLE_1]
    assert result.stats.get("policywatch/skipped_scheme") == len(HOSTILE_LINKS) + 1  # + the MAILTO:
    assert "/hostile/2" in site.paths()
    # robots.txt, two listing pages, two articles: nothing else was requested
    assert result.stats.get("downloader/request_count") == 5, result.stats

"""Loopback, private, link-local and metadata addresses are refused after DNS resolution, for
every fetch (feeds, article pages, listings, redirects), unless the source says
``private_network: true``. Loopback servers only; no real DNS (``getaddrinfo`` is faked)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import scrapy
from scrapy.exceptions import IgnoreRequest

from core.sources_config import FeedSource, load_sources
from core.yamlconf import ConfigError
from models.db import session_factory
from models.migrate import upgrade
from pipeline import fetch as fetch_module
from pipeline import netguard
from pipeline.articles import fetch_article_pages
from pipeline.fetch import FetchError, fetch, make_client
from pipeline.stages import link
from pipeline.types import RawItem
from services.ingest import fetch_feed
from spiders import runner
from spiders.netguard import REFUSED_KEY, PrivateAddressMiddleware
from tests.support.faultserver import FaultServer

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>AI Act guidelines</title><link>https://example.org/a</link></item></channel></rss>"""


class Recorder:
    """A loopback HTTP server that serves ``pages`` (path -> (content type, body)) and records
    every request path it receives."""

    def __init__(self, pages: dict[str, tuple[str, bytes]] | None = None) -> None:
        self.pages = dict(pages or {})
        self.requests: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                return

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                recorder.requests.append(self.path)
                ctype, body = recorder.pages.get(self.path, ("text/plain", b"not found"))
                self.send_response(200 if self.path in recorder.pages else 404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Recorder:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- the pure check ---


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.1.2.3",
        "10.0.0.5",
        "172.16.4.4",
        "192.168.1.10",
        "169.254.169.254",
        "169.254.1.1",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "[::1]",
        "fd00::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "::",
    ],
)
def test_internal_literals_are_refused_without_dns(host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _no_dns)
    assert netguard.internal_address(host) is not None
    message = netguard.refusal(host)
    assert message is not None and "private_network: true" in message


@pytest.mark.parametrize("host", ["93.184.216.34", "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_literals_pass(host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _no_dns)
    assert netguard.internal_address(host) is None and netguard.refusal(host) is None


def _no_dns(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("a literal address needs no DNS")


def _fake_dns(table: dict[str, list[str]]) -> Any:
    def getaddrinfo(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "unknown")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (addr, 0)) for addr in table[host]]

    return getaddrinfo


def test_names_are_judged_by_every_address_they_resolve_to(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        _fake_dns(
            {
                "news.example": ["93.184.216.34"],
                "rebind.example": ["127.0.0.1"],
                "metadata.example": ["169.254.169.254"],
                "mixed.example": ["93.184.216.34", "10.1.2.3"],
            }
        ),
    )
    assert netguard.internal_address("news.example") is None
    assert str(netguard.internal_address("rebind.example")) == "127.0.0.1"
    assert str(netguard.internal_address("metadata.example")) == "169.254.169.254"
    assert str(netguard.internal_address("mixed.example")) == "10.1.2.3"  # ANY address refuses
    assert netguard.internal_address("nowhere.example") is None  # the fetch itself fails later
    assert "rebind.example (127.0.0.1) resolves to a private address" in (
        netguard.refusal("rebind.example") or ""
    )


# --- configuration ---


def test_the_allowance_is_off_by_default_and_validated_with_file_line(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n  - id: pub\n    kind: feed\n    url: http://x.org/rss\n"
        "  - id: intra\n    kind: feed\n    url: http://intranet.local/rss\n    private_network: true\n",
        encoding="utf-8",
    )
    pub, intra = load_sources(path)
    assert pub.private_network is False and intra.private_network is True
    path.write_text(
        "sources:\n  - id: intra\n    kind: feed\n    url: http://x.org/rss\n    private_network: maybe\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"sources\.yaml:5: sources\[0\]\(intra\)\.private_network"):
        load_sources(path)


# --- feeds and article pages (httpx) ---


def test_a_feed_on_loopback_is_refused_without_the_allowance_and_fetched_with_it(tmp_path: Path) -> None:
    upgrade()
    factory = session_factory()
    with Recorder({"/feed.xml": ("application/rss+xml", RSS)}) as web:
        refused = FeedSource(id="sneaky", kind="feed", url=f"{web.base}/feed.xml", timeout_seconds=2)
        with pytest.raises(FetchError) as err:
            fetch_feed(factory, refused)
        assert err.value.transient is False
        assert "refused: 127.0.0.1 resolves to a private address" in str(err.value)
        assert "set private_network: true on the source to allow it" in str(err.value)
        assert web.requests == []  # no request reached the server

        allowed = refused.model_copy(update={"id": "intranet", "private_network": True})
        assert fetch_feed(factory, allowed).status == 200
        assert web.requests == ["/feed.xml"]


def test_article_pages_of_a_feed_are_refused_without_the_allowance() -> None:
    with Recorder({"/a.html": ("text/html", b"<html><body><p>secret</p></body></html>")}) as web:
        item = link(RawItem(source_id="pub", url=f"{web.base}/a.html", title="t"))
        public = FeedSource(id="pub", kind="feed", url="https://example.org/rss", timeout_seconds=2)
        pages = fetch_article_pages([item], public)
        assert len(pages.errors) == 1 and "private address" in pages.errors[0] and not pages.html
        assert web.requests == []
        pages = fetch_article_pages([item], public.model_copy(update={"private_network": True}))
        assert pages.errors == [] and "secret" in pages.html[item.raw.url]


def test_every_redirect_hop_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """127.0.0.1 plays the public host here; its 302 to 127.0.0.2 (internal) is refused."""
    real_internal = netguard.is_internal_address
    monkeypatch.setattr(
        netguard, "is_internal_address", lambda addr: str(addr) != "127.0.0.1" and real_internal(addr)
    )
    with FaultServer() as fs, make_client(2) as client:
        with pytest.raises(FetchError, match=r"refused: 127\.0\.0\.2 resolves to a private address") as err:
            fetch(client, fs.url("/offhost"))
        assert err.value.transient is False and "/offhost" in str(err.value)
        assert fs.count("/offhost") == 1  # the first hop was fetched ...
        assert not [r for r in fs.requests if r.host == "127.0.0.2"]  # ... the redirect target never


def _rebinding_dns(answers: dict[str, list[str]], calls: dict[str, int]) -> Any:
    """getaddrinfo for names whose answer changes per lookup (the last answer repeats); literal
    addresses resolve to themselves, as the real one does."""
    real = socket.getaddrinfo

    def getaddrinfo(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in answers:
            return real(host, *args, **kwargs) if host[:1].isdigit() else _fake_dns({})(host)
        n = calls[host] = calls.get(host, 0) + 1
        addr = answers[host][min(n, len(answers[host])) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (addr, 0))]

    return getaddrinfo


def test_dns_rebinding_cannot_reach_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The name answers a public address to the first lookup and 127.0.0.1 to the next: the
    connection is made only to an address that was checked, so nothing reaches the server."""
    calls: dict[str, int] = {}
    monkeypatch.setattr(
        socket, "getaddrinfo", _rebinding_dns({"rebind.example": ["93.184.216.34", "127.0.0.1"]}, calls)
    )
    with Recorder({"/feed": ("application/rss+xml", RSS)}) as site, make_client(2) as client:
        port = site.server.server_address[1]
        with pytest.raises(
            FetchError, match=r"rebind\.example \(127\.0\.0\.1\) resolves to a private address"
        ):
            fetch(client, f"http://rebind.example:{port}/feed")
        assert site.requests == []
    assert calls["rebind.example"] >= 2


def test_the_connection_goes_to_the_address_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """127.0.0.1 plays a public address. The name is resolved once, where the connection is made,
    and the socket connects to that address: a second lookup (which a rebinding server would
    answer differently) never happens."""
    calls: dict[str, int] = {}
    monkeypatch.setattr(
        socket, "getaddrinfo", _rebinding_dns({"pinned.example": ["127.0.0.1", "10.9.9.9"]}, calls)
    )
    real_internal = netguard.is_internal_address
    monkeypatch.setattr(fetch_module, "refusal", lambda host: None)  # the request hook's lookup: off
    monkeypatch.setattr(
        netguard, "is_internal_address", lambda addr: str(addr) != "127.0.0.1" and real_internal(addr)
    )
    with Recorder({"/feed": ("application/rss+xml", RSS)}) as site, make_client(2) as client:
        port = site.server.server_address[1]
        result = fetch(client, f"http://pinned.example:{port}/feed")
    assert result.status == 200 and site.requests == ["/feed"]
    assert calls == {"pinned.example": 1}


# --- crawls (Scrapy) ---


class _Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, n: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + n


def _middleware(private_network: bool) -> tuple[PrivateAddressMiddleware, _Stats, Any]:
    stats = _Stats()
    spider = SimpleNamespace(name="lst", source=SimpleNamespace(id="lst", private_network=private_network))
    crawler = SimpleNamespace(stats=stats, spider=spider)
    return PrivateAddressMiddleware(crawler), stats, spider  # type: ignore[arg-type]


def test_middleware_refuses_a_link_to_another_loopback_port_and_counts_it() -> None:
    mw, stats, spider = _middleware(private_network=False)
    with pytest.raises(IgnoreRequest, match="private_network: true"):
        mw.process_request(scrapy.Request("http://127.0.0.1:6379/"), spider)
    with pytest.raises(IgnoreRequest):
        mw.process_request(scrapy.Request("http://169.254.169.254/latest/meta-data/"), spider)
    assert stats.values == {REFUSED_KEY: 2}
    mw.process_request(scrapy.Request("http://93.184.216.34/news"), spider)  # a public host passes

    mw, stats, spider = _middleware(private_network=True)
    mw.process_request(scrapy.Request("http://127.0.0.1:6379/"), spider)  # allowed: no IgnoreRequest
    assert stats.values == {}


LISTING_SOURCE = """sources:
  - id: lst
    kind: listing
    url: "{base}/news/"
PRIVATE
    listing: {links: "a.item"}
"""


@pytest.fixture
def two_ports() -> Iterator[tuple[Recorder, Recorder]]:
    """A listing on one loopback port whose only link is an article on another loopback port."""
    with Recorder() as other:
        article = b"<html><head><title>AI Act</title></head><body><article><h1>AI Act</h1>"
        article += (
            b"<p>" + b"The AI Act guidelines were published today. " * 20 + b"</p></article></body></html>"
        )
        other.pages = {"/article.html": ("text/html", article), "/robots.txt": ("text/plain", b"")}
        listing = f'<html><body><a class="item" href="{other.base}/article.html">AI Act</a></body></html>'
        with Recorder(
            {"/news/": ("text/html", listing.encode()), "/robots.txt": ("text/plain", b"")}
        ) as site:
            yield site, other


@pytest.mark.parametrize("allowed", [False, True])
def test_crawl_of_a_loopback_listing(
    two_ports: tuple[Recorder, Recorder], tmp_path: Path, allowed: bool
) -> None:
    site, other = two_ports
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        LISTING_SOURCE.replace("PRIVATE", "    private_network: true" if allowed else "    enabled: true"),
        encoding="utf-8",
    )
    result = runner.crawl("lst", sources_path=sources, base_url=site.base, fast=True, timeout=60)
    if allowed:
        assert result.failed_reason(expected_min_items=1) is None, result.log_tail
        assert [i.url for i in result.items] == [f"{other.base}/article.html"]
        assert "/news/" in site.requests and "/article.html" in other.requests
        assert not result.stats.get(REFUSED_KEY)
    else:
        assert result.returncode == 0 and not result.items, result.log_tail
        assert site.requests == [] and other.requests == []  # not even robots.txt
        assert result.stats.get(REFUSED_KEY, 0) >= 1, result.stats
        reason = result.failed_reason()
        assert reason and "private_network: true" in reason


def test_the_crawl_resolver_refuses_an_internal_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scrapy connects to the address its resolver returns: an internal one fails the lookup
    (a rebinding name that passed the middleware's check cannot reach loopback), unless the
    crawl's source allows private addresses."""
    from scrapy.resolver import dnscache
    from scrapy.utils.project import get_project_settings
    from twisted.internet import reactor
    from twisted.internet.error import DNSLookupError

    from spiders.crawl_one import allow_private_network
    from spiders.netguard import PRIVATE_NETWORK_SETTING, PublicAddressResolver

    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "spiders.settings")
    assert get_project_settings()["TWISTED_DNS_RESOLVER"] == "spiders.netguard.PublicAddressResolver"

    def resolver_for(private_network: bool) -> PublicAddressResolver:
        """Built as Scrapy builds it, from the process's settings after crawl_one set them."""
        settings = get_project_settings()
        source = SimpleNamespace(private_network=private_network)
        allow_private_network(settings, type("Spider", (), {"source": source}))
        assert settings.getbool(PRIVATE_NETWORK_SETTING) is private_network
        return PublicAddressResolver.from_crawler(SimpleNamespace(settings=settings), reactor)  # type: ignore[arg-type]

    dnscache["rebind.example"] = "127.0.0.1"  # the answer the connection would get
    dnscache["news.example"] = "93.184.216.34"
    outcomes: list[object] = []
    public_only = resolver_for(False)
    public_only.getHostByName("rebind.example").addBoth(outcomes.append)
    public_only.getHostByName("news.example").addBoth(outcomes.append)
    resolver_for(True).getHostByName("rebind.example").addBoth(outcomes.append)
    refused, public, allowed = outcomes
    assert getattr(refused, "type", None) is DNSLookupError
    assert "private_network: true" in str(getattr(refused, "value", ""))
    assert (public, allowed) == ("93.184.216.34", "127.0.0.1")


def test_a_host_with_no_address_fails_at_once_and_is_not_retried_in_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Offline (or a mistyped host), every source fails on DNS: a retry seconds later finds the
    same, so the run does not wait for one; the next scheduled run tries again."""
    monkeypatch.setattr(socket, "getaddrinfo", _fake_dns({}))
    with make_client() as client, pytest.raises(FetchError) as caught:
        fetch(client, "https://nowhere.example/feed.xml")
    assert caught.value.transient is False
    assert (
        str(caught.value) == "cannot reach https://nowhere.example/feed.xml: cannot resolve nowhere.example"
    )

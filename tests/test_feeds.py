"""Feed parsing on real captures, canonical URLs, and conditional GET against a loopback server."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.feeds import NotAFeed, parse_feed
from pipeline.fetch import FetchError, fetch, make_client
from pipeline.urls import canonical_url
from policywatch.demo.server import DemoWeb
from tests.conftest import REAL, need_shared


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://WWW.Example.ORG:443/News/Item?utm_source=rss&utm_medium=feed#comments",
            "https://www.example.org/News/Item",
        ),
        (
            "https://ec.europa.eu/commission/presscorner/detail/en/ip_26_2101?utm_source=rss",
            "https://ec.europa.eu/commission/presscorner/detail/en/ip_26_2101",
        ),
        ("https://x.org/?p=5&fbclid=abc&gclid=1", "https://x.org/?p=5"),
        ("https://x.org/list?b=2&a=1", "https://x.org/list?a=1&b=2"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    ("name", "version", "count", "first_title"),
    [
        ("feeds/ec_presscorner_rss_10items.xml", "rss20", 10, "Daily News 04 / 09 / 2026"),
        ("feeds/govuk_fcdo_organisation.atom", "atom10", 3, "UN Human Rights Council 63: UK Statement"),
        ("feeds/heise_rdf_rss090.xml", "rss090", 60, None),
        ("feeds/craigslist_rss10.rdf", "rss10", 25, None),
        ("feeds/cerclepsy_latin1_no_decl.rss", "rss20", 9, "Perturbateurs endocriniens : quels effet"),
        ("feeds/ibash_windows-1251.rss", "rss20", 50, "Цитата #17703"),
    ],
)
def test_real_feeds_parse(name: str, version: str, count: int, first_title: str | None) -> None:
    need_shared()
    parsed = parse_feed((REAL / name).read_bytes(), "src")
    assert parsed.version == version
    assert len(parsed.items) == count
    assert all(item.url.startswith("http") for item in parsed.items)
    if first_title:
        assert parsed.items[0].title.startswith(first_title)
    assert parsed.error is None


def test_ec_presscorner_items_have_dates_and_guids() -> None:
    need_shared()
    parsed = parse_feed((REAL / "feeds/ec_presscorner_rss_10items.xml").read_bytes(), "ec")
    assert all(item.published is not None and item.published.year == 2026 for item in parsed.items)
    assert all(item.guid for item in parsed.items)


def test_malformed_feed_keeps_what_parsed() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>Kept</title><link>http://x.org/1</link></item>"
        b"<item><title>Broken & bad</title><link>http://x.org/2</link>"
    )
    parsed = parse_feed(body, "src")
    assert [i.title for i in parsed.items][:1] == ["Kept"]
    assert parsed.error and parsed.error.startswith("malformed feed")


@pytest.mark.parametrize("body", [b"", b"<html><body><h1>Service unavailable</h1></body></html>"])
def test_not_a_feed(body: bytes) -> None:
    with pytest.raises(NotAFeed):
        parse_feed(body, "src")


def test_conditional_get_gets_304_on_second_poll() -> None:
    with DemoWeb() as web, make_client(5, private_network=True) as client:
        url = f"{web.base_url}/commission/rss.xml"
        first = fetch(client, url)
        assert first.status == 200 and first.etag and first.last_modified
        assert b"Digital Partnership Council" in first.body
        second = fetch(client, url, etag=first.etag, last_modified=first.last_modified)
        assert second.status == 304 and second.body == b""
        assert web.requests[-1] == ("/commission/rss.xml", first.etag, 304)


def test_fetch_errors_are_classified(tmp_path: Path) -> None:
    (tmp_path / "big.xml").write_bytes(b"x" * 5000)
    with DemoWeb(root=tmp_path) as web, make_client(5, private_network=True) as client:
        with pytest.raises(FetchError) as missing:
            fetch(client, f"{web.base_url}/nope.xml")
        assert missing.value.status == 404 and not missing.value.transient
        with pytest.raises(FetchError, match="too large") as big:
            fetch(client, f"{web.base_url}/big.xml", max_bytes=1000)
        assert not big.value.transient
    with make_client(2, private_network=True) as client, pytest.raises(FetchError) as dead:
        fetch(client, "http://127.0.0.1:9/feed.xml")  # nothing listens on the discard port
    assert dead.value.transient and "cannot reach" in str(dead.value)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "FILE:///etc/passwd", "ftp://127.0.0.1/x", "data:,x"])
def test_fetch_refuses_other_schemes(url: str) -> None:
    """Only http(s) is fetched, and a refusal is permanent (no retry storm on a bad link)."""
    with make_client(2.0) as client, pytest.raises(FetchError, match="only http and https") as err:
        fetch(client, url)
    assert err.value.transient is False

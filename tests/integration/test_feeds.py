"""Feed parsing on our fixtures in every feed version and encoding (and on the real captures
of ../shared/corpus/real as extra cases when they are there), canonical URLs, and conditional
GET against a loopback server."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from pipeline.feeds import NotAFeed, parse_feed
from pipeline.fetch import FetchError, fetch, make_client
from pipeline.urls import canonical_url
from policywatch.demo.server import DemoWeb
from tests.support.cases import our_case, real_cases
from tests.support.paths import FIXTURES


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


def first_entry_title(body: bytes, encoding: str) -> str:
    """The first entry's ``<title>`` read straight from the bytes in their known encoding: what
    the parser must give (so a real capture's expectation is computed, never copied here)."""
    found = re.search(r"<(?:item|entry)\b.*?<title[^>]*>(.*?)</title>", body.decode(encoding), re.S)
    assert found, "no entry title in the file"
    title = re.sub(r"<!\[CDATA\[(.*?)\]\]>", r"\1", found.group(1), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", "", html.unescape(title)).split())  # escaped markup goes


FEEDS = FIXTURES / "feeds"
SOURCES = FIXTURES / "sources"


@pytest.mark.parametrize(
    ("path", "version", "count", "encoding"),
    [
        our_case(SOURCES / "ec-presscorner.xml", "rss20", 5, "utf-8"),
        our_case(SOURCES / "govuk-fcdo.atom", "atom10", 3, "utf-8"),
        our_case(FEEDS / "newsticker-rss090.rdf", "rss090", 4, "utf-8"),
        our_case(SOURCES / "jp-mic.rdf", "rss10", 4, "shift_jis"),  # RSS 1.0 in Shift_JIS
        our_case(FEEDS / "latin1-no-declaration.rss", "rss20", 3, "iso-8859-1"),  # no XML declaration
        our_case(FEEDS / "windows-1251.rss", "rss20", 3, "cp1251"),
        *real_cases("feeds/ec_presscorner_rss_10items.xml", "rss20", 10, "utf-8"),
        *real_cases("feeds/govuk_fcdo_organisation.atom", "atom10", 3, "utf-8"),
        *real_cases("feeds/heise_rdf_rss090.xml", "rss090", 60, "utf-8"),
        *real_cases("feeds/craigslist_rss10.rdf", "rss10", 25, "utf-8"),
        *real_cases("feeds/cerclepsy_latin1_no_decl.rss", "rss20", 9, "iso-8859-1"),
        *real_cases("feeds/ibash_windows-1251.rss", "rss20", 50, "cp1251"),
    ],
)
def test_feeds_parse_in_every_version_and_encoding(
    path: Path, version: str, count: int, encoding: str
) -> None:
    body = path.read_bytes()
    parsed = parse_feed(body, "src")
    assert parsed.version == version
    assert len(parsed.items) == count
    assert all(item.url.startswith("http") for item in parsed.items)
    assert parsed.items[0].title == first_entry_title(body, encoding)  # decoded, not mojibake
    assert not any("\ufffd" in item.title for item in parsed.items)
    assert parsed.error is None


def test_our_legacy_encoded_feeds_really_are_legacy_encoded() -> None:
    """The fixtures test what they claim: bytes a strict UTF-8 decode refuses, titles we know."""
    for name in ("latin1-no-declaration.rss", "windows-1251.rss"):
        with pytest.raises(UnicodeDecodeError):
            (FEEDS / name).read_bytes().decode("utf-8")
    assert not (FEEDS / "latin1-no-declaration.rss").read_bytes().startswith(b"<?xml")
    titles = [i.title for i in parse_feed((FEEDS / "windows-1251.rss").read_bytes(), "ru").items]
    assert titles[1] == "Кодекс этики в сфере ИИ подписали ещё двенадцать компаний"
    french = parse_feed((FEEDS / "latin1-no-declaration.rss").read_bytes(), "fr").items
    assert french[1].title == "Sommet franco-japonais sur l'IA : rendez-vous à Kyoto… en octobre"


@pytest.mark.parametrize(
    "path",
    [our_case(SOURCES / "ec-presscorner.xml"), *real_cases("feeds/ec_presscorner_rss_10items.xml")],
)
def test_ec_presscorner_items_have_dates_and_guids(path: Path) -> None:
    parsed = parse_feed(path.read_bytes(), "ec")
    assert parsed.items
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

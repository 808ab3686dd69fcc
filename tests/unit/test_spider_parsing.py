"""The spiders' pure parsing functions on our own fixtures, and on the real captures of
../shared/corpus/real as extra cases when they are there (their expectations computed from the
capture, never copied here).

No Scrapy engine runs here: the functions take bytes/text/JSON and return RawItem-shaped
dicts, which is what lets a maintainer fix a broken source from a saved page alone.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

import pytest

from spiders import parsing
from spiders.items import ArticleItem, item_from_dict, to_raw_item
from tests.support.cases import our_case, real_cases
from tests.support.paths import FIXTURES as FIXTURES_ROOT
from tests.support.paths import REAL, SEEDS

FIXTURES = FIXTURES_ROOT / "spiders"
SOURCES = FIXTURES_ROOT / "sources"
LISTINGS = FIXTURES_ROOT / "listings"
SITEMAPS = FIXTURES_ROOT / "sitemaps"

LISTING_SPEC = {"links": ".views-row h3 a", "date": "time", "next_page": "li.pager__item--next a"}
BASE = "https://digital.example.gov/news/"


# --------------------------------------------------------------------------- listing pages


def test_listing_links_titles_dates_and_next_page() -> None:
    page = (FIXTURES / "gov-press-listing.html").read_text(encoding="utf-8")
    links = parsing.listing_links(page, BASE, LISTING_SPEC)
    assert links == [
        {
            "url": "https://digital.example.gov/news/2026/eu-japan-digital-partnership-council.html",
            "title": "Third EU-Japan Digital Partnership Council held in Tokyo",
            "published": "2026-05-12T09:30:00+00:00",
        },
        {
            # fragment dropped, whitespace collapsed, &amp; unescaped
            "url": "https://digital.example.gov/news/2026/ai-act-guidelines-consultation.html",
            "title": "Consultation opens on general-purpose AI guidelines & codes of practice",
            "published": "2026-05-10T00:00:00+00:00",
        },
        {
            "url": "https://digital.example.gov/private/draft-statement.html",
            "title": "Draft statement (internal)",
            "published": "2026-05-08T00:00:00+00:00",
        },
        {
            "url": "https://digital.example.gov/news/2026/removed-article.html",
            "title": "Article that was withdrawn",
            "published": "2026-05-02T00:00:00+00:00",
        },
    ]
    assert parsing.next_page_url(page, BASE, LISTING_SPEC["next_page"]) == BASE + "?page=1"
    assert parsing.next_page_url(page, BASE, None) is None


HOSTILE_HREFS = [
    "file:///etc/passwd",
    "FILE:///etc/hostname",
    "JavaScript:alert(1)",
    "java\tscript:alert(1)",
    "tel:+3225551234",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://ftp.example.gov/pub/x",
    "s3://bucket/key",
    "mailto:press@example.gov",
    "http://[::1",
]


def test_listing_keeps_only_http_links_and_names_the_others() -> None:
    """Only http(s) is followed, whatever the case of the scheme; the rest is handed back to count."""
    page = "".join(f'<a class="x" href="{h}">L{i}</a>' for i, h in enumerate(HOSTILE_HREFS))
    page += '<a class="x" href="/news/1.html">One</a><a class="x" href="HTTPS://Other.example.gov/2">Two</a>'
    rejected: list[str] = []
    links = parsing.listing_links(page, BASE, {"links": "a.x"}, rejected)
    assert [link["url"] for link in links] == [
        "https://digital.example.gov/news/1.html",
        "https://Other.example.gov/2",
    ]
    assert len(rejected) == len(HOSTILE_HREFS)
    assert parsing.listing_links(page, BASE, {"links": "a.x::attr(href)"})[0]["url"].endswith("/news/1.html")
    # a next-page link of another scheme is passed over for the first web one
    pager = '<a class="n" href="file:///etc/passwd">next</a><a class="n" href="?page=2">next</a>'
    assert parsing.next_page_url(pager, BASE, "a.n") == BASE + "?page=2"
    assert parsing.next_page_url('<a class="n" href="JavaScript:go()">next</a>', BASE, "a.n") is None


def test_scrapy_download_handlers_are_http_only() -> None:
    from spiders import settings

    assert settings.DOWNLOAD_HANDLERS == {"file": None, "data": None, "ftp": None, "s3": None}


def test_listing_xpath_selectors_and_attribute_results() -> None:
    page = (FIXTURES / "gov-press-listing.html").read_text(encoding="utf-8")
    by_xpath = parsing.listing_links(page, BASE, {"links": "//li[@class='views-row']//h3/a"})
    assert len(by_xpath) == 4 and by_xpath[0]["published"] is None
    hrefs = parsing.listing_links(page, BASE, {"links": ".views-row h3 a::attr(href)"})
    assert [h["url"] for h in hrefs] == [link["url"] for link in by_xpath]
    assert hrefs[0]["title"] == ""  # a bare href carries no title; the article page supplies it


def _text(node: parsing.Selector) -> str:
    return " ".join(" ".join(node.css("::text").getall()).split())


@pytest.mark.parametrize(
    "path",
    [
        our_case(SOURCES / "jp-kantei-en.html"),
        *real_cases("html/listings/kantei_japan_en_listing_FRAGMENTS.html"),
    ],
)
def test_listing_on_card_markup(path: Path) -> None:
    """Kantei-style cards: the link wraps a title div and a ``<time datetime>``."""
    page = path.read_text(encoding="utf-8")
    base = "https://japan.kantei.go.jp/"
    spec = {"links": "a.panel-article__link", "title": ".panel-article__title", "date": "time"}
    links = parsing.listing_links(page, base, spec)
    cards = parsing.Selector(text=page).css("a.panel-article__link")
    assert len(links) == len(cards) == 3
    assert [(link["url"], link["published"]) for link in links] == [
        (urljoin(base, card.attrib["href"]), f"{card.css('time::attr(datetime)').get()}T00:00:00+00:00")
        for card in cards
    ]
    assert [link["title"] for link in links] == [
        _text(card.css(".panel-article__title")[0]) for card in cards
    ]


@pytest.mark.parametrize(
    ("path", "base", "rows"),
    [
        our_case(
            LISTINGS / "drupal-views-listing.html",
            "https://www.digital-office.example.gov/policy/digital-policy-memoranda",
            6,
        ),
        *real_cases(
            "html/listings/blm_gov_policy_instruction_memorandum.html",
            "https://www.blm.gov/policy/instruction-memorandums",
            25,
        ),
    ],
)
def test_listing_on_drupal_views_rows(path: Path, base: str, rows: int) -> None:
    """A Drupal views list (a code, then the link; no dates) and its pager, by XPath."""
    page = path.read_text(encoding="utf-8")
    links = parsing.listing_links(page, base, {"links": "//div[contains(@class, 'views-row')]/a"})
    anchors = parsing.Selector(text=page).xpath("//div[contains(@class, 'views-row')]/a")
    assert len(links) == len(anchors) == rows
    assert links == [
        {"url": urljoin(base, a.attrib["href"]), "title": _text(a), "published": None} for a in anchors
    ]
    assert parsing.next_page_url(page, base, "li.pager__item a[title='Go to page 2']") == base + "?page=1"


def test_our_drupal_listing_reads_as_written() -> None:
    page = (LISTINGS / "drupal-views-listing.html").read_text(encoding="utf-8")
    base = "https://www.digital-office.example.gov/policy/digital-policy-memoranda"
    links = parsing.listing_links(page, base, {"links": "//div[contains(@class, 'views-row')]/a"})
    assert links[3] == {
        "url": "https://www.digital-office.example.gov/policy/dpm-2026-003",
        "title": "Procurement Clauses for Commercial AI Services & Models",  # &amp; unescaped
        "published": None,
    }
    assert links[0]["title"] == "Use of Generative AI Tools in Grant Review"  # trailing space gone


# --------------------------------------------------------------------------- article pages


def test_article_page_main_text_and_listing_hint() -> None:
    page = (FIXTURES / "gov-press-article-1.html").read_text(encoding="utf-8")
    url = BASE + "2026/eu-japan-digital-partnership-council.html"
    item = parsing.parse_article(page, url, source_id="demo", language="en")
    assert item["title"] == "Third EU-Japan Digital Partnership Council held in Tokyo"
    assert item["published"] == "2026-05-12T09:30:00+00:00"
    assert item["summary"] == "Ministers agreed to deepen cooperation on AI governance and data flows."
    assert "The next meeting of the Council is planned for 2027 in Brussels." in item["body"]
    for boilerplate in ("Privacy notice", "Related links", "All press releases"):
        assert boilerplate not in item["body"]
    assert item["html"] == ""  # main text found: the page is not carried along
    assert (item["source_id"], item["url"], item["language"], item["guid"]) == ("demo", url, "en", None)

    hinted = parsing.parse_article(page, url, hint={"title": "Listing title", "published": "2026-05-13"})
    assert (hinted["title"], hinted["published"]) == ("Listing title", "2026-05-13T00:00:00+00:00")
    assert hinted["language"] == "en"  # from <html lang>


def test_article_selectors_override_trafilatura() -> None:
    page = (FIXTURES / "gov-press-article-2.html").read_text(encoding="utf-8")
    spec = {
        "links": "a",
        "article_title": "h1.page-title",
        "article_date": ".date-display-single",
        "article_body": ".field--name-body p",
    }
    item = parsing.parse_article(page, BASE + "2026/x.html", spec=spec, hint={"title": "ignored"})
    assert item["title"] == "Consultation opens on general-purpose AI guidelines & codes of practice"
    assert item["published"] == "2026-05-10T00:00:00+00:00"  # 10.05.2026 is day-first
    assert item["body"].startswith("The Ministry today opened a public consultation")
    assert item["body"].count("\n") == 2 and "cookies" not in item["body"]


@pytest.mark.parametrize(
    ("name", "content_type", "title", "sentence", "lang", "published"),
    [
        (
            "jp-shiftjis-article.html",
            "text/html; charset=utf-8",  # wrong header, right <meta http-equiv>
            "AI戦略会議（第12回）の開催について",
            "次回会合は秋に東京で開催する予定",
            "ja",
            None,
        ),
        (
            "kr-euckr-article.html",
            "text/html; charset=ISO-8859-1",  # wrong single-byte header, right <meta charset>
            "인공지능 기본법 시행령 입법예고",
            "고영향 인공지능의 판단 기준",
            "ko",
            "2026-05-12T00:00:00+00:00",
        ),
    ],
)
def test_cjk_pages_with_wrong_charset_headers(
    name: str, content_type: str, title: str, sentence: str, lang: str, published: str | None
) -> None:
    body = (FIXTURES / name).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")  # the fixture really is legacy-encoded
    text = parsing.decode_html(body, content_type)
    item = parsing.parse_article(text, "https://example.go.jp/a.html")
    assert item["title"] == title
    assert sentence in item["body"]
    assert item["language"] == lang
    if published:
        assert item["published"] == published


def test_decode_html_without_any_declaration_falls_back_to_detection() -> None:
    body = (FIXTURES / "jp-shiftjis-article.html").read_bytes()
    body = body.replace(b'<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">', b"")
    assert "AI戦略会議（第12回）の開催について" in parsing.decode_html(body, None)
    assert parsing.decode_html("<p>café</p>".encode(), "text/html; charset=iso-8859-1") == "<p>café</p>"
    assert (
        parsing.decode_html("<p>café</p>".encode("cp1252"), "text/html; charset=windows-1252")
        == "<p>café</p>"
    )
    assert parsing.decode_html("\ufeff<p>Ü</p>".encode("utf-16-le"), "text/html; charset=utf-8") == "<p>Ü</p>"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("令和8年5月12日", "2026-05-12T00:00:00+00:00"),
        ("2026년 5월 12일", "2026-05-12T00:00:00+00:00"),
        ("10.05.2026", "2026-05-10T00:00:00+00:00"),
        ("Published on 3 October 2026", "2026-10-03T00:00:00+00:00"),
        ("2023-11-16T13:00:00", "2023-11-16T13:00:00+00:00"),
        ("Mon, 12 May 2026 09:30:00 +0200", "2026-05-12T09:30:00+02:00"),
        ("Press release 12", None),
        ("", None),
    ],
)
def test_to_iso(text: str, iso: str | None) -> None:
    assert parsing.to_iso(text) == iso


# --------------------------------------------------------------------------- WordPress


def _wp_seed_cases() -> list[pytest.ParameterSet]:
    ours = [our_case(FIXTURES_ROOT / "seeds" / "003_wordpress_post_summit.txt")]
    real = SEEDS / "003_9a28a8427220db8b.txt"
    return ours + ([pytest.param(real, id="real:seeds/003")] if real.is_file() else [])


@pytest.mark.parametrize("path", _wp_seed_cases())
def test_wordpress_single_post(path: Path) -> None:
    """A single ``wp/v2/posts/ID`` object (the seed's format): title unescaped, date_gmt as UTC."""
    data = json.loads(path.read_text(encoding="utf-8"))
    [item] = parsing.parse_wp_posts(data, "site")
    assert item["title"] == html.unescape(data["title"]["rendered"]) and "&#" not in item["title"]
    assert item["published"] == data["date_gmt"] + "+00:00"
    assert (item["url"], item["guid"]) == (data["link"], str(data["id"]))
    assert item["html"] == data["content"]["rendered"]
    assert item["summary"] and "<" not in item["summary"]
    raw = to_raw_item(item)
    assert raw.published == datetime.fromisoformat(data["date_gmt"]).replace(tzinfo=UTC)
    assert raw.source_id == "site"


@pytest.mark.parametrize(
    "path",
    [our_case(SOURCES / "ai-act-wordpress.json"), *real_cases("wpjson/trustlands_utah_gov_wp_v2_posts.json")],
)
def test_wordpress_posts_list(path: Path) -> None:
    posts = json.loads(path.read_text("utf-8"))
    items = parsing.parse_wp_posts(posts, "site")
    assert len(items) == len(posts) > 1
    assert [(i["guid"], i["title"], i["published"], i["url"]) for i in items] == [
        (
            str(p["id"]),
            " ".join(html.unescape(re.sub(r"<[^>]+>", "", p["title"]["rendered"])).split()),
            p["date_gmt"] + "+00:00",
            p["link"],
        )
        for p in posts
    ]


def test_wordpress_urls() -> None:
    url = parsing.wp_posts_url("https://site.example/", per_page=5, after="2026-05-01T00:00:00", page=2)
    assert url == (
        "https://site.example/wp-json/wp/v2/posts?per_page=5"
        "&_fields=id%2Cdate_gmt%2Clink%2Ctitle%2Ccontent%2Cexcerpt%2Cmodified_gmt"
        "&orderby=date&order=desc&after=2026-05-01T00%3A00%3A00&page=2"
    )
    assert parsing.wp_posts_url("https://site.example/wp-json/wp/v2/posts?categories=7").startswith(
        "https://site.example/wp-json/wp/v2/posts?categories=7&per_page=20"
    )
    assert parsing.wp_after_param("2026-05-10T12:00:00+02:00") == "2026-05-09T10:00:00"
    assert parsing.wp_after_param("2026-05-10T12:00:00Z", margin_hours=0) == "2026-05-10T12:00:00"


# --------------------------------------------------------------------------- sitemaps


def _news_entries(body: bytes) -> list[tuple[str, str, str]]:
    """(loc, title, publication date) of each ``<url>``, read with ElementTree."""
    ns = {
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
        "n": "http://www.google.com/schemas/sitemap-news/0.9",
    }
    return [
        (
            (url.findtext("s:loc", "", ns)).strip(),
            " ".join(url.findtext("n:news/n:title", "", ns).split()),
            url.findtext("n:news/n:publication_date", "", ns).strip(),
        )
        for url in ET.fromstring(body).findall("s:url", ns)
    ]


@pytest.mark.parametrize(
    ("path", "count", "now", "last_day", "url_filter", "filtered"),
    [
        our_case(SITEMAPS / "news-sitemap.xml", 8, datetime(2026, 10, 5, tzinfo=UTC), 4, r"/(ja|ko)/", 2),
        *real_cases(
            "sitemaps/kyivindependent_news_sitemap.xml",
            30,
            datetime(2026, 10, 5, tzinfo=UTC),
            16,
            r"russia",
            17,
        ),
        *real_cases(
            "sitemaps/nytimes_news_sitemap_excerpt.xml",
            6,
            datetime(2020, 5, 12, tzinfo=UTC),
            6,
            r"magazine",
            4,
        ),
    ],
)
def test_google_news_sitemap(
    path: Path, count: int, now: datetime, last_day: int, url_filter: str, filtered: int
) -> None:
    body = path.read_bytes()
    doc = parsing.parse_sitemap(body)
    assert doc.kind == "urlset" and len(doc.entries) == count
    expected = _news_entries(body)
    assert [(e["loc"], e["title"]) for e in doc.entries] == [(loc, title) for loc, title, _ in expected]
    assert [e["published"] for e in doc.entries] == [
        datetime.fromisoformat(date.replace("Z", "+00:00")).isoformat() for _, _, date in expected
    ]
    assert all(e["language"] for e in doc.entries)
    assert len(parsing.recent_entries(doc.entries, now=now, max_age_days=1)) == last_day
    assert (
        len(parsing.recent_entries(doc.entries, now=now, max_age_days=30, url_filter=url_filter)) == filtered
    )


def test_our_news_sitemap_reads_as_written() -> None:
    doc = parsing.parse_sitemap((SITEMAPS / "news-sitemap.xml").read_bytes())
    assert doc.entries[1]["title"] == "Japan's cabinet approves first AI Basic Plan"  # &apos; unescaped
    assert [e["language"] for e in doc.entries[1:5]] == ["en", "ja", "en", "ko"]
    assert doc.entries[2]["title"] == "AI基本計画を閣議決定 政府"  # the ideographic space is a space


def _plain_and_gzipped() -> list[pytest.ParameterSet]:
    ours = SITEMAPS / "sitemap.xml"
    cases = [
        pytest.param(ours.read_bytes(), gzip.compress(ours.read_bytes()), 12, id="ours:sitemaps/sitemap.xml")
    ]
    plain, gz = REAL / "sitemaps" / "sitemaps_org_sitemap.xml", REAL / "sitemaps" / "sitemap.xml.gz"
    if plain.is_file() and gz.is_file():
        cases.append(
            pytest.param(plain.read_bytes(), gz.read_bytes(), 84, id="real:sitemaps/sitemap.xml(.gz)")
        )
    return cases


@pytest.mark.parametrize(("plain_body", "gz_body", "count"), _plain_and_gzipped())
def test_plain_and_gzipped_sitemaps_agree(plain_body: bytes, gz_body: bytes, count: int) -> None:
    plain = parsing.parse_sitemap(plain_body)
    gz = parsing.parse_sitemap(gz_body)
    assert gz_body.startswith(b"\x1f\x8b")
    assert plain.kind == gz.kind == "urlset"
    assert len(plain.entries) == len(gz.entries) == count
    assert plain.entries == gz.entries
    lastmods = [datetime.fromisoformat(str(e["lastmod"])) for e in plain.entries]
    newest = max(lastmods)
    assert (
        len(parsing.recent_entries(plain.entries, now=newest + timedelta(days=1), max_age_days=400)) == count
    )
    assert parsing.recent_entries(plain.entries, now=newest + timedelta(days=6), max_age_days=5) == []


def test_sitemap_index_and_junk() -> None:
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://x.example/s1.xml.gz</loc><lastmod>2026-05-01</lastmod></sitemap>
    <sitemap><loc>https://x.example/s2.xml</loc></sitemap></sitemapindex>"""
    doc = parsing.parse_sitemap(gzip.compress(index))
    assert doc.kind == "sitemapindex"
    assert [e["loc"] for e in doc.entries] == ["https://x.example/s1.xml.gz", "https://x.example/s2.xml"]
    assert parsing.parse_sitemap(b"<html><body>Not found</body></html>").kind == "invalid"
    assert parsing.parse_sitemap(b"").kind == "invalid"
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><urlset><url><loc>&a;</loc></url></urlset>'
    assert all("aaaa" not in e["loc"] for e in parsing.parse_sitemap(bomb).entries)


# --------------------------------------------------------------------------- JSON APIs


@pytest.mark.parametrize(
    "path",
    [
        our_case(SOURCES / "federal-register-ai.json"),
        *real_cases("jsonapi/federalregister_documents_search.json"),
    ],
)
def test_json_api_federal_register(path: Path) -> None:
    data = json.loads(path.read_text("utf-8"))
    fields = {
        "list": "results",
        "title": "title",
        "url": "html_url",
        "date": "publication_date",
        "text": "abstract",
        "id": "document_number",
    }
    items = parsing.parse_json_api(data, fields, "federal-register")
    results = data["results"]
    assert len(items) == len(results) > 1
    assert [(i["title"], i["url"], i["guid"]) for i in items] == [
        (" ".join(r["title"].split()), r["html_url"], r["document_number"]) for r in results
    ]
    assert [i["published"] for i in items] == [f"{r['publication_date']}T00:00:00+00:00" for r in results]
    assert [i["summary"] for i in items] == [" ".join((r["abstract"] or "").split()) for r in results]


def test_dotted_get() -> None:
    data = {"data": {"items": [{"a": {"b": 1}}, {"a": None}]}}
    assert parsing.dotted_get(data, "data.items.0.a.b") == 1
    assert parsing.dotted_get(data, "data.items.-1.a") is None
    assert parsing.dotted_get(data, "data.missing.x") is None
    assert parsing.dotted_get(data, "") is data


# --------------------------------------------------------------------------- items


def test_item_round_trip() -> None:
    item = item_from_dict({"source_id": "s", "url": "https://x/a", "published": "2026-05-12", "extra": 1})
    assert isinstance(item, ArticleItem)
    raw = to_raw_item({"source_id": "s", "url": "https://x/a", "published": "2026-05-12T09:30:00", "guid": 7})
    assert raw.published == datetime(2026, 5, 12, 9, 30, tzinfo=UTC) and raw.guid == "7"
    assert to_raw_item({"source_id": "s", "url": "u", "published": "not a date"}).published is None

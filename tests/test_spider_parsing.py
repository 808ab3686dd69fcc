"""The spiders' pure parsing functions on real captures (/work/shared corpus) and our own fixtures.

No Scrapy engine runs here: the functions take bytes/text/JSON and return RawItem-shaped
dicts, which is what lets a maintainer fix a broken source from a saved page alone.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from spiders import parsing
from spiders.items import ArticleItem, item_from_dict, to_raw_item

FIXTURES = Path(__file__).parent / "fixtures" / "spiders"
SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"
needs_shared = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not present at {CORPUS}")

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


@needs_shared
def test_listing_on_real_government_pages() -> None:
    listings = CORPUS / "real" / "html" / "listings"
    kantei = (listings / "kantei_japan_en_listing_FRAGMENTS.html").read_text(encoding="utf-8")
    spec = {"links": "a.panel-article__link", "title": ".panel-article__title", "date": "time"}
    links = parsing.listing_links(kantei, "https://japan.kantei.go.jp/", spec)
    assert [(link["url"], link["published"]) for link in links] == [
        ("https://japan.kantei.go.jp/105/statement/202610/1003shiji.html", "2026-10-03T00:00:00+00:00"),
        ("https://japan.kantei.go.jp/105/speech/202609/0926press.html", "2026-09-26T00:00:00+00:00"),
        ("https://japan.kantei.go.jp/105/speech/202609/23naigai.html", "2026-09-23T00:00:00+00:00"),
    ]
    assert links[1]["title"] == (
        "Prime Minister Takaichi Spoke to the Press Regarding Her Summit Telephone Call"
        " with President Trump of the United States"
    )

    blm = (listings / "blm_gov_policy_instruction_memorandum.html").read_text(encoding="utf-8")
    base = "https://www.blm.gov/policy/instruction-memorandums"
    rows = parsing.listing_links(blm, base, {"links": "//div[contains(@class, 'views-row')]/a"})
    assert len(rows) == 25
    assert rows[0] == {
        "url": "https://www.blm.gov/policy/pim2026-004",
        "title": "Wild Horse and Burro Comprehensive Animal Welfare Program",
        "published": None,
    }
    assert parsing.next_page_url(blm, base, "li.pager__item a[title='Go to page 2']") == base + "?page=1"


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


@needs_shared
def test_wordpress_single_post_seed() -> None:
    data = json.loads((CORPUS / "seeds" / "003_9a28a8427220db8b.txt").read_text(encoding="utf-8"))
    [item] = parsing.parse_wp_posts(data, "ioplus")
    assert item["title"] == "Biden and Xi’s meeting: A new dawn for AI cooperation?"
    assert item["published"] == "2023-11-16T13:00:00+00:00"
    assert item["url"] == (
        "https://ioplus.nl/archive/en/unraveling-the-complex-web-of-ai-cooperation-between-china-and-the-west/"
    )
    assert item["guid"] == "463973"
    assert item["html"].lstrip().startswith("<p>Artificial intelligence (AI) stands at the forefront")
    assert item["summary"] and "<" not in item["summary"]
    raw = to_raw_item(item)
    assert raw.published == datetime(2023, 11, 16, 13, 0, tzinfo=UTC) and raw.source_id == "ioplus"


@needs_shared
def test_wordpress_posts_list() -> None:
    data = json.loads(
        (CORPUS / "real" / "wpjson" / "trustlands_utah_gov_wp_v2_posts.json").read_text("utf-8")
    )
    items = parsing.parse_wp_posts(data, "trustlands")
    assert len(items) == 10
    assert (items[0]["guid"], items[0]["title"], items[0]["published"], items[0]["url"]) == (
        "41168",
        "Land Sale Auction – June 5-10, 2025",
        "2025-02-17T19:25:25+00:00",
        "https://trustlands.utah.gov/news/land-sale-auction-june-5-10-2025/",
    )
    assert items[-1]["published"] == "2018-10-17T22:06:12+00:00"


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


@needs_shared
def test_google_news_sitemap() -> None:
    doc = parsing.parse_sitemap(
        (CORPUS / "real" / "sitemaps" / "kyivindependent_news_sitemap.xml").read_bytes()
    )
    assert doc.kind == "urlset" and len(doc.entries) == 30
    first = doc.entries[0]
    assert first["title"] == (
        "Ukraine's deep strikes have wrecked over half of Russia's oil refining capacity,"
        " Defense Ministry says"
    )
    assert first["published"] == "2026-10-04T19:46:58+00:00" and first["language"] == "en"
    now = datetime(2026, 10, 5, 0, 0, tzinfo=UTC)
    assert len(parsing.recent_entries(doc.entries, now=now, max_age_days=1)) == 16
    assert len(parsing.recent_entries(doc.entries, now=now, max_age_days=30, url_filter=r"russia")) == 17

    nyt = parsing.parse_sitemap(
        (CORPUS / "real" / "sitemaps" / "nytimes_news_sitemap_excerpt.xml").read_bytes()
    )
    assert (
        nyt.entries[0]["loc"]
        == "https://www.nytimes.com/interactive/2020/05/11/magazine/quarantine-insanity.html"
    )
    assert (
        nyt.entries[0]["title"] == "Quarantine Was Driving Me Crazy — So I Decided to Lose My Mind on Purpose"
    )
    assert nyt.entries[0]["published"] == "2020-05-11T09:00:01+00:00"


@needs_shared
def test_plain_and_gzipped_sitemaps_agree() -> None:
    folder = CORPUS / "real" / "sitemaps"
    plain = parsing.parse_sitemap((folder / "sitemaps_org_sitemap.xml").read_bytes())
    gz = parsing.parse_sitemap((folder / "sitemap.xml.gz").read_bytes())
    assert plain.kind == gz.kind == "urlset"
    assert len(plain.entries) == len(gz.entries) == 84
    assert plain.entries == gz.entries
    assert plain.entries[0] == {"loc": "https://www.sitemaps.org/", "lastmod": "2016-11-21T00:00:00+00:00"}
    now = datetime(2016, 12, 1, tzinfo=UTC)
    assert len(parsing.recent_entries(plain.entries, now=now, max_age_days=30)) == 84
    assert parsing.recent_entries(plain.entries, now=now, max_age_days=5) == []


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


@needs_shared
def test_json_api_federal_register() -> None:
    data = json.loads(
        (CORPUS / "real" / "jsonapi" / "federalregister_documents_search.json").read_text("utf-8")
    )
    fields = {
        "list": "results",
        "title": "title",
        "url": "html_url",
        "date": "publication_date",
        "text": "abstract",
        "id": "document_number",
    }
    items = parsing.parse_json_api(data, fields, "federal-register")
    assert len(items) == 5
    first = items[0]
    assert first["title"] == (
        "Re-Establishment of the Hunting and Shooting Sports Conservation and Access Council;"
        " Request for Nominations"
    )
    assert first["url"] == (
        "https://www.federalregister.gov/documents/2026/04/21/2026-07755/"
        "re-establishment-of-the-hunting-and-shooting-sports-conservation-and-access-council-request-for"
    )
    assert (first["published"], first["guid"]) == ("2026-04-21T00:00:00+00:00", "2026-07755")
    assert first["summary"].startswith("The U.S. Department of the Interior (DOI) is re-establishing")
    assert [i["guid"] for i in items] == [
        "2026-07755",
        "2025-22068",
        "2025-19485",
        "2025-00863",
        "2024-30953",
    ]


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

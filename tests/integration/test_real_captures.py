"""Real fixtures (issue 16, item 5): every shipped fixture is written by us, and says so in
sources.yaml (``synthetic: true`` with a ``synthetic_reason``, shown by ``sources list``). The
shipped sources' own parsers and selectors run here on our fixtures, always, and on each real
capture of the same site or format in ../shared/corpus/real as an extra case when it is there
(read in place, never copied into the repo; without ../shared those cases are not collected,
nothing skips).

The expectations are computed from the file itself (its ``<item>`` count, its ``html_url``
fields...) rather than typed in, so no text of a capture is copied into this file either.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

import lxml.etree
import pytest
from parsel import Selector

from core.sources_config import ListingSource, Source, load_sources
from core.yamlconf import ConfigError
from pipeline.types import RawItem
from services.dryrun import parse_stored_response
from tests.support.cases import our_case, real_cases
from tests.support.paths import FIXTURES, PW, ROOT

ALL: dict[str, Source] = {s.id: s for s in load_sources(ROOT / "sources.yaml")}
SOURCES = FIXTURES / "sources"

# Shipped sources whose fixture is a trimmed real capture of the site: none, by project rule
# (real captures are read in place from ../shared, never copied). A source listed here must not
# be marked synthetic, and must name where its capture came from.
REAL_FIXTURES: dict[str, str] = {}


def utc_items(items: list[RawItem]) -> None:
    for item in items:
        assert item.published is not None and item.published.utcoffset() == timedelta(0), item
        assert item.url.startswith("https://") or item.url.startswith("http://"), item.url
        assert item.title.strip(), item


# --------------------------------------------------------------------------- synthetic: declared and shown


def test_every_shipped_fixture_says_whether_it_is_a_real_capture() -> None:
    problems = []
    for source_id, source in sorted(ALL.items()):
        if source_id in REAL_FIXTURES:
            if source.synthetic:
                problems.append(f"{source_id}: listed as a real capture but marked synthetic")
        elif not (source.synthetic and source.synthetic_reason and len(source.synthetic_reason) >= 30):
            problems.append(
                f"{source_id}: fixture written by us but not marked synthetic: true with a reason"
            )
    assert not problems, "\n".join(problems)


def write(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n  - id: probe\n    kind: feed\n    url: https://example.org/feed.xml\n" + extra,
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("extra", "where", "message"),
    [
        ("    synthetic: true\n", ":2: sources[0](probe):", "synthetic: true needs synthetic_reason"),
        (
            "    synthetic: true\n    synthetic_reason: '  '\n",
            ":2: sources[0](probe):",
            "synthetic: true needs synthetic_reason",
        ),
        (
            "    synthetic_reason: written by hand\n",
            ":2: sources[0](probe):",
            "synthetic_reason is given but synthetic is not true",
        ),
        ("    synthetic: maybe\n", ":5: sources[0](probe).synthetic:", "valid boolean"),
    ],
)
def test_synthetic_needs_a_reason_and_the_reason_needs_synthetic(
    tmp_path: Path, extra: str, where: str, message: str
) -> None:
    path = write(tmp_path, extra)
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    text = str(info.value)
    assert text.startswith(f"{path}{where}"), text
    assert message in text


def test_a_source_without_the_flag_is_a_real_capture(tmp_path: Path) -> None:
    (plain_source,) = load_sources(write(tmp_path, ""))
    assert (plain_source.synthetic, plain_source.synthetic_reason, plain_source.fixture_origin) == (
        False,
        None,
        "real",
    )
    (marked,) = load_sources(write(tmp_path, "    synthetic: true\n    synthetic_reason: ' by hand '\n"))
    assert (marked.fixture_origin, marked.synthetic_reason) == ("synthetic", "by hand")


def test_sources_list_shows_the_fixture_origin_and_the_reason(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "    synthetic: true\n    synthetic_reason: the site blocks robots\n"
        "  - id: captured\n    kind: feed\n    url: https://example.org/other.xml\n",
    )
    env = {**os.environ, "COLUMNS": "250", "POLICYWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    proc = subprocess.run(
        [str(PW), "sources", "list", "--sources", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    rows = {line.split("│")[1].strip(): line for line in proc.stdout.splitlines() if line.count("│") > 5}
    assert [c.strip() for c in rows["probe"].split("│")][5] == "synthetic"
    assert [c.strip() for c in rows["captured"].split("│")][5] == "real"
    assert "  probe: the site blocks robots" in proc.stdout
    assert "captured:" not in proc.stdout


# --------------------------------------------------------------------------- feeds, ours and real


def rss_items(body: bytes) -> list[ET.Element]:
    return ET.fromstring(body).findall("./channel/item")


@pytest.mark.parametrize(
    "path",
    [
        our_case(SOURCES / "ec-presscorner.xml"),
        *real_cases("feeds/ec_presscorner_rss_10items.xml"),
        *real_cases("feeds/ec_presscorner_rss_1item.xml"),
    ],
)
def test_ec_presscorner_source_on_press_corner_feeds(path: Path) -> None:
    body = path.read_bytes()
    items = parse_stored_response(ALL["ec-presscorner"], body)
    raw = rss_items(body)
    # the source drops the releases the ec-presscorner-digital spider takes in full: each stored once
    from spiders.spiders.sites.ec_presscorner_digital import POLICY_AREAS, policy_areas

    kept = [r for r in raw if not policy_areas(c.text or "" for c in r.findall("category")) & POLICY_AREAS]
    assert len(items) == len(kept) > 0
    utc_items(items)
    assert [i.title for i in items] == [" ".join((r.findtext("title") or "").split()) for r in kept]
    assert all(i.url.startswith("https://ec.europa.eu/commission/presscorner/detail/") for i in items)
    assert all(any(c.startswith("POLICY_AREA=") for c in i.categories) for i in items), [
        i.categories for i in items
    ]


@pytest.mark.parametrize("source_id", ["govuk-aisi", "govuk-dsit", "govuk-fcdo"])
@pytest.mark.parametrize(
    "path", [our_case(SOURCES / "govuk-fcdo.atom"), *real_cases("feeds/govuk_fcdo_organisation.atom")]
)
def test_govuk_sources_on_govuk_atom_feeds(path: Path, source_id: str) -> None:
    body = path.read_bytes()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(body).findall("a:entry", ns)
    links = [str(e.find("a:link[@rel='alternate']", ns).get("href")) for e in entries]  # type: ignore[union-attr]
    updated = [
        datetime.fromisoformat((e.findtext("a:updated", "", ns)).replace("Z", "+00:00")) for e in entries
    ]
    items = parse_stored_response(ALL[source_id], body)
    utc_items(items)
    if source_id == "govuk-fcdo":  # its exclude drops the travel advice
        keep = [n for n, link in enumerate(links) if "/foreign-travel-advice/" not in link]
        assert 0 < len(keep) < len(links)
    else:
        keep = list(range(len(links)))
    assert [(i.url, i.published) for i in items] == [(links[n], updated[n]) for n in keep]


@pytest.mark.parametrize(
    "path",
    [
        our_case(SOURCES / "ai-act-newsletter.xml"),
        *real_cases("feeds/suwa_wordpress.rss"),
        *real_cases("feeds/wordpress_content_encoded.rss"),
    ],
)
def test_wordpress_feed_source_on_wordpress_rss(path: Path) -> None:
    """ai-act-newsletter is WordPress's /feed/: its parser on WordPress RSS (content:encoded)."""
    body = path.read_bytes()
    items = parse_stored_response(ALL["ai-act-newsletter"], body)
    raw = rss_items(body)
    assert len(items) == len(raw) > 0
    utc_items(items)
    assert [i.url for i in items] == [(r.findtext("link") or "").strip() for r in raw]
    assert all(i.html or i.summary for i in items)  # content:encoded is carried


@pytest.mark.parametrize(
    "path", [our_case(SOURCES / "jp-mic.rdf"), *real_cases("feeds/craigslist_rss10.rdf")]
)
def test_rdf_feed_source_on_rss_1_0_feeds(path: Path) -> None:
    """jp-mic is RSS 1.0 (RDF) with dc:date; no soumu.go.jp capture exists, craigslist's RDF is real."""
    body = path.read_bytes()
    items = parse_stored_response(ALL["jp-mic"], body)
    rss1 = "{http://purl.org/rss/1.0/}"
    raw = lxml.etree.fromstring(body).findall(f"{rss1}item")  # lxml: ElementTree cannot read Shift_JIS
    assert len(items) == len(raw) > 0
    utc_items(items)
    assert [i.url for i in items] == [(r.findtext(f"{rss1}link") or "").strip() for r in raw]


# --------------------------------------------------------------------------- APIs, ours and real


@pytest.mark.parametrize(
    "path",
    [
        our_case(SOURCES / "federal-register-ai.json"),
        *real_cases("jsonapi/federalregister_documents_search.json"),
    ],
)
def test_federal_register_source_on_documents_responses(path: Path) -> None:
    body = path.read_bytes()
    results = json.loads(body)["results"]
    items = parse_stored_response(ALL["federal-register-ai"], body)
    assert results
    utc_items(items)
    assert [(i.url, i.title, i.guid) for i in items] == [
        (r["html_url"], " ".join(r["title"].split()), r["document_number"]) for r in results
    ]
    assert [i.published for i in items] == [
        datetime.strptime(r["publication_date"], "%Y-%m-%d").replace(tzinfo=UTC) for r in results
    ]


@pytest.mark.parametrize(
    "path",
    [
        our_case(SOURCES / "ai-act-wordpress.json"),
        *real_cases("wpjson/trustlands_utah_gov_wp_v2_posts.json"),
    ],
)
def test_wordpress_api_source_on_wp_json_responses(path: Path) -> None:
    body = path.read_bytes()
    posts = json.loads(body)
    items = parse_stored_response(ALL["ai-act-wordpress"], body)
    assert len(items) == len(posts) > 0
    utc_items(items)
    assert [i.url for i in items] == [p["link"] for p in posts]
    assert [i.published for i in items] == [
        datetime.fromisoformat(p["date_gmt"]).replace(tzinfo=UTC) for p in posts
    ]
    # entities decoded (&#8211; and friends), tags gone
    assert [i.title for i in items] == [
        " ".join(html.unescape(re.sub(r"<[^>]+>", "", p["title"]["rendered"])).split()) for p in posts
    ]
    assert not any("&#" in i.title for i in items)


# --------------------------------------------------------------------------- listings, ours and real


@pytest.mark.parametrize(
    "path",
    [
        our_case(SOURCES / "jp-kantei-en.html"),
        *real_cases("html/listings/kantei_japan_en_listing_FRAGMENTS.html"),
    ],
)
def test_kantei_listing_selectors_on_kantei_cards(path: Path) -> None:
    """jp-kantei-en's selectors on the site's card markup (our page in it, and three real cards
    cut from the page, each followed by a dangling, class-less ``<a>`` that must not become an
    item): every card, and nothing but the cards."""
    body = path.read_bytes()
    source = ALL["jp-kantei-en"]
    assert isinstance(source, ListingSource)
    page = Selector(text=body.decode("utf-8"))
    cards = page.css("a.panel-article__link")
    expected = [
        (
            datetime.fromisoformat(str(card.css("time::attr(datetime)").get())).replace(tzinfo=UTC),
            " ".join(card.css(".panel-article__title ::text").getall()).strip(),
            urljoin("https://japan.kantei.go.jp/", card.attrib["href"]),
        )
        for card in cards
    ]
    assert len(expected) == 3
    items = parse_stored_response(source, body)
    utc_items(items)
    assert [(i.published, i.title, i.url) for i in items] == expected
    assert all(i.url.startswith("https://japan.kantei.go.jp/") for i in items)
    assert len(page.css("a")) > len(items)  # the page's other links were there, and were skipped


# --------------------------------------------------------------------------- site spiders, ours and real


@pytest.mark.parametrize(
    "path",
    [
        our_case(SOURCES / "ec-presscorner-digital.xml"),
        *real_cases("feeds/ec_presscorner_rss_10items.xml"),
        *real_cases("feeds/ec_presscorner_rss_1item.xml"),
    ],
)
def test_ec_presscorner_digital_spider_on_press_corner_feeds(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spider's own parse on the RSS: every digital-policy entry's link gives the
    documents-API request for its reference (``…/detail/en/mex_26_1797`` → ``MEX/26/1797``), the
    entry as its hint; entries of other policy areas give nothing."""
    from scrapy.http import XmlResponse

    from spiders.spiders.sites import ec_presscorner_digital as ec

    body = path.read_bytes()
    raw = rss_items(body)

    def requested(entries: list[ET.Element]) -> None:
        requests = list(spider.parse(XmlResponse(url=spider.start_url, body=body)))
        links = [(r.findtext("link") or "").strip() for r in entries]
        refs = ["/".join(link.rsplit("/", 1)[1].upper().split("_")) for link in links]
        assert [r.url for r in requests] == [ec.DOCUMENTS_API + ref for ref in refs]
        hints = [r.cb_kwargs["hint"] for r in requests]
        assert [h["url"] for h in hints] == links
        assert [h["title"] for h in hints] == [" ".join((r.findtext("title") or "").split()) for r in entries]
        assert all(h["published"] for h in hints)

    def areas(entry: ET.Element) -> set[str]:
        return ec.policy_areas(c.text or "" for c in entry.findall("category"))

    spider = ec.EcPresscornerDigitalSpider()
    # with the spider's filter: the digital-policy entries only (the real captures hold none)
    requested([r for r in raw if areas(r) & ec.POLICY_AREAS])
    # with every policy area of the file let through: one request per entry, in order
    monkeypatch.setattr(ec, "POLICY_AREAS", frozenset(set().union(*(areas(r) for r in raw))))
    requested(raw)


@pytest.mark.parametrize(
    "path",
    [
        our_case(FIXTURES / "spiders" / "ec-presscorner-document.json"),
        *real_cases("jsonapi/ec_presscorner_api_documents_STATEMENT_26_2063.json"),
    ],
)
def test_ec_presscorner_digital_spider_on_documents_api_responses(path: Path) -> None:
    from scrapy.http import TextResponse

    from spiders.spiders.sites import ec_presscorner_digital as ec

    body = path.read_bytes()
    doc = json.loads(body)
    spider = ec.EcPresscornerDigitalSpider()
    hint = {"url": "https://ec.europa.eu/commission/presscorner/detail/en/x", "title": "from the feed"}
    response = TextResponse(
        url=ec.DOCUMENTS_API + doc["refCd"], body=body, headers={"Content-Type": "application/json"}
    )
    [item] = list(spider.parse_document(response, hint=hint))
    assert item.url == ec.DETAIL + doc["refCd"].lower().replace("/", "_")
    assert item.title == " ".join(doc["docuLanguageResource"]["title"].split())
    assert item.guid == doc["refCd"]
    published = datetime.fromisoformat(doc["publishDate"])
    assert item.published is not None and datetime.fromisoformat(item.published) == published
    words = html.unescape(re.sub(r"<[^>]+>", " ", doc["docuLanguageResource"]["htmlContent"])).split()
    assert item.body.split() == words and "<p>" not in item.body
    assert doc["docutypeResource"]["description"] in item.categories
    assert all(p["description"] in item.categories for p in doc["policiesResource"])


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        our_case(SOURCES / "us-congress-bills.json", 3),
        *real_cases("jsonapi/congress_gov_api_bills.json", 0),  # none of its bills is about AI
    ],
)
def test_us_congress_bills_spider_on_bill_lists(path: Path, kept: int) -> None:
    from scrapy.http import TextResponse

    from spiders.spiders.sites.us_congress_bills import BILL_TYPES, UsCongressBillsSpider, ordinal

    body = path.read_bytes()
    bills = json.loads(body)["bills"]
    spider = UsCongressBillsSpider()
    response = TextResponse(url=spider.start_url, body=body, headers={"Content-Type": "application/json"})
    items = list(spider.parse(response))
    assert [i.url for i in items] == [
        f"https://www.congress.gov/bill/{ordinal(b['congress'])}-congress/{BILL_TYPES[b['type']]}/{b['number']}"
        for b in bills
    ]
    assert [i.title for i in items] == [" ".join(b["title"].split()) for b in bills]
    assert [i.published for i in items] == [
        datetime.strptime(b["latestAction"]["actionDate"], "%Y-%m-%d").replace(tzinfo=UTC).isoformat()
        for b in bills
    ]
    assert [i.summary for i in items] == [b["latestAction"]["text"] for b in bills]
    # the source's include filter keeps the bills about AI
    assert len(parse_stored_response(ALL["us-congress-bills"], body, ".json")) == kept

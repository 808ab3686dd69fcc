"""Per-source include/exclude filters in sources.yaml (issue 16): validated like the rest of the
file (bad or catastrophic regex -> file:line:field), applied on every path (feed poll, crawl,
dry-run), and counted by filter.

The GOV.UK FCDO fixture (tests/fixtures/sources/govuk-fcdo.atom) is written by us in GOV.UK's
Atom format: two news entries and one travel-advice entry, which the shipped exclude drops. The
real capture the issue was written from (../shared/corpus/real/feeds/govuk_fcdo_organisation.atom,
3 entries, two of them travel advice) is read in place, never copied here, as an extra case
when ../shared is there.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from alerts.subscriptions import Subscriptions
from core.sources_config import FeedSource, load_sources
from core.yamlconf import ConfigError
from models.db import session_factory
from models.migrate import upgrade
from models.tables import Item
from pipeline.feeds import parse_feed
from pipeline.fetch import FetchResult
from pipeline.source_filters import NO_INCLUDE_MATCH, apply_filters
from pipeline.types import RawItem
from services.ingest import ingest_feed_response
from spiders import runner
from tests.support.cases import our_case, real_cases
from tests.support.json_api import FakeApi
from tests.support.paths import PW, ROOT

FCDO = ROOT / "tests" / "fixtures" / "sources" / "govuk-fcdo.atom"
EC = ROOT / "tests" / "fixtures" / "sources" / "ec-presscorner.xml"
KEPT = [
    "https://www.gov.uk/government/news/uk-and-kenya-launch-partnership-on-ai-skills-for-public-servants",
    "https://www.gov.uk/government/speeches/un-security-council-open-debate-on-artificial-intelligence-uk-statement",
]


def source(**filters: object) -> FeedSource:
    return FeedSource.model_validate(
        {"id": "fcdo", "kind": "feed", "url": "https://example.org/feed", **filters}
    )


def item(title: str, url: str, *categories: str) -> RawItem:
    return RawItem(source_id="f", url=url, title=title, categories=list(categories))


ITEMS = [
    item("Ecuador travel advice", "https://www.gov.uk/foreign-travel-advice/ecuador"),
    item("UK and Japan sign AI memorandum", "https://www.gov.uk/government/news/uk-japan-ai", "News story"),
    item("Minister visits Peru", "https://www.gov.uk/government/news/peru", "News story"),
    item("AI Safety Summit: chair's statement", "https://www.gov.uk/government/speeches/ai", "Speech"),
]


# --------------------------------------------------------------------------- semantics


def test_exclude_by_url_title_or_category_and_counts_by_filter() -> None:
    src = source(exclude={"url": ["/foreign-travel-advice/"], "category": "^speech$"})
    result = apply_filters(src, ITEMS)
    assert [i.title for i in result.kept] == ["UK and Japan sign AI memorandum", "Minister visits Peru"]
    assert result.dropped == {"exclude.url '/foreign-travel-advice/'": 1, "exclude.category '^speech$'": 1}
    assert result.summary().startswith("1 dropped by exclude.")


def test_include_keeps_only_matches_and_exclude_wins() -> None:
    src = source(include={"title": [r"\bAI\b"]}, exclude={"title": ["summit"]})
    result = apply_filters(src, ITEMS)
    assert [i.title for i in result.kept] == ["UK and Japan sign AI memorandum"]
    assert result.dropped == {NO_INCLUDE_MATCH: 2, "exclude.title 'summit'": 1}


def test_patterns_ignore_case_unless_told() -> None:
    assert len(apply_filters(source(include={"title": ["ECUADOR"]}), ITEMS).kept) == 1
    assert len(apply_filters(source(include={"title": ["(?-i:ECUADOR)"]}), ITEMS).kept) == 0


def test_no_filters_keeps_everything() -> None:
    result = apply_filters(source(), ITEMS)
    assert result.kept == ITEMS and not result.dropped


def test_feed_categories_are_read_for_filters() -> None:
    """EC press corner items carry <category>POLICY_AREA=...</category>; a category filter sees them."""
    items = parse_feed(EC.read_bytes(), "ec").items
    assert all(i.categories for i in items), [i.categories for i in items]
    first = items[0].categories[0]
    result = apply_filters(source(exclude={"category": [f"^{first}$"]}), items)
    assert result.dropped_count >= 1 and all(first not in i.categories for i in result.kept)


# --------------------------------------------------------------------------- validation


def write(tmp_path: Path, filters: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n  - id: fcdo\n    kind: feed\n    url: https://www.gov.uk/fcdo.atom\n" + filters,
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("filters", "where", "message"),
    [
        (
            "    exclude:\n      url:\n        - '/ok/'\n        - '[unclosed'\n",
            ":8: sources[0](fcdo).exclude.url[1]:",
            "bad regular expression",
        ),
        (
            "    include:\n      title: ['(a+)+$']\n",
            ":6: sources[0](fcdo).include.title[0]:",
            "backtrack catastrophically",
        ),
        (
            "    exclude:\n      body: ['x']\n",
            ":6: sources[0](fcdo).exclude.body:",
            "Extra inputs are not permitted",
        ),
        ("    exclude:\n      url: ['']\n", ":6: sources[0](fcdo).exclude.url[0]:", "non-empty string"),
    ],
)
def test_bad_filter_is_a_file_line_field_error(
    tmp_path: Path, filters: str, where: str, message: str
) -> None:
    path = write(tmp_path, filters)
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    text = str(info.value)
    assert text.startswith(f"{path}{where}"), text
    assert message in text


def test_a_single_pattern_may_be_written_without_a_list(tmp_path: Path) -> None:
    (src,) = load_sources(write(tmp_path, "    exclude: {url: /foreign-travel-advice/}\n"))
    assert src.exclude is not None and src.exclude.url == ["/foreign-travel-advice/"]


def test_bad_filter_fails_the_cli_with_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "    exclude:\n      title: ['(x']\n")
    proc = subprocess.run(
        [str(PW), "sources", "list", "--sources", str(path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2
    assert f"{path}:6: sources[0](fcdo).exclude.title[0]: Value error, bad regular expression" in proc.stderr


# --------------------------------------------------------------------------- every path


def shipped_fcdo() -> FeedSource:
    (fcdo,) = [s for s in load_sources(ROOT / "sources.yaml") if s.id == "govuk-fcdo"]
    assert isinstance(fcdo, FeedSource)
    return fcdo


def test_shipped_fcdo_source_drops_travel_advice_when_polled() -> None:
    """The feed poll path: the travel-advice entry is counted, never stored."""
    upgrade()
    factory = session_factory()
    fcdo = shipped_fcdo()
    result = FetchResult(url=fcdo.url, status=200, body=FCDO.read_bytes(), headers={})
    report = ingest_feed_response(factory, fcdo, result, subs=_no_subs(), rules=None)
    assert (report.items_seen, report.filtered, report.new_items) == (3, 1, 2), report
    assert report.as_dict()["filtered"] == 1
    with factory() as session:
        assert sorted(i.url for i in session.query(Item).all()) == sorted(KEPT)


@pytest.mark.parametrize("path", [our_case(FCDO), *real_cases("feeds/govuk_fcdo_organisation.atom")])
def test_shipped_fcdo_filter_on_govuk_feeds(path: Path) -> None:
    """The GOV.UK FCDO feed (ours; the real one read in place as an extra case): every
    travel-advice entry goes, the rest stays, in order."""
    items = parse_feed(path.read_bytes(), "govuk-fcdo").items
    advice = [i for i in items if "/foreign-travel-advice/" in i.url]
    assert len(items) == 3 and 0 < len(advice) < len(items)
    result = apply_filters(shipped_fcdo(), items)
    assert result.dropped == {"exclude.url '/foreign-travel-advice/'": len(advice)}
    assert [i.url for i in result.kept] == [i.url for i in items if i not in advice]
    assert all(i.url.startswith("https://www.gov.uk/government/") for i in result.kept)


def _no_subs() -> Subscriptions:
    return Subscriptions(path=Path("none.yaml"), subscribers=[], channels={})


def test_crawl_applies_include_filters_to_every_item(tmp_path: Path) -> None:
    """The spider path (item pipeline): an include on the title keeps one record of each page."""
    with FakeApi() as api:
        path = tmp_path / "sources.yaml"
        path.write_text(
            "sources:\n  - id: api\n    kind: json_api\n    private_network: true\n"
            f"    url: {api.base}/v4/documents\n"
            "    fields: {list: data, title: attributes.title, id: id, date: attributes.postedDate}\n"
            "    url_template: https://example.org/doc/{id}\n"
            "    pagination: {type: page, param: 'page[number]', max_pages: 3}\n"
            "    include: {title: ['\\.1$']}\n",
            encoding="utf-8",
        )
        result = runner.crawl("api", sources_path=path, fast=True, timeout=90)
    assert result.failed_reason() is None, result.log_tail
    assert [i.title for i in result.items] == ["Document 1.1", "Document 2.1", "Document 3.1"]
    assert result.stats["policywatch/filtered"] == 3
    assert result.stats[f"policywatch/filtered/{NO_INCLUDE_MATCH}"] == 3


def test_dry_run_shows_what_each_filter_dropped(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "400"}
    proc = subprocess.run(
        [str(PW), "sources", "dry-run", "govuk-fcdo", "--fixture", str(FCDO)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "govuk-fcdo: 2 item(s) (nothing stored)" in proc.stdout
    assert "filters: 1 item(s) dropped by exclude.url '/foreign-travel-advice/'" in proc.stdout
    assert "travel advice" not in proc.stdout

"""The typed dicts that cross packages say what the values really hold.

A ``TypedDict`` is only a promise to mypy: nothing checks at run time that the parser or the view
builds the keys it names. These tests hold each promise to what the functions return (a key added
to a parser's dict and not to ``ItemFields``, or to ``ArticleItem`` and not to ``ItemFields``,
fails here), and pin the few places where typing the boundary made a check explicit (decoded JSON
is ``object`` now, and a value of the wrong kind is passed over as before).
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from models import items_repo, sources_repo, sql
from models.db import session_factory
from models.migrate import upgrade
from models.tables import Item
from services.views import EventRow, ItemRow, SourceHealthRow, event_rows, item_rows, source_health_rows
from spiders import parsing
from spiders.items import ArticleItem, ItemFields, LinkHint, item_from_dict, to_raw_item
from tests.support.items import DPC, processed

LISTING = """<html><body><ul>
<li><a class="x" href="/news/1.html">First</a><time datetime="2026-10-03">3 Oct</time></li>
</ul></body></html>"""

SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://example.org/a.html</loc><lastmod>2026-10-01</lastmod>
    <news:news><news:publication><news:language>en</news:language></news:publication>
      <news:publication_date>2026-10-02</news:publication_date><news:title>A</news:title></news:news>
  </url>
</urlset>"""


def test_item_fields_are_article_item_fields() -> None:
    assert set(ItemFields.__annotations__) == {f.name for f in fields(ArticleItem)}
    assert ItemFields.__optional_keys__ == {"categories"}


def test_each_parser_returns_the_keys_its_type_names() -> None:
    required = set(ItemFields.__required_keys__)
    article = parsing.parse_article(
        "<html><title>T</title><body><p>Body.</p></body></html>", "https://e.org/a"
    )
    assert set(article) == required
    post = {"id": 7, "link": "https://e.org/p", "title": {"rendered": "P"}, "date_gmt": "2026-10-03T10:00:00"}
    assert set(parsing.parse_wp_posts([post])[0]) == required | {"categories"}
    api = parsing.parse_json_api(
        {"rows": [{"t": "T", "u": "https://e.org/r"}]}, {"list": "rows", "title": "t", "url": "u"}
    )
    assert set(api[0]) == required | {"categories"}
    [link] = parsing.listing_links(LISTING, "https://e.org/", {"links": "a.x", "date": "time"})
    assert set(link) == set(LinkHint.__annotations__)
    assert link == {
        "url": "https://e.org/news/1.html",
        "title": "First",
        "published": "2026-10-03T00:00:00+00:00",
    }
    [entry] = parsing.parse_sitemap(SITEMAP).entries
    assert set(entry) <= set(parsing.SitemapEntry.__annotations__)
    assert (entry["loc"], entry.get("title"), entry.get("language")) == (
        "https://example.org/a.html",
        "A",
        "en",
    )


def test_an_item_goes_through_its_json_line_unchanged() -> None:
    post = {"id": 7, "link": "https://e.org/p", "title": {"rendered": "P"}, "date_gmt": "2026-10-03T10:00:00"}
    line = asdict(item_from_dict({**parsing.parse_wp_posts([post], language="en")[0], "source_id": "wp"}))
    raw = to_raw_item(line)
    assert (raw.source_id, raw.url, raw.title, raw.guid, raw.language) == (
        "wp",
        "https://e.org/p",
        "P",
        "7",
        "en",
    )
    assert raw.published == datetime(2026, 10, 3, 10, tzinfo=UTC)
    assert to_raw_item(
        {"url": "https://e.org/q", "guid": "", "language": "", "categories": ["a", None, ""]}
    ).categories == ["a"]


@pytest.mark.parametrize("value", [[1700000000], {"s": 1700000000}, None, ""])
def test_an_epoch_date_of_the_wrong_kind_is_no_date(value: object) -> None:
    assert parsing.json_date(value, "epoch") is None


def test_an_epoch_date_reads_from_a_number_or_a_string() -> None:
    assert parsing.json_date(1700000000, "epoch") == parsing.json_date("1700000000000", "epoch_ms")
    assert parsing.json_date(1700000000, "epoch") == "2023-11-14T22:13:20+00:00"


def test_the_store_views_return_the_keys_their_rows_name(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    factory = session_factory(sqlite_url)
    with factory.begin() as s:
        sources_repo.ensure_source(s, "src", "feed", "http://example.org/rss")
        items_repo.store_items(
            s, [processed("http://example.org/a", "Alpha text about AI policy.", events=(DPC,))]
        )
    with factory() as s:
        [item] = list(item_rows(s))
        [event] = list(event_rows(s))
        [health] = list(source_health_rows(s))
    assert set(item) == set(ItemRow.__annotations__)
    assert set(event) == set(EventRow.__annotations__)
    assert set(health) == set(SourceHealthRow.__annotations__)
    assert (item["source"], item["event_ids"], event["item_ids"]) == ("src", [event["id"]], [item["id"]])


def test_an_insert_takes_a_table_or_a_mapped_class_only(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    with session_factory(sqlite_url)() as s:
        assert sql.dialect_insert(s, Item).table.name == "items"
        assert sql.dialect_insert(s, Item.__table__).table.name == "items"
        with pytest.raises(TypeError, match="a table or a mapped class, not Subquery"):
            sql.dialect_insert(s, select(Item.id).subquery())

"""One item, one way (issue 17): an item goes fetch -> parse -> screen -> dedup by link -> enrich
-> prepare -> dedup by text -> analyse -> store (match, outbox), each stage taking the previous
one's typed value; its canonical URL is computed once; its article page is fetched in the enrich
stage, before the store, and the store path does no network I/O.

The feed and the article page are served on loopback and fetched for real; the stages are the
real ones, wrapped only to record what each was given.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import pipeline.stages
import services.ingest as ingest
from alerts.subscriptions import Subscriptions, load_subscriptions
from core.sources_config import FeedSource
from models.db import session_factory
from models.migrate import upgrade
from models.tables import Alert, Item
from pipeline.stages import enrich, link, prepare, screen
from pipeline.types import EnrichedItem, LinkedItem, PreparedItem, ProcessedItem, RawItem
from services.storing import PollState, store_batch
from tests.support.paths import ROOT

TEASER = "Ministers meet in Tokyo."
PAGE_TEXT = (
    "The European Union and Japan will hold the third EU-Japan Digital Partnership Council in "
    "Tokyo on 14 October 2026, the two sides said on Monday. The ministers in charge of digital "
    "affairs are to discuss the governance of artificial intelligence, data flows and research on "
    "semiconductors, and to review the work of the joint expert groups set up last year."
)


def feed(base: str) -> bytes:
    # the link carries a tracking parameter: the stored canonical URL drops it
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Ministry</title>'
        "<item><title>EU and Japan to hold third Digital Partnership Council in Tokyo</title>"
        f"<link>{base}/news/dpc.html?utm_source=rss</link><guid>dpc-3</guid>"
        f"<description>{TEASER}</description></item></channel></rss>"
    ).encode()


def page() -> bytes:
    return (
        "<!DOCTYPE html><html><head><title>Ministry</title></head><body><nav>Home | News</nav>"
        f"<main><article><h1>Digital Partnership Council</h1><p>{PAGE_TEXT}</p></article></main>"
        "<footer>Ministry footer</footer></body></html>"
    ).encode()


@contextmanager
def site() -> Iterator[tuple[str, list[str]]]:
    """The feed and its article page on loopback; yields the base URL and the paths requested."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            base = f"http://{self.headers['Host']}"
            body, kind = (
                (feed(base), "application/rss+xml") if self.path == "/feed.xml" else (page(), "text/html")
            )
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def subscriptions(tmp_path: Path) -> Subscriptions:
    path = tmp_path / "subscriptions.yaml"
    path.write_text(
        "subscribers:\n  - name: desk\n    channels:\n      - name: file\n        url: pwfile://alerts.txt\n"
        "    filters:\n      event_types: [dpc_meeting]\n",
        encoding="utf-8",
    )
    return load_subscriptions(path, environ={})


STAGES = {
    "screen": 0,
    "drop_known_links": 2,
    "fetch_article_pages": 0,
    "enrich": 0,
    "prepare": 0,
    "drop_known_texts": 1,
    "analyse_many": 0,
    "store_batch": 2,
}
"""The stages ``services.ingest.ingest_batch`` calls, in their order, and which argument holds the items."""


def record_stages(monkeypatch: pytest.MonkeyPatch, requests: list[str]) -> list[tuple[str, list[Any], int]]:
    """Wrap each stage ``services.ingest`` calls: (stage, the items it was given, requests so far)."""
    calls: list[tuple[str, list[Any], int]] = []

    def wrap(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def stage(*args: Any, **kwargs: Any) -> Any:
            calls.append((name, list(args[STAGES[name]]), len(requests)))
            return real(*args, **kwargs)

        return stage

    for name in STAGES:
        monkeypatch.setattr(ingest, name, wrap(name, getattr(ingest, name)))
    return calls


def test_one_item_takes_every_stage_once_in_order_from_document_to_alert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade()
    factory = session_factory()
    subs = subscriptions(tmp_path)
    canonical_calls: list[str] = []
    real_canonical = pipeline.stages.canonical_url

    def counting_canonical(url: str) -> str:
        canonical_calls.append(url)
        return real_canonical(url)

    monkeypatch.setattr(pipeline.stages, "canonical_url", counting_canonical)
    with site() as (base, requests):
        source = FeedSource(
            id="ministry", kind="feed", url=f"{base}/feed.xml", private_network=True, fetch_articles=True
        )
        calls = record_stages(monkeypatch, requests)
        fetched = ingest.fetch_feed(factory, source)  # stage 1, for real
        report = ingest.ingest_feed_response(factory, source, fetched, subs, rules=None)

    assert [name for name, _, _ in calls] == list(STAGES)
    given = {name: items for name, items, _ in calls}
    assert all(isinstance(i, RawItem) for i in given["screen"]) and len(given["screen"]) == 1
    assert all(isinstance(i, LinkedItem) for i in given["drop_known_links"] + given["fetch_article_pages"])
    assert all(isinstance(i, LinkedItem) for i in given["enrich"])
    assert all(isinstance(i, EnrichedItem) for i in given["prepare"])
    assert all(isinstance(i, PreparedItem) for i in given["drop_known_texts"] + given["analyse_many"])
    assert all(isinstance(i, ProcessedItem) for i in given["store_batch"]) and len(given["store_batch"]) == 1
    # the network: the feed, then the page in the enrich stage; nothing once the store is reached
    seen = {name: count for name, _, count in calls}
    assert requests == ["/feed.xml", "/news/dpc.html?utm_source=rss"]
    assert seen["fetch_article_pages"] == 1 and seen["enrich"] == 2 and seen["store_batch"] == 2
    assert canonical_calls == [f"{base}/news/dpc.html?utm_source=rss"]  # once, for the one item

    assert (report.items_seen, report.new_items, report.new_events, report.alerts_queued) == (1, 1, 1, 1)
    with factory() as session:
        item = session.scalars(select(Item)).one()
        alert = session.scalars(select(Alert)).one()
    assert item.canonical_url == f"{base}/news/dpc.html"
    assert "joint expert groups" in item.text and TEASER not in item.text  # the page's, not the feed's
    assert (alert.subscriber, alert.channel, alert.event_id) == ("desk", "file", report.new_event_ids[0])


def test_a_known_item_stops_at_the_dedup_by_link_and_its_page_is_not_fetched_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade()
    factory = session_factory()
    subs = subscriptions(tmp_path)
    with site() as (base, requests):
        source = FeedSource(
            id="ministry", kind="feed", url=f"{base}/feed.xml", private_network=True, fetch_articles=True
        )
        ingest.ingest_feed_response(factory, source, ingest.fetch_feed(factory, source), subs, rules=None)
        calls = record_stages(monkeypatch, requests)
        again = ingest.ingest_feed_response(factory, source, ingest.fetch_feed(factory, source), subs, None)
    assert requests == ["/feed.xml", "/news/dpc.html?utm_source=rss", "/feed.xml"]
    assert "fetch_article_pages" not in [name for name, _, _ in calls]
    assert [items for name, items, _ in calls if name == "enrich"] == [[]]
    assert (again.already_stored, again.new_items, again.alerts_queued) == (1, 0, 0)


def test_the_pure_stages_carry_one_canonical_url_and_one_hash() -> None:
    raws = [
        RawItem(source_id="s", url="HTTPS://Example.org/a?utm_source=x#top", title="A", summary="Summary a"),
        RawItem(source_id="s", url="javascript:alert(1)", title="hostile"),
    ]
    screened = screen(raws)
    assert (screened.unsafe_links, screened.unsafe_schemes) == (1, ["javascript:"])
    [linked] = screened.items
    assert linked.canonical_url == "https://example.org/a"
    [enriched] = enrich(
        [linked], {linked.raw.url: f"<html><body><article><p>{PAGE_TEXT}</p></article></body></html>"}
    )
    assert enriched.canonical_url == linked.canonical_url and "joint expert groups" in enriched.text
    [plain] = enrich([linked])  # no page: the source's own text
    assert plain.text == "Summary a"
    [prepared] = prepare([enriched])
    assert prepared.canonical_url == linked.canonical_url and prepared.text == enriched.text
    assert prepared.content_hash != prepare([plain])[0].content_hash
    with pytest.raises(AttributeError):  # frozen: a later stage cannot rewrite an identity
        prepared.canonical_url = "https://elsewhere.example/"  # type: ignore[misc]


def test_the_store_stage_does_no_network_io(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given analysed items, ``store_batch`` stores, matches and queues with every way to the
    network closed: a fetch, a client or a socket connection would fail the test."""
    import socket

    import httpx

    import pipeline.fetch
    from pipeline.process import analyse_items

    upgrade()
    factory = session_factory()
    subs = subscriptions(tmp_path)
    raw = RawItem(
        source_id="ministry",
        url="https://ministry.example/news/dpc.html",
        title="EU and Japan to hold third Digital Partnership Council in Tokyo",
        body=PAGE_TEXT,
    )
    processed = analyse_items(prepare(enrich([link(raw)])))

    def no_network(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the store stage reached for the network")

    monkeypatch.setattr(pipeline.fetch, "fetch", no_network)
    monkeypatch.setattr(pipeline.fetch, "make_client", no_network)
    monkeypatch.setattr(httpx.Client, "send", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    source = FeedSource(
        id="ministry", kind="feed", url="https://ministry.example/feed.xml", fetch_articles=True
    )
    report = store_batch(
        factory, source, processed, subs, ingest.SourceReport("ministry", "feed"), PollState()
    )
    assert (report.new_items, report.new_events, report.alerts_queued) == (1, 1, 1)


def test_the_store_modules_import_no_fetcher() -> None:
    """The store stage and the dedup reads cannot fetch: neither they nor the store import the
    fetcher, the article pages or an HTTP client (imports read with ``ast``, lazy ones too)."""
    network = ("pipeline.fetch", "pipeline.articles", "httpx", "httpcore", "urllib.request", "requests")
    for path in [
        ROOT / "services/storing.py",
        ROOT / "services/dedup.py",
        *sorted((ROOT / "models").glob("*.py")),
    ]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [
            alias.name if isinstance(node, ast.Import) else f"{node.module}.{alias.name}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        ]
        assert not [n for n in names if n.startswith(network)], (path, names)

"""Per-host politeness in the monitor flow, without an API round trip per fetch (issue 14)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

import flows.monitor as monitor


def test_one_host_gets_at_most_its_slots_and_no_missing_limit_is_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_api(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a limit that does not exist must not be acquired through the API")

    monkeypatch.setattr(monitor, "host_slots", no_api)
    monkeypatch.setenv("POLICYWATCH_DOMAIN_CONCURRENCY", "2")
    monkeypatch.setattr(monitor, "_HOST_SLOTS", {})
    inside: dict[str, int] = {}
    peak: dict[str, int] = {}
    lock = threading.Lock()

    def fetch(url: str) -> None:
        host = url.split("/")[2]
        with monitor.polite(url, frozenset()):
            with lock:
                inside[host] = inside.get(host, 0) + 1
                peak[host] = max(peak.get(host, 0), inside[host])
            time.sleep(0.02)
            with lock:
                inside[host] -= 1

    threads = [threading.Thread(target=fetch, args=(f"http://one.example/feed{i}",)) for i in range(8)]
    threads += [threading.Thread(target=fetch, args=("http://other.example/feed",))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 1 <= peak["one.example"] <= 2 and peak["other.example"] == 1
    assert set(monitor._HOST_SLOTS) == {"domain:one.example", "domain:other.example"}


def test_an_existing_shared_limit_is_acquired_before_the_process_semaphore(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Global slot first, then the semaphore: the order a batch takes them in (its slots, then a
    semaphore per fetch), so a crawl and a batch in one process never wait on each other."""
    order: list[str] = []

    @contextmanager
    def slots(name: str, occupy: int, logger: Any = None) -> Iterator[bool]:
        order.append(f"global {name} x{occupy}")
        yield True

    class Semaphore:
        def __enter__(self) -> None:
            order.append("semaphore")

        def __exit__(self, *_exc: object) -> None:
            return None

    monkeypatch.setattr(monitor, "host_slots", slots)
    monkeypatch.setattr(monitor, "_host_semaphore", lambda _name: Semaphore())
    with monitor.polite("http://one.example/feed", frozenset({"domain:one.example"})):
        pass
    with monitor.polite("http://two.example/feed", frozenset({"domain:one.example"})):
        pass
    assert order == ["global domain:one.example x1", "semaphore", "semaphore"]


@pytest.mark.parametrize(
    ("feeds", "limit_slots", "expected"),
    [
        (50, None, 2),  # no shared limit: the process's own bound
        (50, 2, 2),  # the batch takes both slots of the host, and fetches two at a time
        (1, 2, 1),  # never more slots than feeds to fetch
        (50, 1, 1),  # an operator's smaller limit: never ask for more slots than it has (422)
        (50, 5, 2),  # nor more than POLICYWATCH_DOMAIN_CONCURRENCY
    ],
)
def test_a_batch_fetches_as_many_at_once_as_the_slots_it_takes(
    feeds: int, limit_slots: int | None, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICYWATCH_DOMAIN_CONCURRENCY", "2")
    assert monitor.batch_width(feeds, limit_slots) == expected


def test_article_pages_are_fetched_under_their_hosts_gate_one_host_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A feed with ``fetch_articles`` asks the pages' hosts too: each host's pages are fetched
    inside its gate (the flow's per-host politeness), entered once per host, not per page."""
    import pipeline.articles as articles
    from core.sources_config import FeedSource
    from pipeline.fetch import FetchResult
    from pipeline.stages import link
    from pipeline.types import RawItem

    events: list[str] = []
    inside: list[str] = []

    @contextmanager
    def gate(url: str) -> Iterator[None]:
        host = url.split("/")[2]
        events.append(f"enter {host}")
        inside.append(host)
        yield
        inside.remove(host)
        events.append(f"exit {host}")

    def fetch(_client: Any, url: str, **_kwargs: Any) -> FetchResult:
        events.append(f"get {url} in {inside}")
        return FetchResult(url=url, status=200, body=b"<html><body><p>text</p></body></html>")

    monkeypatch.setattr(articles, "fetch", fetch)
    source = FeedSource(id="pages-feed", kind="feed", url="http://feeds.example/rss", fetch_articles=True)
    items = [
        link(RawItem(source_id="pages-feed", url=url))
        for url in ("http://a.example/1", "http://b.example/1", "http://a.example/2")
    ]
    pages = articles.fetch_article_pages(items, source, gate)
    assert pages.errors == []
    assert events == [
        "enter a.example",
        "get http://a.example/1 in ['a.example']",
        "get http://a.example/2 in ['a.example']",
        "exit a.example",
        "enter b.example",
        "get http://b.example/1 in ['b.example']",
        "exit b.example",
    ]
    assert sorted(pages.html) == sorted(item.raw.url for item in items)

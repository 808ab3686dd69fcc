"""Feeds polled in host batches (issue 14): the grouping, the task names, the per-source retry
rule and one batch's fetch/store loop, as plain functions with fakes, no Prefect and no network."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from core.sources_config import FeedSource
from core.vocabulary import PollStatus
from flows.host_batches import RetryPolicy, batch_label, host_batches, poll_batch
from pipeline.fetch import FetchError, FetchResult
from services.ingest import SourceReport


def feed(sid: str, url: str | None = None) -> FeedSource:
    return FeedSource(id=sid, kind="feed", url=url or f"http://news.example/{sid}.xml")


def ok_result(source: FeedSource) -> FetchResult:
    return FetchResult(url=source.url, status=200, body=b"<rss/>", headers={})


# --- grouping ------------------------------------------------------------------------------------


def sizes(n: int, size: int) -> list[int]:
    return [len(b.sources) for b in host_batches([feed(f"s{i}") for i in range(n)], size)]


@pytest.mark.parametrize(
    ("n", "size", "expected"),
    [
        (0, 50, []),
        (1, 50, [1]),
        (50, 50, [50]),
        (51, 50, [26, 25]),  # as even as possible: no batch of 1 as the run's long tail
        (120, 50, [40, 40, 40]),
        (1000, 50, [50] * 20),
        (1000, 64, [63] * 8 + [62] * 8),
        (3, 1, [1, 1, 1]),
    ],
)
def test_big_host_groups_are_cut_into_even_batches(n: int, size: int, expected: list[int]) -> None:
    assert sizes(n, size) == expected


def test_batches_follow_hosts_in_order_and_keep_sources_in_order() -> None:
    sources = [
        feed("a1", "http://a.example/1.xml"),
        feed("b1", "https://b.example/feed"),
        feed("a2", "http://a.example:8080/2.xml"),  # another port, the same site
        feed("c1", "http://127.0.0.1:9/feed.xml"),
        feed("a3", "http://A.example/3.xml"),  # hostnames are case-insensitive
    ]
    batches = host_batches(sources, size=2)
    assert [(b.host, [s.id for s in b.sources]) for b in batches] == [
        ("a.example", ["a1", "a2"]),
        ("a.example", ["a3"]),
        ("b.example", ["b1"]),
        ("127.0.0.1", ["c1"]),
    ]


def test_a_batch_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        host_batches([feed("aa")], size=0)


# --- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "ids", "expected"),
    [
        ("127.0.0.1", ["demo-commission"], "127.0.0.1: demo-commission"),
        (
            "127.0.0.1",
            ["demo-commission", "demo-govuk", "demo-technews", "demo-policywire", "dead-source"],
            "127.0.0.1: demo-commission, demo-govuk, demo-technews, demo-policywire, dead-source",
        ),
        (
            "127.0.0.1",
            [f"bench-{n:04d}" for n in range(50)],
            "127.0.0.1: " + ", ".join(f"bench-{n:04d}" for n in range(8)) + " +42",
        ),
        ("h.example", ["x" * 200, "y"], "h.example: " + "x" * 200 + " +1"),  # the first id, always
    ],
)
def test_a_batch_is_named_by_its_host_and_the_ids_that_fit(host: str, ids: list[str], expected: str) -> None:
    label = batch_label(host, ids)
    assert label == expected
    if len(ids[0]) < 100:
        assert len("fetch " + label) <= 120


def test_the_label_is_the_batchs_own() -> None:
    (batch,) = host_batches([feed("aa"), feed("bb")])
    assert batch.label == "news.example: aa, bb"


# --- the retry rule ------------------------------------------------------------------------------

POLICY = RetryPolicy(retries=2, delays=(5.0, 20.0, 80.0), jitter=0.5, retry_after_cap=60.0)


def error(transient: bool = True, retry_after: float | None = None, status: int | None = 503) -> FetchError:
    return FetchError("HTTP 503 from http://x", transient=transient, status=status, retry_after=retry_after)


@pytest.mark.parametrize(
    ("attempt", "exc", "rand", "expected"),
    [
        (1, error(), 0.5, 5.0),  # the first delay, no jitter at the middle
        (2, error(), 0.5, 20.0),
        (3, error(), 0.5, None),  # 1 try + 2 retries, then it fails
        (1, error(), 0.0, 2.5),  # jitter: ±50% of the delay
        (1, error(), 1.0, 7.5),
        (1, error(transient=False, status=404), 0.5, None),  # a 404 is never retried
        (1, error(retry_after=30), 0.5, 30.0),  # never sooner than the server asked
        (2, error(retry_after=3), 0.5, 20.0),  # ...nor sooner than our own delay
        (1, error(retry_after=61), 0.5, None),  # longer than the cap: a later run tries again
        (1, error(retry_after=60), 0.5, 60.0),
    ],
)
def test_the_retry_rule(attempt: int, exc: FetchError, rand: float, expected: float | None) -> None:
    assert POLICY.wait_before_retry(attempt, exc, rand=lambda: rand) == expected


def test_the_last_delay_repeats_and_a_zero_delay_is_zero() -> None:
    many = RetryPolicy(retries=5, delays=(1.0, 2.0))
    assert [many.wait_before_retry(n, error(), rand=lambda: 0.5) for n in range(1, 7)] == [
        1.0,
        2.0,
        2.0,
        2.0,
        2.0,
        None,
    ]
    now = RetryPolicy(retries=2, delays=(0.0, 0.0))
    assert now.wait_before_retry(1, error(), rand=lambda: 1.0) == 0.0
    assert now.wait_before_retry(1, error(retry_after=2), rand=lambda: 1.0) == 2.0


def test_a_retry_after_beyond_the_cap_is_reported_as_not_retried() -> None:
    final = POLICY.final_error(error(retry_after=3600))
    assert "not retried in this run" in str(final) and not final.transient
    assert (final.status, final.retry_after) == (503, 3600)
    plain = error(transient=False, status=404)
    assert POLICY.final_error(plain) is plain


# --- one batch -----------------------------------------------------------------------------------

NOW = RetryPolicy(retries=2, delays=(0.0,), jitter=0.5, retry_after_cap=60.0)


class Fakes:
    """Scripted fetch outcomes per source id (a list consumed per attempt; the last repeats)."""

    def __init__(self, script: dict[str, list[Any]]) -> None:
        self.script = script
        self.fetched: list[str] = []
        self.stored: list[str] = []
        self.recorded: list[tuple[str, str, float | None]] = []
        self.lock = threading.Lock()

    def fetch(self, source: FeedSource) -> FetchResult:
        with self.lock:
            n = self.fetched.count(source.id)
            self.fetched.append(source.id)
        steps = self.script.get(source.id, ["ok"])
        step = steps[min(n, len(steps) - 1)]
        if isinstance(step, BaseException):
            raise step
        return ok_result(source)

    def store(self, source: FeedSource, result: FetchResult) -> SourceReport:
        with self.lock:
            self.stored.append(source.id)
        if source.id.startswith("notfeed"):  # what ingest_feed_response does: recorded, reported
            return SourceReport(
                source.id, "feed", status=PollStatus.FAILED, http_status=200, error="not a feed: html"
            )
        if source.id.startswith("dbgone"):
            raise RuntimeError("database went away")
        return SourceReport(source.id, "feed", status=PollStatus.OK, http_status=result.status, items_seen=1)

    def record(self, source: FeedSource, message: str, retry_after: float | None) -> None:
        with self.lock:
            self.recorded.append((source.id, message, retry_after))


def run(fakes: Fakes, ids: list[str], **kwargs: Any) -> list[SourceReport]:
    kwargs.setdefault("policy", NOW)
    kwargs.setdefault("stop", threading.Event())
    return poll_batch([feed(i) for i in ids], fakes.fetch, fakes.store, fakes.record, **kwargs)


def test_every_source_has_its_report_in_order_and_only_transient_failures_are_retried() -> None:
    gone = error(transient=False, status=404)
    fakes = Fakes(
        {
            "flaky": [error(), "ok"],  # a 503, then fine: retried, stored once
            "down": [error()],  # a 503 every time: 1 + 2 retries, then failed and recorded
            "gone": [gone],  # a 404: once, failed and recorded
            "boom": [ValueError("a bug in one fetch")],  # not a FetchError: not retried
        }
    )
    ids = ["ok1", "flaky", "down", "gone", "notfeed", "dbgone", "boom", "ok2"]
    reports = run(fakes, ids)
    assert [r.source_id for r in reports] == ids
    assert {r.source_id: r.status for r in reports} == {
        "ok1": "ok",
        "flaky": "ok",
        "down": "failed",
        "gone": "failed",
        "notfeed": "failed",
        "dbgone": "failed",
        "boom": "failed",
        "ok2": "ok",
    }
    assert {i: fakes.fetched.count(i) for i in ids} == {
        "ok1": 1,
        "flaky": 2,
        "down": 3,
        "gone": 1,
        "notfeed": 1,
        "dbgone": 1,
        "boom": 1,
        "ok2": 1,
    }
    assert sorted(fakes.stored) == sorted(["ok1", "flaky", "notfeed", "dbgone", "ok2"])
    by_id = {r.source_id: r for r in reports}
    assert by_id["gone"].http_status == 404 and "HTTP 503" in (by_id["down"].error or "")
    assert by_id["dbgone"].error == "database went away"
    # recorded once each; not-a-feed was recorded by the store itself, as ingest_feed_response does
    assert sorted(sid for sid, _m, _r in fakes.recorded) == ["boom", "dbgone", "down", "gone"]


def test_a_long_retry_after_is_not_waited_for_and_a_short_one_is() -> None:
    fakes = Fakes({"later": [error(retry_after=3600)], "soon": [error(retry_after=0.3), "ok"]})
    started = time.monotonic()
    reports = run(fakes, ["later", "soon"])
    assert time.monotonic() - started >= 0.3
    later, soon = reports
    assert later.status == "failed" and "not retried in this run" in (later.error or "")
    assert fakes.fetched.count("later") == 1 and fakes.recorded[0][2] == 3600
    assert soon.status == "ok" and fakes.fetched.count("soon") == 2


def test_a_source_waiting_to_retry_does_not_hold_a_fetch_thread() -> None:
    slow_retry = RetryPolicy(retries=1, delays=(0.3,), jitter=0.0)
    fakes = Fakes({"flaky": [error(), "ok"]})
    reports = run(fakes, ["flaky", "bb", "cc"], policy=slow_retry, fetch_workers=1)
    assert fakes.fetched == ["flaky", "bb", "cc", "flaky"]
    assert [r.status for r in reports] == ["ok", "ok", "ok"]


def test_fetches_stay_within_the_workers_and_stores_overlap_fetches() -> None:
    inside = peak = 0
    lock = threading.Lock()
    first_store_started = threading.Event()
    overlapped: list[bool] = []

    def fetch(source: FeedSource) -> FetchResult:
        nonlocal inside, peak
        with lock:
            inside += 1
            peak = max(peak, inside)
        if source.id == "s1":  # the second fetch waits until the first source is being stored
            overlapped.append(first_store_started.wait(timeout=5))
        time.sleep(0.01)
        with lock:
            inside -= 1
        return ok_result(source)

    def store(source: FeedSource, result: FetchResult) -> SourceReport:
        if source.id == "s0":
            first_store_started.set()
        return SourceReport(source.id, "feed")

    sources = [feed(f"s{i}") for i in range(12)]
    reports = poll_batch(
        sources, fetch, store, lambda *_a: None, NOW, fetch_workers=2, stop=threading.Event()
    )
    assert len(reports) == 12 and all(r.status == "ok" for r in reports)
    assert peak == 2 and overlapped == [True]


def test_the_hosts_slot_is_taken_once_and_freed_when_fetching_ends() -> None:
    events: list[str] = []
    left = threading.Event()

    @contextmanager
    def slot() -> Iterator[None]:
        events.append("take")
        try:
            yield
        finally:
            events.append("free")
            left.set()

    def fetch(source: FeedSource) -> FetchResult:
        events.append(f"fetch {source.id}")
        return ok_result(source)

    def store(source: FeedSource, result: FetchResult) -> SourceReport:
        if source.id == "bb":  # the last store runs after the slot is given back
            assert left.wait(timeout=5)
        return SourceReport(source.id, "feed")

    poll_batch(
        [feed("aa"), feed("bb")], fetch, store, lambda *_a: None, NOW, fetch_workers=1,
        fetching=slot(), stop=threading.Event(),
    )  # fmt: skip
    assert events == ["take", "fetch aa", "fetch bb", "free"]


def test_nothing_new_is_fetched_once_stopping_and_every_source_is_still_reported() -> None:
    stop = threading.Event()
    fakes = Fakes({})

    def fetch(source: FeedSource) -> FetchResult:
        result = fakes.fetch(source)
        if source.id == "s1":
            stop.set()  # Ctrl-C during the second fetch
        return result

    sources = [feed(f"s{i}") for i in range(6)]
    reports = poll_batch(sources, fetch, fakes.store, fakes.record, NOW, fetch_workers=1, stop=stop)
    assert fakes.fetched == ["s0", "s1"]
    assert [r.source_id for r in reports] == [s.id for s in sources]
    assert [r.status for r in reports[:2]] == ["ok", "ok"]  # fetched before the stop: stored
    for r in reports[2:]:
        assert r.status == "failed" and "the run was stopped" in (r.error or "")
    assert fakes.recorded == []  # a stop is not the sources' failure: their health is untouched


def test_a_retry_is_not_waited_for_once_stopping() -> None:
    stop = threading.Event()
    fakes = Fakes({"flaky": [error(), "ok"]})
    slow = RetryPolicy(retries=2, delays=(30.0,))
    timer = threading.Timer(0.2, stop.set)
    timer.start()
    started = time.monotonic()
    (report,) = run(fakes, ["flaky"], policy=slow, stop=stop)
    assert time.monotonic() - started < 5
    assert report.status == "failed" and "stopped" in (report.error or "")
    assert fakes.fetched == ["flaky"]

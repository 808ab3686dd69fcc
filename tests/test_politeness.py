"""Per-host politeness in the monitor flow, without an API round trip per fetch (issue 14)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

import flows.monitor as monitor


def test_one_host_gets_at_most_its_slots_and_no_missing_limit_is_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_api(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a limit that does not exist must not be acquired through the API")

    monkeypatch.setattr(monitor, "concurrency", no_api)
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


def test_an_existing_shared_limit_is_acquired(monkeypatch: pytest.MonkeyPatch) -> None:
    acquired: list[str] = []

    class Slot:
        def __init__(self, name: str, **_kwargs: Any) -> None:
            acquired.append(name)

        def __enter__(self) -> None:
            return None

        def __exit__(self, *_exc: object) -> None:
            return None

    monkeypatch.setattr(monitor, "concurrency", Slot)
    with monitor.polite("http://one.example/feed", frozenset({"domain:one.example"})):
        pass
    with monitor.polite("http://two.example/feed", frozenset({"domain:one.example"})):
        pass
    assert acquired == ["domain:one.example"]


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

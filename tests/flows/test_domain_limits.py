"""Per-host limits created where runs happen, idempotently, without a warning per fetch (issue 14)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from prefect.exceptions import ObjectAlreadyExists

from flows.domain_limits import PAGE, ensure_domain_limits, limits_to_change, read_limits, wanted_limits


@dataclass
class Limit:
    name: str
    limit: int


class FakeClient:
    """Prefect's global concurrency limits in memory, counting the calls made to it."""

    def __init__(self, limits: dict[str, int] | None = None, raced: set[str] | None = None) -> None:
        self.limits = dict(limits or {})
        self.raced = raced or set()  # created by another process between our read and our create
        self.calls: list[str] = []
        self.updates: list[tuple[str, int | None, int | None]] = []

    def read_global_concurrency_limits(self, limit: int = 10, offset: int = 0) -> list[Any]:
        assert limit <= PAGE, "the server refuses a page bigger than 200"
        self.calls.append("read")
        names = sorted(self.limits)[offset : offset + limit]
        return [Limit(n, self.limits[n]) for n in names]

    def create_global_concurrency_limit(self, concurrency_limit: Any) -> Any:
        self.calls.append(f"create {concurrency_limit.name}")
        if concurrency_limit.name in self.limits or concurrency_limit.name in self.raced:
            raise ObjectAlreadyExists(http_exc=Exception("409"))
        self.limits[concurrency_limit.name] = concurrency_limit.limit

    def update_global_concurrency_limit(self, name: str, concurrency_limit: Any) -> Any:
        self.calls.append(f"update {name}")
        self.updates.append((name, concurrency_limit.limit, concurrency_limit.active_slots))
        if concurrency_limit.limit is not None:
            self.limits[name] = concurrency_limit.limit


URLS = ["http://a.example/1.xml", "http://a.example:8080/2.xml", "https://b.example/feed", "file:///x"]


def test_one_name_per_host_whatever_the_port_and_none_without_a_host() -> None:
    assert wanted_limits(URLS) == ["domain:a.example", "domain:b.example"]


def test_only_missing_limits_are_created_and_existing_ones_resized_only_when_asked() -> None:
    existing = {"domain:a.example": 5}
    assert limits_to_change(["domain:a.example", "domain:b.example"], existing, 2, resize=False) == (
        ["domain:b.example"],
        [],
    )
    assert limits_to_change(["domain:a.example", "domain:b.example"], existing, 2, resize=True) == (
        ["domain:b.example"],
        ["domain:a.example"],
    )


def test_a_run_reads_once_creates_what_is_missing_and_the_next_run_creates_nothing() -> None:
    client = FakeClient({"domain:a.example": 5, "deployment:123": 1})
    assert ensure_domain_limits(URLS, 2, client=client) == {"domain:a.example": 5, "domain:b.example": 2}
    assert client.calls == ["read", "create domain:b.example"]
    assert client.limits == {"domain:a.example": 5, "deployment:123": 1, "domain:b.example": 2}
    client.calls.clear()
    assert ensure_domain_limits(URLS, 2, client=client) == {"domain:a.example": 5, "domain:b.example": 2}
    assert client.calls == ["read"]


def test_serve_resizes_to_the_configured_slots() -> None:
    client = FakeClient({"domain:a.example": 5})
    ensure_domain_limits(URLS, 2, resize=True, client=client)
    assert client.limits == {"domain:a.example": 2, "domain:b.example": 2}


def test_a_limit_created_meanwhile_by_another_run_is_used() -> None:
    client = FakeClient(raced={"domain:b.example"})
    assert ensure_domain_limits(URLS, 2, client=client) == {"domain:a.example": 2, "domain:b.example": 2}


def test_every_page_of_limits_is_read() -> None:
    client = FakeClient({f"domain:h{i:04d}": 1 for i in range(PAGE + 3)})
    assert len(read_limits(client)) == PAGE + 3
    assert client.calls == ["read", "read"]


def test_no_api_leaves_politeness_in_process_with_one_line(caplog: pytest.LogCaptureFixture) -> None:
    class Down(FakeClient):
        def read_global_concurrency_limits(self, limit: int = 10, offset: int = 0) -> list[Any]:
            raise httpx.ConnectError("All connection attempts failed\nmore")

    with caplog.at_level(logging.INFO):
        assert ensure_domain_limits(URLS, 2, client=Down()) == {}
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert caplog.records[0].getMessage() == (
        "per-host limits not available (ConnectError: All connection attempts failed); "
        "politeness stays within this process"
    )


def test_no_host_asks_nothing() -> None:
    client = FakeClient()
    assert ensure_domain_limits(["file:///x"], 2, client=client) == {}
    assert client.calls == []


def test_on_a_real_prefect_server_the_limits_exist_once(prefect_harness: None) -> None:
    from prefect.client.orchestration import get_client

    urls = ["http://limits-a.example/feed", "http://limits-b.example/feed"]
    assert ensure_domain_limits(urls, 3) == {"domain:limits-a.example": 3, "domain:limits-b.example": 3}
    assert ensure_domain_limits(urls, 3) == {"domain:limits-a.example": 3, "domain:limits-b.example": 3}
    with get_client(sync_client=True) as client:
        mine = [x for x in client.read_global_concurrency_limits(limit=PAGE) if "limits-" in x.name]
    assert sorted((x.name, x.limit) for x in mine) == [
        ("domain:limits-a.example", 3),
        ("domain:limits-b.example", 3),
    ]


def test_serve_on_its_own_new_server_frees_the_slots_stopped_runs_left_taken() -> None:
    client = FakeClient({"domain:a.example": 2, "domain:b.example": 5})
    ensure_domain_limits(URLS, 2, resize=True, free=True, client=client)
    assert client.updates == [("domain:a.example", None, 0), ("domain:b.example", 2, 0)]

"""Holding a host's global slots: leased, waited for within bounds, said in the log (issue 14)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from flows.host_slots import LEASE_SECONDS, Busy, host_slots


class Limit:
    """A global limit in memory: ``free`` slots; ``busy_for`` refusals before it has room."""

    def __init__(self, slots: int, busy_for: int = 0) -> None:
        self.free = slots
        self.busy_for = busy_for
        self.attempts = 0

    @contextmanager
    def acquire(self, name: str, occupy: int) -> Iterator[None]:
        self.attempts += 1
        if self.busy_for > 0 or occupy > self.free:
            self.busy_for -= 1
            raise Busy(name)
        self.free -= occupy
        try:
            yield
        finally:
            self.free += occupy


class Clock:
    """Time that passes only when the waiter pauses."""

    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    def __call__(self) -> float:
        return self.now

    def pause(self, seconds: float) -> bool:
        self.pauses.append(seconds)
        self.now += seconds
        return False


def messages(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [(r.levelname, r.getMessage()) for r in caplog.records]


def test_free_slots_are_held_for_the_block_and_given_back_without_a_word(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limit, clock = Limit(2), Clock()
    with (
        caplog.at_level(logging.INFO),
        host_slots("domain:a", 2, acquire=limit.acquire, clock=clock, pause=clock.pause) as held,
    ):
        assert held and limit.free == 0
    assert limit.free == 2
    assert messages(caplog) == [] and clock.pauses == []


def test_busy_slots_are_waited_for_and_the_log_says_so(caplog: pytest.LogCaptureFixture) -> None:
    limit, clock = Limit(2, busy_for=4), Clock()
    with (
        caplog.at_level(logging.INFO),
        host_slots(
            "domain:a", 2, acquire=limit.acquire, wait_seconds=60, clock=clock, pause=clock.pause
        ) as held,
    ):
        assert held and limit.free == 0
    assert limit.attempts == 5
    assert clock.pauses == [0.5, 1.0, 2.0, 4.0]  # asked again soon, then every 5 s at most
    assert messages(caplog) == [
        ("INFO", "domain:a: its 2 slot(s) are taken (by other runs or batches); waiting (at most 60 s)"),
        ("INFO", "domain:a: got its slot(s) after 8 s"),
    ]


def test_the_wait_is_bounded_then_the_caller_goes_on_without_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limit, clock = Limit(2, busy_for=10_000), Clock()
    with (
        caplog.at_level(logging.INFO),
        host_slots(
            "domain:a", 1, acquire=limit.acquire, wait_seconds=30, clock=clock, pause=clock.pause
        ) as held,
    ):
        assert not held
    assert clock.now == 30 and max(clock.pauses) == 5.0
    assert messages(caplog)[-1] == (
        "WARNING",
        "domain:a: no free slot after 30 s (POLICYWATCH_SLOT_WAIT); going on without, "
        "polite within this process only",
    )


def test_the_bound_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYWATCH_SLOT_WAIT", "7")
    limit, clock = Limit(1, busy_for=10_000), Clock()
    with host_slots("domain:a", 1, acquire=limit.acquire, clock=clock, pause=clock.pause) as held:
        assert not held
    assert clock.now == 7


def test_a_stop_ends_the_wait_at_once_without_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    limit, clock = Limit(1, busy_for=10_000), Clock()
    with (
        caplog.at_level(logging.INFO),
        host_slots(
            "domain:a", 1, acquire=limit.acquire, wait_seconds=60, clock=clock, pause=lambda _s: True
        ) as held,
    ):
        assert not held
    assert limit.attempts == 1
    assert [level for level, _m in messages(caplog)] == ["INFO"]


def test_unusable_limits_leave_politeness_in_process_with_one_line(caplog: pytest.LogCaptureFixture) -> None:
    @contextmanager
    def down(name: str, occupy: int) -> Iterator[None]:
        raise ConnectionError("All connection attempts failed\nmore")
        yield

    with caplog.at_level(logging.INFO), host_slots("domain:a", 1, acquire=down, wait_seconds=60) as held:
        assert not held
    assert messages(caplog) == [
        (
            "WARNING",
            "domain:a: slots not available (ConnectionError: All connection attempts failed); "
            "polite within this process only",
        )
    ]


def test_an_error_inside_the_block_still_gives_the_slots_back() -> None:
    limit = Limit(2)
    with pytest.raises(RuntimeError), host_slots("domain:a", 2, acquire=limit.acquire, wait_seconds=1):
        raise RuntimeError("a bug while fetching")
    assert limit.free == 2


@pytest.mark.prefect
def test_on_a_real_server_the_slots_of_a_holder_that_died_come_back_by_lease(
    prefect_harness: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A holder that stops renewing (a run killed mid-fetch) takes the lease with it: the next
    batch waits, says so, and gets the slots once the server has expired the lease, without
    anyone freeing them by hand (the lease is the server's shortest, as a run's: a minute)."""
    from prefect.client.orchestration import get_client

    from flows.domain_limits import ensure_domain_limits

    name = f"domain:lease-{uuid.uuid4().hex[:8]}.example"
    assert ensure_domain_limits([f"http://{name.split(':', 1)[1]}/feed"], 2) == {name: 2}
    with get_client(sync_client=True) as client:
        client.increment_concurrency_slots_with_lease(
            names=[name], slots=2, mode="concurrency", lease_duration=LEASE_SECONDS
        )
        assert client.read_global_concurrency_limit_by_name(name).active_slots == 2
    with caplog.at_level(logging.INFO), host_slots(name, 2, wait_seconds=120) as held:
        assert held
        with get_client(sync_client=True) as client:
            assert client.read_global_concurrency_limit_by_name(name).active_slots == 2  # ours now
    with get_client(sync_client=True) as client:
        assert client.read_global_concurrency_limit_by_name(name).active_slots == 0  # given back
    said = [m for _level, m in messages(caplog) if m.startswith(name)]
    assert said[0] == f"{name}: its 2 slot(s) are taken (by other runs or batches); waiting (at most 120 s)"
    assert said[-1].startswith(f"{name}: got its slot(s) after")

"""Feeds polled in batches, one Prefect task per batch of one host's feeds (issue 14).

Why: a Prefect task run costs several API round trips (create, state changes, logs), so one fetch
task and one store task per feed made ``policywatch run`` over 1,000 unchanged feeds take 107 s,
nearly all of it Prefect's bookkeeping. Here a batch of up to ``BATCH_SIZE`` feeds of one host is
one task, and the work inside it is plain threads:

- fetches in a small pool (``fetch_workers``, bounded again by the per-host semaphore the caller
  wraps each fetch in, so batches of one host together stay polite);
- each fetched document stored at once by a second small pool, so one source's parse and store
  overlap the next source's fetch;
- a transient failure (network, 5xx, a short Retry-After) retried per source with the same delays
  and jitter the per-feed tasks had (``RetryPolicy``), without re-polling the rest of the batch and
  without holding a fetch thread while it waits; a permanent one (404, not a feed) never retried;
- nothing new started once the process is stopping (``core.shutdown``): sources not yet
  fetched are reported failed ("not done: the run was stopped"), but their health is untouched.

Big host groups are split (``host_batches``) so a run keeps its parallelism and a batch stays a
readable unit in the Prefect UI. Nothing here imports Prefect: the flow passes the callables.
"""

from __future__ import annotations

import heapq
import logging
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from core import shutdown
from core.sources_config import FeedSource
from pipeline.fetch import FetchError, FetchResult
from services.ingest import SourceReport, fetch_error_report

log = logging.getLogger(__name__)

BATCH_SIZE = 50
"""Feeds per task at most. Measured on 1,000 loopback feeds of one host, first poll (README,
Performance; noisy machine): 25 per task 127 s, 50 per task 133 s, 100 per task 177 s, the
second poll ~12 s for each. Fewer, bigger batches store fewer sources at once (the stores wait
on the classification workers, so more of them in flight keeps the workers busy); smaller ones
pay Prefect's per-task cost more often for no measurable gain, and make more task runs to read."""

STORE_WORKERS = 2
"""Threads storing one batch's fetched documents (parse, dedup, classify in the worker
processes, one transaction per source). Batches run side by side, so a run has many; 4 per
batch measured no faster than 2 (140 s vs 133 s for the 1,000-feed first poll)."""

NAME_LIMIT = 120
"""A batch task's run name at most this long: the host, then as many source ids as fit."""


@dataclass(frozen=True, slots=True)
class HostBatch:
    """Feeds of one host polled by one task, in sources.yaml order."""

    host: str
    sources: tuple[FeedSource, ...]

    @property
    def label(self) -> str:
        """What the task run is called after "fetch ": ``127.0.0.1: bench-1, bench-2 +48``."""
        return batch_label(self.host, [s.id for s in self.sources])


def host_of(url: str) -> str:
    """The host a per-host limit is keyed on (the port does not make another site)."""
    return urlsplit(url).hostname or "unknown"


def host_batches(sources: Iterable[FeedSource], size: int = BATCH_SIZE) -> list[HostBatch]:
    """Feeds grouped by host (hosts in order of first appearance, sources in their own order), each
    group cut into the fewest batches of at most ``size``, as even as possible: 120 feeds of one
    host with size 50 make 40 + 40 + 40, not 50 + 50 + 20, so no batch is the run's long tail."""
    if size < 1:
        raise ValueError(f"batch size must be at least 1, not {size}")
    groups: dict[str, list[FeedSource]] = {}
    for src in sources:
        groups.setdefault(host_of(src.url), []).append(src)
    batches: list[HostBatch] = []
    for host, group in groups.items():
        parts = math.ceil(len(group) / size)
        base, extra = divmod(len(group), parts)
        start = 0
        for n in range(parts):
            end = start + base + (1 if n < extra else 0)
            batches.append(HostBatch(host, tuple(group[start:end])))
            start = end
    return batches


def batch_label(host: str, ids: Sequence[str], limit: int = NAME_LIMIT) -> str:
    """``host: id, id +N``: the host and as many ids as fit in ``limit`` characters with the
    "fetch " prefix, the rest counted, so an operator finds a batch by host or by its first ids
    (every id is in the task's log and in the run summary). The first id is always named."""
    prefix = f"{host}: "
    shown: list[str] = []
    for n, sid in enumerate(ids):
        rest = len(ids) - n - 1
        candidate = prefix + ", ".join([*shown, sid]) + (f" +{rest}" if rest else "")
        if shown and len("fetch " + candidate) > limit:
            break
        shown.append(sid)
    rest = len(ids) - len(shown)
    return prefix + ", ".join(shown) + (f" +{rest}" if rest else "")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When a failed fetch is tried again: the per-feed tasks' rule, kept per source in a batch.

    Only a transient error (network trouble, 5xx, 429) is retried, at most ``retries`` times,
    after ``delays[attempt - 1]`` seconds (the last delay repeats) with ±``jitter`` of it, so
    sources that failed together do not all come back at the same instant; never sooner than
    the server's Retry-After. A Retry-After longer than ``retry_after_cap`` is not waited for in
    this run (it would hold the run): the source fails now and a later run tries again.
    """

    retries: int = 2
    delays: tuple[float, ...] = (5.0, 20.0, 80.0)
    jitter: float = 0.5
    retry_after_cap: float = 60.0

    def wait_before_retry(
        self, attempt: int, exc: FetchError, rand: Callable[[], float] = random.random
    ) -> float | None:
        """Seconds to wait before trying again after ``attempt`` (1 = the first try) failed with
        ``exc``, or None when it is not retried."""
        if not exc.transient or attempt > self.retries:
            return None
        if exc.retry_after and exc.retry_after > self.retry_after_cap:
            return None
        base = self.delays[min(attempt, len(self.delays)) - 1] if self.delays else 0.0
        delay = max(0.0, base * (1 + self.jitter * (2 * rand() - 1)))
        return max(delay, exc.retry_after or 0.0)

    def final_error(self, exc: FetchError) -> FetchError:
        """The error a source is reported with once it is not retried: a Retry-After beyond the
        cap says so (the operator sees why the run did not wait)."""
        if exc.transient and exc.retry_after and exc.retry_after > self.retry_after_cap:
            return FetchError(
                f"{exc}; not retried in this run",
                transient=False,
                status=exc.status,
                retry_after=exc.retry_after,
            )
        return exc


Fetch = Callable[[FeedSource], FetchResult]
Store = Callable[[FeedSource, FetchResult], SourceReport]
RecordFailure = Callable[[FeedSource, str, float | None], None]


def poll_batch(
    sources: Sequence[FeedSource],
    fetch: Fetch,
    store: Store,
    record_failure: RecordFailure,
    policy: RetryPolicy,
    fetch_workers: int = 2,
    store_workers: int = STORE_WORKERS,
    fetching: AbstractContextManager[object] | None = None,
    on_report: Callable[[SourceReport], None] | None = None,
    stop: threading.Event = shutdown.STOP,
) -> list[SourceReport]:
    """Fetch and store every source of a batch; one report per source, in ``sources`` order.

    ``fetch`` and ``store`` are the plain functions (the caller adds politeness and the store
    session). A source whose fetch failed for good or whose store raised is reported failed and
    passed to ``record_failure`` (its source health), as the per-feed tasks did; one not started
    because the run is stopping is reported failed but not recorded (not its fault); a document
    that is not a feed comes back from ``store`` already recorded. ``fetching`` is entered before
    the first fetch and left after the last one (a host's global concurrency slots: held while
    this batch talks to the host, not while it stores). No exception from one source reaches
    another: only a bug here ends the batch.
    """
    n = len(sources)
    reports: list[SourceReport | None] = [None] * n
    attempts = [0] * n
    ready: deque[int] = deque(range(n))
    later: list[tuple[float, int]] = []  # (monotonic time it may be fetched again, index)
    in_fetch: dict[Future[Any], int] = {}
    in_store: dict[Future[Any], int] = {}
    workers = max(1, fetch_workers)

    def done(i: int, report: SourceReport) -> None:
        reports[i] = report
        if on_report is not None:
            on_report(report)

    def failed(i: int, exc: BaseException) -> None:
        report = fetch_error_report(sources[i], exc)
        if stop.is_set() or isinstance(exc, shutdown.Stopped):
            done(i, report)  # the stop's doing, not the source's: its health is untouched
            return
        try:
            record_failure(sources[i], report.error or "fetch failed", getattr(exc, "retry_after", None))
        except Exception as record_exc:  # boundary: the store went away; the report says what failed
            log.warning("%s: failure not recorded: %s", sources[i].id, record_exc)
        done(i, report)

    with ExitStack() as stack:
        fetch_pool = stack.enter_context(ThreadPoolExecutor(workers, thread_name_prefix="pw-fetch"))
        store_pool = stack.enter_context(
            ThreadPoolExecutor(max(1, store_workers), thread_name_prefix="pw-store")
        )
        gate = stack.enter_context(ExitStack())  # left first if anything here goes wrong
        gate.enter_context(fetching if fetching is not None else nullcontext())
        while ready or later or in_fetch or in_store:
            now = time.monotonic()
            while later and later[0][0] <= now:
                ready.appendleft(heapq.heappop(later)[1])  # a retry goes before untried sources
            if stop.is_set() and (ready or later):
                # Reported (the summary lists every source) but not recorded: a stop is not the
                # source's failure, and must not push its next poll back or count towards a
                # health notice.
                not_done = shutdown.Stopped("not done: the run was stopped (Ctrl-C or SIGTERM)")
                for i in sorted([*ready, *(i for _t, i in later)]):
                    done(i, fetch_error_report(sources[i], not_done))
                ready.clear()
                later.clear()
            while ready and len(in_fetch) < workers:
                i = ready.popleft()
                attempts[i] += 1
                in_fetch[fetch_pool.submit(fetch, sources[i])] = i
            if not (ready or later or in_fetch):
                gate.close()  # nothing more to ask the host: its slots are free for others
            if not (in_fetch or in_store):
                if later:  # only retries waiting: sleep until the first, waking for a stop
                    stop.wait(min(0.5, max(0.0, later[0][0] - time.monotonic())))
                continue
            timeout = 0.5 if not later else min(0.5, max(0.0, later[0][0] - time.monotonic()))
            finished, _ = wait([*in_fetch, *in_store], timeout=timeout, return_when=FIRST_COMPLETED)
            for future in finished:
                exc = future.exception()
                if future in in_fetch:
                    i = in_fetch.pop(future)
                    if exc is None:
                        in_store[store_pool.submit(store, sources[i], future.result())] = i
                    elif isinstance(exc, FetchError):
                        pause = None if stop.is_set() else policy.wait_before_retry(attempts[i], exc)
                        if pause is None:
                            failed(i, policy.final_error(exc))
                        else:
                            heapq.heappush(later, (time.monotonic() + pause, i))
                    else:  # shutdown.Stopped, or a bug in one source's fetch: that source fails
                        failed(i, exc)
                else:
                    i = in_store.pop(future)
                    if exc is None:
                        done(i, future.result())
                    else:  # the database went away mid-store: this source fails, not the batch
                        failed(i, exc)
    lost = [i for i, r in enumerate(reports) if r is None]
    for i in lost:  # cannot happen; if it did, the source would vanish from the summary
        failed(i, RuntimeError("no outcome for this source (a bug in flows.host_batches)"))
    return [r for r in reports if r is not None]


def failed_ids(reports: Iterable[SourceReport]) -> list[str]:
    return [r.source_id for r in reports if r.status == "failed"]

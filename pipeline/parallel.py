"""Classification on every core: big batches go to a pool of worker processes.

Classifying is pure-Python regex work that holds the GIL, so the fetch threads of a run cannot
share it across cores; worker processes can. The pool is made once per process (forkserver:
workers never inherit the parent's threads or open database connections, and the server
imports the pipeline once, so a new worker starts in milliseconds) and shared by every store
task of a run. Small batches (the usual steady-state poll: a few new items) stay in-process,
where a round trip to a worker would cost more than it saves.

Like any use of multiprocessing, a script that runs the pipeline needs the
``if __name__ == "__main__":`` guard (the CLI, Prefect and pytest have it).

``POLICYWATCH_WORKERS`` sets the pool size: ``0`` (or ``1``) classifies in-process; the default
is one worker per core.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from core.config import current
from pipeline.feeds import ParsedFeed, parse_feed
from pipeline.intel.rules_loading import RulesChanged, load_rules, load_rules_as, rules_origin
from pipeline.intel.rules_schema import Rules
from pipeline.process import analyse_items
from pipeline.types import PreparedItem, ProcessedItem

MIN_PARALLEL = 8
"""Below this many items a batch is classified in-process (a worker round trip costs ~1 ms,
classifying an item 1-3 ms)."""
MIN_PARALLEL_BYTES = 16_384
"""Smaller feed documents are parsed in-process."""
CHUNK = 16
"""Items per task: small enough to spread a batch over the workers, big enough to amortise
pickling and one batched MinHash pass."""

log = logging.getLogger(__name__)
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_pid: int | None = None


def worker_count() -> int:
    configured = current().workers  # a negative count is 0; not a number: ConfigError
    return configured if configured is not None else os.cpu_count() or 1


def _get_pool(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            ctx = multiprocessing.get_context("forkserver")
            # datasketch (and SciPy) once in the server, not once per worker on its first batch
            ctx.set_forkserver_preload(["pipeline.parallel", "datasketch"])
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
            _pool_pid = os.getpid()
        return _pool


def warm_up() -> int:
    """Start every worker now (each loads the rules once); returns how many are ready. For
    callers that would rather pay the start-up before a big batch than inside it."""
    workers = worker_count()
    if workers <= 1:
        return 0
    pool = _get_pool(workers)
    origin = rules_origin(load_rules())
    futures = [pool.submit(_load, origin, WARM_UP_HOLD) for _ in range(workers * 2)]
    return len({f.result() for f in futures})


WARM_UP_HOLD = 0.05
"""Seconds each warm-up task keeps its worker busy: the pool starts a new worker only while none
is idle, so a worker that answered at once (rules already cached) would take every task and
leave the others unstarted."""


def _load(origin: tuple[str, int] | None, hold: float = 0.0) -> int:
    if origin:
        # a version the worker cannot load: the batches that need it will say so, and run in-process
        with contextlib.suppress(RulesChanged):
            load_rules_as(origin)
    time.sleep(hold)
    return os.getpid()


def shutdown() -> None:
    """Stop the workers (also done at exit)."""
    global _pool
    with _lock:
        if _pool is not None and _pool_pid == os.getpid():
            _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


atexit.register(shutdown)


def _analyse_chunk(
    chunk: list[PreparedItem], origin: tuple[str, int], implied: list[str]
) -> list[ProcessedItem]:
    return analyse_items(chunk, load_rules_as(origin), implied)


def analyse_many(
    prepared: Sequence[PreparedItem], rules: Rules | None = None, implied_jurisdictions: Iterable[str] = ()
) -> list[ProcessedItem]:
    """``analyse_items`` on all cores for big batches; same results, same order."""
    implied = list(implied_jurisdictions)
    rules = rules or load_rules()
    origin = rules_origin(rules)
    workers = worker_count()
    if workers <= 1 or len(prepared) < MIN_PARALLEL or origin is None:
        return analyse_items(prepared, rules, implied)
    chunks = [list(prepared[i : i + CHUNK]) for i in range(0, len(prepared), CHUNK)]
    try:
        pool = _get_pool(workers)
        futures = [pool.submit(_analyse_chunk, chunk, origin, implied) for chunk in chunks]
        return [item for fut in futures for item in fut.result()]
    except BrokenProcessPool as exc:
        _discard_broken_pool(exc)
        return analyse_items(prepared, rules, implied)
    except RulesChanged:
        # rules.yaml was edited during the run: the workers cannot load the version this run
        # holds, so this batch is classified here, with it.
        return analyse_items(prepared, rules, implied)


def parse_feed_anywhere(body: bytes, source_id: str, headers: dict[str, str] | None = None) -> ParsedFeed:
    """``parse_feed`` in a worker for big documents (feedparser is pure Python too), so the
    process that fetches and stores spends its one core on fetching and storing."""
    workers = worker_count()
    if workers <= 1 or len(body) < MIN_PARALLEL_BYTES:
        return parse_feed(body, source_id, headers)
    try:
        return _get_pool(workers).submit(parse_feed, body, source_id, headers).result()
    except BrokenProcessPool as exc:
        _discard_broken_pool(exc)
        return parse_feed(body, source_id, headers)


def _discard_broken_pool(exc: BaseException) -> None:
    """A worker died (killed, out of memory): do this batch here and start a new pool next time."""
    global _pool
    log.warning("classification worker pool broke (%s); continuing in-process", exc)
    with _lock:
        _pool = None

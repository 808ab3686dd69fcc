"""Stopping promptly: Ctrl-C or SIGTERM ends `policywatch run`, `policywatch serve` and a served
flow run within seconds, instead of waiting minutes for fetches that a server holds open.

Why stopping mid-run is safe: each source is stored in one transaction (its items, events,
outbox rows and poll state together), so a process that ends during a store leaves that source
exactly as it was before the run, and the next run fetches it again; dedup means nothing is ever
stored twice. Alert delivery is at-least-once: a claimed alert is sent again once its lease ends.

How: the first signal sets ``STOP`` (tasks that have not started yet end at once, "stopped"),
ends every crawl's process group, and starts a watchdog. Whatever is still running
``GRACE_SECONDS`` later (Prefect's thread pool waits for every in-flight task on the way out, and
a held-open fetch can take minutes) is abandoned: the watchdog stops Prefect's temporary API
server and any crawl left, then ends the process. A second signal ends it at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import Any

STOP = threading.Event()
GRACE_SECONDS = 5.0
"""Seconds a stopping process may spend finishing in-flight work before it exits regardless."""
_grace = GRACE_SECONDS

_children: dict[int, subprocess.Popen[Any]] = {}
_last: set[int] = set()
"""Children ended only when the process exits (the local Prefect server: runs report to it)."""
_lock = threading.Lock()
_watchdog: threading.Thread | None = None
stop_signal: int | None = None
"""The signal that started the stop (for the exit code: 128 + it)."""


class Stopped(Exception):
    """A task that did not start, or gave up, because the process is stopping."""


def stopping() -> bool:
    return STOP.is_set()


def check() -> None:
    """Raise ``Stopped`` when the process is stopping: called by tasks before they start work."""
    if STOP.is_set():
        raise Stopped("not done: the run was stopped (Ctrl-C or SIGTERM)")


def track(proc: subprocess.Popen[Any], last: bool = False) -> None:
    """A child in its own process group (a crawl) that a stop must end too: it does not get the
    terminal's Ctrl-C, and would outlive us. ``last``: ended only as the process exits."""
    with _lock:
        _children[proc.pid] = proc
        if last:
            _last.add(proc.pid)
    if STOP.is_set() and not last:
        _signal_children(signal.SIGTERM, include_last=False)


def untrack(proc: subprocess.Popen[Any]) -> None:
    with _lock:
        _children.pop(proc.pid, None)
        _last.discard(proc.pid)


def _signal_children(sig: int, include_last: bool = True) -> None:
    with _lock:
        procs = [p for pid, p in _children.items() if include_last or pid not in _last]
    for proc in procs:
        if proc.poll() is None:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, sig)


def _stop_temporary_servers() -> None:
    """Prefect's temporary API server (a child process started when no PREFECT_API_URL is set)
    is stopped by an atexit hook, which an abandoned process never runs."""
    server_module = sys.modules.get("prefect.server.api.server")
    if server_module is None:
        return
    for server in list(server_module.SubprocessASGIServer._instances.values()):
        proc = getattr(server, "server_process", None)
        if proc is None or proc.poll() is not None:
            continue
        # Killed, not terminated: stopped mid-write, it printed a page of tracebacks on the operator's
        # terminal. Its SQLite database stays consistent (each commit is atomic).
        proc.kill()
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=2)


def hard_exit(code: int) -> None:
    """End the process now, leaving no child behind (no atexit hooks, no thread joins)."""
    _signal_children(signal.SIGKILL)
    try:
        _stop_temporary_servers()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with suppress(Exception):
                stream.flush()
        os._exit(code)


def _watch(code: int) -> None:
    deadline = time.monotonic() + _grace
    _signal_children(signal.SIGTERM, include_last=False)  # Scrapy closes the spider, writes its stats
    while time.monotonic() < deadline:
        time.sleep(0.1)
    hard_exit(code)


def begin_stop(signum: int) -> None:
    """The first stop request: stop starting work, end the crawls, exit within the grace time."""
    global _watchdog, stop_signal
    with _lock:
        if _watchdog is not None:
            return
        STOP.set()
        stop_signal = signum
        _watchdog = threading.Thread(target=_watch, args=(128 + signum,), name="pw-stop", daemon=True)
    # At interpreter exit, threads are joined before anything else: Prefect's abandoned thread-pool
    # workers (a held-open fetch) would hold the exit. Threading's exit hooks run in reverse order,
    # so this one, registered last, runs first and ends the process without joining them.
    register = getattr(threading, "_register_atexit", None)
    if register is not None:
        with suppress(RuntimeError):  # already shutting down: the watchdog ends it
            register(hard_exit, 128 + signum)
    name = signal.Signals(signum).name
    sys.stderr.write(f"\n{name}: stopping; work not done now is done by the next run.\n")
    sys.stderr.flush()
    _watchdog.start()


def _handler(signum: int, frame: FrameType | None) -> None:
    if STOP.is_set():
        hard_exit(128 + signum)  # asked twice (or Prefect re-sent it after its own clean-up)
    begin_stop(signum)
    raise KeyboardInterrupt


def install_handlers(grace: float = GRACE_SECONDS) -> None:
    """SIGINT and SIGTERM stop the process (see the module doc), ``grace`` seconds at most after
    the first; main thread only."""
    global _grace
    _grace = grace
    signal.signal(signal.SIGINT, _handler)
    signal.signal(signal.SIGTERM, _handler)


@contextmanager
def stop_on_signal() -> Iterator[None]:
    """Around a flow's body: a Ctrl-C or a SIGTERM that Prefect turned into an exception starts
    the stop (and its watchdog) before Prefect's engine begins to wait for in-flight tasks."""
    try:
        yield
    except KeyboardInterrupt:
        begin_stop(signal.SIGINT)
        raise
    except BaseException as exc:
        if type(exc).__name__ == "TerminationSignal":
            begin_stop(int(getattr(exc, "signal", signal.SIGTERM)))
        raise

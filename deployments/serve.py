"""Serve the project's deployments on this machine: `policywatch serve` (or `make serve`).

Starts a local Prefect server (SQLite, or PostgreSQL through
``PREFECT_SERVER_DATABASE_CONNECTION_URL``) unless ``PREFECT_API_URL`` already points at one,
then serves one deployment per source tier on its schedule (feeds every 15 minutes, sites
and APIs hourly; ``POLICYWATCH_CRON_*`` or ``POLICYWATCH_EVERY_*`` override them). Runs, logs
and artifacts (run summary, per-source table, source health) appear in the Prefect UI.

One run at a time per deployment: a run that would start while another run of the same
deployment is still going is cancelled (``ONE_AT_A_TIME``), so slow runs never pile up.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import httpx

from core.config import current
from deployments.shipped import shipped_deployments

_SETTINGS = current()
SHIPPED = {d.tier: d for d in shipped_deployments()}
"""The deployments of deployments/prefect.yaml by tier: names, schedules, descriptions, tags."""
_CRON_OVERRIDES = {"feeds": _SETTINGS.cron_feeds, "sites": _SETTINGS.cron_sites, "apis": _SETTINGS.cron_apis}
SCHEDULES = {tier: _CRON_OVERRIDES.get(tier) or d.cron for tier, d in SHIPPED.items()}
"""Each tier's cron: prefect.yaml's, unless ``POLICYWATCH_CRON_<TIER>`` says otherwise here."""
INTERVALS = {
    tier: every
    for tier, every in (
        ("feeds", _SETTINGS.every_feeds),
        ("sites", _SETTINGS.every_sites),
        ("apis", _SETTINGS.every_apis),
    )
    if every
}
"""Seconds between runs of a tier, in place of its cron (``POLICYWATCH_EVERY_FEEDS=60``): cron
cannot go below a minute, and the alert-latency benchmark polls every few seconds."""
ADAPTIVE = _SETTINGS.adaptive
"""``POLICYWATCH_ADAPTIVE=0`` polls every source on every run instead of when it is due."""
STOP_RUNS_SECONDS = 6.0
"""How long a stopping `serve` waits for its runs to end Cancelled before stopping the server."""


def one_at_a_time() -> Any:
    """The deployments' concurrency: one run; a run due while one runs is cancelled, not queued
    (the next scheduled run polls whatever is due by then). The same as ``concurrency_limit``
    in deployments/prefect.yaml."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

    return ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)


def build_deployments() -> list[Any]:
    from flows.monitor import monitor

    deployments = [
        monitor.to_deployment(
            name=SHIPPED[tier].name,
            cron=None if tier in INTERVALS else cron,
            interval=INTERVALS.get(tier),
            parameters={"tier": tier, "adaptive": ADAPTIVE},
            concurrency_limit=one_at_a_time(),
            tags=list(SHIPPED[tier].tags),
            # the latest run summary is one click away on the deployment's page
            description=SHIPPED[tier].description,
        )
        for tier, cron in SCHEDULES.items()
    ]
    return deployments


def create_domain_limits(own_server: bool = False) -> list[str]:
    """The per-host limit of every site in sources.yaml, created (or resized to
    POLICYWATCH_DOMAIN_CONCURRENCY) once at start-up, so the UI lists them before the first run.
    Each run also creates the ones it needs (``flows.domain_limits``): the same function. With
    the server `serve` has just started itself, no run holds a slot yet: any slot marked taken was
    left by a run stopped with the previous server, and is freed."""
    from core.settings import sources_path
    from core.sources_config import load_sources
    from flows.domain_limits import ensure_domain_limits

    base = current().base_url or "http://127.0.0.1"
    urls = [s.url for s in load_sources(sources_path(), base_url=base)]
    return sorted(ensure_domain_limits(urls, resize=True, free=own_server))


def start_local_server(port: int) -> subprocess.Popen[bytes]:
    """`prefect server start` on loopback, returned once its health endpoint answers."""
    from core.settings import data_dir

    log = (data_dir() / "prefect-server.log").open("ab")
    env = {**os.environ, "PREFECT_UI_API_URL": f"http://127.0.0.1:{port}/api"}  # the UI must call this port
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api/health"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"prefect server exited with code {proc.returncode}; see {log.name}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGTERM)
    raise RuntimeError("prefect server did not become healthy within 120 s")


def recover_abandoned_runs() -> list[str]:
    """Flow runs of this machine's own server left Running (or Pending, Cancelling) by a serve that
    was killed outright (SIGKILL, power cut): nothing runs them any more, and each would hold its
    deployment's one slot, so every new run of it would be cancelled. They are marked Crashed,
    which frees the slot. Only with the server `serve` started itself: a shared server's runs may
    be running on another machine."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    stale = [StateType.RUNNING, StateType.PENDING, StateType.CANCELLING]
    message = "policywatch serve stopped before this run ended; the next run polls its sources"
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["monitor"])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=stale))),
        )
        for run in runs:
            client.set_flow_run_state(
                run.id,
                Crashed(message=message),
                force=True,
            )
    return [run.name for run in runs]


class _Serving:
    """Prefect's runner in a thread of its own, so that the main thread keeps the signals: Prefect's
    own SIGTERM handler (3.8) exits without stopping its runs, and those runs were left Running."""

    def __init__(self, deployments: list[Any]) -> None:
        from prefect.runner import Runner

        self.deployments = deployments
        self.runner = Runner(pause_on_shutdown=True)
        for deployment in deployments:
            self.runner.add_deployment(deployment)
        self.loop: asyncio.AbstractEventLoop | None = None
        # An Event, not Thread.join: a join interrupted by Ctrl-C can leave the thread marked dead.
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="prefect-runner", daemon=True)

    def _run(self) -> None:
        async def start() -> None:
            self.loop = asyncio.get_running_loop()
            await self.runner.start()

        try:
            asyncio.run(start())
        finally:
            self.done.set()

    def serve(self) -> None:
        from prefect.flows import _display_serve_start_message

        _display_serve_start_message(*self.deployments)
        self.thread.start()
        while not self.done.wait(0.5):
            pass

    def stop(self, timeout: float) -> None:
        """Cancel the runs in progress (each ends Cancelled within seconds) and stop polling."""
        if self.loop is not None and not self.done.is_set():
            asyncio.run_coroutine_threadsafe(self.runner.astop(), self.loop)
            self.done.wait(timeout)


def main() -> None:
    from core import shutdown

    # Ctrl-C or SIGTERM: runs in progress are cancelled (each ends Cancelled, its store consistent),
    # then the local server stops; all within about 10 s (core.shutdown).
    shutdown.install_handlers(grace=STOP_RUNS_SECONDS + 3)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    server = None
    serving: _Serving | None = None
    try:
        if not os.environ.get("PREFECT_API_URL"):
            port = current().prefect_port
            server = start_local_server(port)
            shutdown.track(server, last=True)  # ended by a stop, but after the runs have reported
            os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
            print(f"Prefect UI: http://127.0.0.1:{port}", flush=True)
            abandoned = recover_abandoned_runs()
            if abandoned:
                print(f"Marked Crashed, left running by a serve that was killed: {', '.join(abandoned)}")
        create_domain_limits(own_server=server is not None)
        serving = _Serving(build_deployments())
        serving.serve()
    except KeyboardInterrupt:
        if serving is not None:
            print("Stopping: cancelling the runs in progress, then the server.", file=sys.stderr, flush=True)
            serving.stop(timeout=STOP_RUNS_SECONDS)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=2)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
            shutdown.untrack(server)


if __name__ == "__main__":
    main()

"""The monitor flow through its real entry points: ``policywatch run`` and a served deployment.

The other benchmarks time the plain functions; an operator waits for the flow, with Prefect's
task machinery, per-host politeness and the process start-up. So this one runs the installed
``policywatch run --sources ... --json`` twice as a subprocess over N feeds served by the
counting demo web (bench.web, its own process): the first poll (every item new) and the second
(every feed answers 304). Figures: feeds per second of each, from the command's start to its
exit, and the plain-function ingest rate is in ``ingest`` for the ratio.

Then the same two polls as runs of the served ``monitor-feeds`` deployment (``policywatch
serve`` in its own process, with its own local Prefect server, as an operator starts it),
each triggered through the API and timed from the trigger to the run's terminal state: what a
scheduled run costs, without the process start-up that ``run`` pays each time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import Config, Figure, TextGen, WebProcess, figure, free_port, log, serving, write_feed_web

NAME = "flow_run"
ENTRY = Path(sys.executable).parent / "policywatch"


def run(cfg: Config) -> list[Figure]:
    n_feeds = cfg.size(20, 100, 1000)
    per_feed = cfg.size(5, 10, 50)
    work = cfg.workdir / NAME
    work.mkdir(parents=True, exist_ok=True)
    paths = write_feed_web(work / "web", n_feeds, per_feed, TextGen(seed=17))
    figs: list[Figure] = []
    with WebProcess(work / "web") as web:
        sources = work / "sources.yaml"
        lines = ["sources:"]
        for p in paths:
            lines += [
                f"  - id: bench-{p.strip('/').split('/')[0]}",
                "    kind: feed",
                f'    url: "{web.base_url}{p}"',
                "    private_network: true",
            ]
        sources.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env = {
            **os.environ,
            "POLICYWATCH_DATA_DIR": str(work / "data"),
            "POLICYWATCH_DATABASE_URL": f"sqlite:///{work / 'store.db'}",
        }
        for label in ("first poll (all new)", "second poll (all 304)"):
            started = time.perf_counter()
            proc = subprocess.run(
                [str(ENTRY), "run", "--sources", str(sources), "--json"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            elapsed = time.perf_counter() - started
            totals = json.loads(proc.stdout.strip().splitlines()[-1])["totals"] if proc.stdout.strip() else {}
            log(f"  {label}: exit {proc.returncode}, {totals}")
            figs.append(
                figure(
                    NAME,
                    f"policywatch run, {n_feeds} feeds x {per_feed} items, {label}",
                    n_feeds / elapsed,
                    "feeds/s",
                    note=f"{elapsed:.1f} s, exit {proc.returncode}, {totals.get('failed_sources')} failed",
                )
            )
        figs += served_polls(work, sources, env, n_feeds, per_feed)
    return figs


def _until(what: str, check: Any, timeout: float = 300.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            got = check()
        except httpx.HTTPError:
            got = None
        if got:
            return got
        time.sleep(0.5)
    raise RuntimeError(f"timed out waiting for {what}")


def served_polls(work: Path, sources: Path, env: dict[str, str], n_feeds: int, per_feed: int) -> list[Figure]:
    """Two triggered runs of the served monitor-feeds deployment over a fresh store."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    store = work / "served.db"
    store.unlink(missing_ok=True)
    served_env = {
        **env,
        "POLICYWATCH_DATABASE_URL": f"sqlite:///{store}",
        "POLICYWATCH_DATA_DIR": str(work / "served-data"),
        "POLICYWATCH_SOURCES": str(sources),
        "POLICYWATCH_PREFECT_PORT": str(port),
        "POLICYWATCH_ADAPTIVE": "0",  # every source due on each triggered run
        "PREFECT_HOME": str(work / "served-prefect"),
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }
    served_env.pop("PREFECT_API_URL", None)
    subprocess.run([str(ENTRY), "db", "upgrade"], env=served_env, capture_output=True, check=False)
    figs: list[Figure] = []
    with serving(served_env, work / "serve.log"):
        deployments = _until(
            "the served deployments",
            lambda: [
                d
                for d in httpx.post(f"{api}/deployments/filter", json={}, timeout=5).json()
                if d["name"] == "monitor-feeds"
            ],
        )
        trigger = f"{api}/deployments/{deployments[0]['id']}/create_flow_run"
        for label in ("first poll (all new)", "second poll (all 304)"):
            elapsed, final = _triggered_run(api, trigger)
            log(f"  served {label}: {final['type']} in {elapsed:.1f} s")
            figs.append(
                figure(
                    NAME,
                    f"served monitor-feeds run, {n_feeds} feeds x {per_feed} items, {label}",
                    n_feeds / elapsed,
                    "feeds/s",
                    note=f"{elapsed:.1f} s trigger to {final['type'].lower()}",
                )
            )
    return figs


def _triggered_run(api: str, trigger: str) -> tuple[float, dict[str, Any]]:
    """Seconds from the trigger to the run's end; a run cancelled because a scheduled run of the
    deployment was running (one at a time) is triggered again once that one is over."""
    for _attempt in range(5):
        started = time.perf_counter()
        run = _until(
            "the server to accept the run",
            lambda: (r := httpx.post(trigger, json={}, timeout=10)).status_code == 201 and r.json(),
        )
        final = _until(
            "the run to end",
            lambda rid=run["id"]: (
                (st := httpx.get(f"{api}/flow_runs/{rid}", timeout=5).json()["state"])
                and st["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")
                and st
            ),
            timeout=1800,
        )
        if final["type"] != "CANCELLED":
            return time.perf_counter() - started, final
        time.sleep(5)
    raise RuntimeError("every triggered run was cancelled")

"""The monitor flow through its real entry point: ``policywatch run`` over loopback feeds.

The other benchmarks time the plain functions; an operator waits for the flow, with Prefect's
task machinery, per-host politeness and the process start-up. So this one runs the installed
``policywatch run --sources ... --json`` twice as a subprocess over N feeds served by the
counting demo web (bench.web, its own process): the first poll (every item new) and the second
(every feed answers 304). Figures: feeds per second of each, from the command's start to its
exit, and the plain-function ingest rate is in ``ingest`` for the ratio.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import Config, Figure, TextGen, WebProcess, figure, log, write_feed_web

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
    return figs

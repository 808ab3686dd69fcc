"""Serve the project's deployments on this machine: `policywatch serve` (or `make serve`).

Starts a local Prefect server (SQLite, or PostgreSQL through
``PREFECT_SERVER_DATABASE_CONNECTION_URL``) unless ``PREFECT_API_URL`` already points at one,
then serves one deployment per source tier on its schedule (feeds every 15 minutes, sites
and APIs hourly; ``POLICYWATCH_CRON_*`` or ``POLICYWATCH_EVERY_*`` override them). Runs, logs
and artifacts (run summary, per-source table, source health) appear in the Prefect UI.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import httpx

SCHEDULES = {
    "feeds": os.environ.get("POLICYWATCH_CRON_FEEDS", "*/15 * * * *"),
    "sites": os.environ.get("POLICYWATCH_CRON_SITES", "7 * * * *"),
    "apis": os.environ.get("POLICYWATCH_CRON_APIS", "37 * * * *"),
}
INTERVALS = {
    tier: float(os.environ[f"POLICYWATCH_EVERY_{tier.upper()}"])
    for tier in SCHEDULES
    if os.environ.get(f"POLICYWATCH_EVERY_{tier.upper()}")
}
"""Seconds between runs of a tier, in place of its cron (``POLICYWATCH_EVERY_FEEDS=60``): cron
cannot go below a minute, and the alert-latency benchmark polls every few seconds."""
ADAPTIVE = os.environ.get("POLICYWATCH_ADAPTIVE", "1") != "0"
"""``POLICYWATCH_ADAPTIVE=0`` polls every source on every run instead of when it is due."""
DIGEST_CRON = os.environ.get("POLICYWATCH_CRON_DIGEST", "*/30 * * * *")
"""Digests are checked every half hour; each subscriber's own time and zone decide when one goes out."""


def build_deployments() -> list[Any]:
    from flows.monitor import monitor

    deployments = [
        monitor.to_deployment(
            name=f"monitor-{tier}",
            cron=None if tier in INTERVALS else cron,
            interval=INTERVALS.get(tier),
            parameters={"tier": tier, "adaptive": ADAPTIVE},
            tags=["policywatch", f"tier:{tier}"],
            description=f"Poll the {tier} tier of sources.yaml, store new items and events, send alerts.",
        )
        for tier, cron in SCHEDULES.items()
    ]
    return deployments


def create_domain_limits() -> list[str]:
    """One global concurrency limit per site in sources.yaml, shared by every deployment."""
    from urllib.parse import urlsplit

    from prefect.client.orchestration import get_client

    from flows.monitor import domain_limit
    from policywatch.settings import sources_path
    from policywatch.sources_config import load_sources

    slots = int(os.environ.get("POLICYWATCH_DOMAIN_CONCURRENCY", "2"))
    base = os.environ.get("POLICYWATCH_BASE_URL", "http://127.0.0.1")
    names = sorted(
        {domain_limit(s.url) for s in load_sources(sources_path(), base_url=base) if urlsplit(s.url).hostname}
    )
    with get_client(sync_client=True) as client:
        for name in names:
            client.upsert_global_concurrency_limit_by_name(name, slots)
    return names


def start_local_server(port: int) -> subprocess.Popen[bytes]:
    """`prefect server start` on loopback, returned once its health endpoint answers."""
    from policywatch.settings import data_dir

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


def main() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        port = int(os.environ.get("POLICYWATCH_PREFECT_PORT", "4200"))
        server = start_local_server(port)
        os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
        print(f"Prefect UI: http://127.0.0.1:{port}", flush=True)
    try:
        from prefect import serve

        create_domain_limits()
        serve(*build_deployments())
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()

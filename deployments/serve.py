"""Serve the project's deployments on this machine: `make serve` or `python -m deployments.serve`.

Each tier has its own schedule (feeds every 15 minutes, sites and APIs hourly); the cron
strings can be overridden by environment variables without touching code. Runs appear in
the Prefect UI with their artifacts (run summary and per-source table).
"""

from __future__ import annotations

import os

from prefect import serve

from flows.monitor import monitor

SCHEDULES = {
    "feeds": os.environ.get("POLICYWATCH_CRON_FEEDS", "*/15 * * * *"),
    "sites": os.environ.get("POLICYWATCH_CRON_SITES", "7 * * * *"),
    "apis": os.environ.get("POLICYWATCH_CRON_APIS", "37 * * * *"),
}


def build_deployments() -> list[object]:
    return [
        monitor.to_deployment(
            name=f"monitor-{tier}",
            cron=cron,
            parameters={"tier": tier, "adaptive": True},
            tags=["policywatch", f"tier:{tier}"],
            description=f"Poll the {tier} tier of sources.yaml, store new items and events, send alerts.",
        )
        for tier, cron in SCHEDULES.items()
    ]


if __name__ == "__main__":
    serve(*build_deployments())  # type: ignore[arg-type]

"""Waiting on a served deployment through the Prefect API: polling until a run ends, and an
empty feed for a run to fetch. Shared by ``flows/test_serve.py`` and ``flows/test_stop.py``."""

from __future__ import annotations

import time
from typing import Any

import httpx


def wait_for(what: str, check: Any, timeout: float = 300.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except httpx.HTTPError:
            value = None
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


EMPTY_FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>gate</title>
<link>http://127.0.0.1/</link><description>held</description></channel></rss>"""


def finished(api: str, run_id: str) -> Any:
    state = httpx.get(f"{api}/flow_runs/{run_id}", timeout=5).json()["state"]
    return state if state and state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None


def running(api: str, deployment_id: str) -> list[str]:
    runs = httpx.post(
        f"{api}/flow_runs/filter",
        json={
            "deployments": {"id": {"any_": [deployment_id]}},
            "flow_runs": {"state": {"type": {"any_": ["RUNNING"]}}},
        },
        timeout=10,
    ).json()
    return [r["id"] for r in runs]


def run_to_the_end(api: str, trigger: str, deployment_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Trigger a run and wait for its end. A run refused because a scheduled run of the
    deployment was running at that moment (one at a time) is triggered again once it is over."""
    for _attempt in range(5):
        # a busy fresh server may answer 503 while it schedules the first runs: try again
        run: dict[str, Any] = wait_for(
            "the server to accept a triggered run",
            lambda: (r := httpx.post(trigger, json={}, timeout=10)) and r.status_code == 201 and r.json(),
            timeout=120,
        )
        final = wait_for("the triggered flow run to finish", lambda rid=run["id"]: finished(api, rid))
        if final["type"] != "CANCELLED":
            return run, final
        wait_for("the other run to end", lambda: not running(api, deployment_id) or None)
        # the run that held the deployment's one slot gives it back a moment after it ends (on
        # a loaded machine, after the next trigger): wait for the slot itself, not only the run
        wait_for("the deployment's slot to be free", lambda: free_slot(api, deployment_id) or None)
    raise AssertionError("every triggered run was refused")


def free_slot(api: str, deployment_id: str) -> bool:
    """No run holds the deployment's concurrency slot (its limit's active slots are 0)."""
    deployment = httpx.get(f"{api}/deployments/{deployment_id}", timeout=10).json()
    return int(deployment["global_concurrency_limit"]["active_slots"]) == 0

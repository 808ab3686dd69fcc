"""The served deployments, as an operator starts them: `policywatch serve` in its own process
with its own local Prefect server on loopback; a triggered run completes and publishes its
artifacts; everything is stopped by PID at the end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from models.db import session_factory
from models.migrate import upgrade
from models.tables import Item
from policywatch.demo import DEMO_DIR
from policywatch.demo.server import DemoWeb
from tests.loopback import free_port

PW = Path(sys.executable).parent / "policywatch"


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


def test_served_deployments_run_on_trigger(tmp_path: Path) -> None:
    upgrade()
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    sink = tmp_path / "alerts.txt"
    with DemoWeb() as web:
        env = {
            **os.environ,
            "PREFECT_HOME": str(tmp_path / "prefect"),
            "POLICYWATCH_PREFECT_PORT": str(port),
            "PREFECT_RUNNER_POLL_FREQUENCY": "1",
            "POLICYWATCH_SOURCES": str(DEMO_DIR / "sources.yaml"),
            "POLICYWATCH_BASE_URL": web.base_url,
            "POLICYWATCH_SUBSCRIPTIONS": str(DEMO_DIR / "subscriptions.yaml"),
            "POLICYWATCH_DEMO_SINK": f"pwfile://{sink}",
        }
        env.pop("PREFECT_API_URL", None)
        log = (tmp_path / "serve.log").open("wb")
        proc = subprocess.Popen(
            [str(PW), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deployments = wait_for(
                "three served deployments",
                lambda: (
                    (r := httpx.post(f"{api}/deployments/filter", json={}, timeout=5).json())
                    and len(r) >= 3
                    and r
                ),
            )
            by_name = {d["name"]: d for d in deployments}
            assert {"monitor-feeds", "monitor-sites", "monitor-apis"} <= set(by_name)
            feeds = by_name["monitor-feeds"]
            limits = httpx.post(f"{api}/v2/concurrency_limits/filter", json={}, timeout=5).json()
            assert {"name": "domain:127.0.0.1", "limit": 2} in [
                {"name": x["name"], "limit": x["limit"]} for x in limits
            ]
            assert feeds["parameters"] == {"tier": "feeds", "adaptive": True}
            assert "tier:feeds" in feeds["tags"]
            schedules = httpx.get(f"{api}/deployments/{feeds['id']}/schedules", timeout=5).json()
            assert schedules[0]["schedule"]["cron"] == "*/15 * * * *"
            # The server's scheduler must turn the cron into scheduled runs (it silently could not with
            # SQLAlchemy 2.1, which is why the lock holds 2.0).
            scheduled = wait_for(
                "the scheduler to create scheduled runs",
                lambda: httpx.post(
                    f"{api}/flow_runs/filter",
                    json={
                        "deployments": {"id": {"any_": [feeds["id"]]}},
                        "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
                    },
                    timeout=10,
                ).json(),
                timeout=120,
            )
            assert all(r["deployment_id"] == feeds["id"] for r in scheduled)
            # a busy fresh server may answer 503 while it schedules the first runs: try again
            trigger = f"{api}/deployments/{feeds['id']}/create_flow_run"
            run = wait_for(
                "the server to accept a triggered run",
                lambda: (r := httpx.post(trigger, json={}, timeout=10)) and r.status_code == 201 and r.json(),
                timeout=120,
            )
            final = wait_for(
                "the triggered flow run to finish",
                lambda: (
                    (s := httpx.get(f"{api}/flow_runs/{run['id']}", timeout=5).json()["state"])
                    and s["type"] in ("COMPLETED", "FAILED", "CRASHED")
                    and s
                ),
            )
            assert final["type"] == "COMPLETED", final
            artifacts = httpx.post(
                f"{api}/artifacts/filter",
                json={
                    "artifacts": {
                        "key": {"any_": ["monitor-feeds-summary", "monitor-feeds-sources", "source-health"]}
                    }
                },
                timeout=5,
            ).json()
            keys = {a["key"] for a in artifacts}
            assert keys == {"monitor-feeds-summary", "monitor-feeds-sources", "source-health"}
            summary = next(a for a in artifacts if a["key"] == "monitor-feeds-summary")
            assert "| demo-commission | ok |" in summary["data"] and "new items" in summary["data"]
        except AssertionError:
            print((tmp_path / "serve.log").read_text(errors="replace")[-3000:])
            raise
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    with session_factory()() as s:
        assert s.scalar(select(func.count()).select_from(Item)) == 9
    assert sink.read_text().count("=== ") >= 1

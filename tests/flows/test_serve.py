"""The served deployments, as an operator starts them: `policywatch serve` in its own process
with its own local Prefect server on loopback; a triggered run completes and publishes its
artifacts; runs and tasks carry their names; a second run of a deployment started while one
runs is cancelled; everything is stopped by PID at the end."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from models.db import session_factory
from models.migrate import upgrade
from models.tables import Item
from policywatch.demo import DEMO_DIR
from policywatch.demo.server import DemoWeb
from testkit.loopback import free_port
from tests.support.paths import PW, ROOT
from tests.support.prefect_server import create_flow_run
from tests.support.serving import EMPTY_FEED, finished, run_to_the_end, running, wait_for


@contextmanager
def gated_feed() -> Iterator[tuple[str, threading.Event, threading.Event]]:
    """A feed that answers only when the test opens the gate: a run that fetches it is held
    running for as long as the test needs (no sleeps, no timing)."""
    asked, gate = threading.Event(), threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
            pass

        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            asked.set()
            gate.wait(timeout=600)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(EMPTY_FEED)))
            self.end_headers()
            self.wfile.write(EMPTY_FEED)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml", asked, gate
    finally:
        gate.set()
        server.shutdown()
        server.server_close()


def test_served_deployments_run_on_trigger(tmp_path: Path) -> None:
    upgrade()
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    sink = tmp_path / "alerts.txt"
    sources = tmp_path / "sources.yaml"  # re-read by every run: a source is added below
    sources.write_text((DEMO_DIR / "sources.yaml").read_text())
    with DemoWeb() as web, gated_feed() as (gate_url, asked, gate):
        env = {
            **os.environ,
            "PREFECT_HOME": str(tmp_path / "prefect"),
            "POLICYWATCH_PREFECT_PORT": str(port),
            "PREFECT_RUNNER_POLL_FREQUENCY": "1",
            "POLICYWATCH_SOURCES": str(sources),
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
            for deployment in by_name.values():  # one run at a time; a new one is cancelled
                assert deployment["global_concurrency_limit"]["limit"] == 1, deployment
                assert deployment["concurrency_options"]["collision_strategy"] == "CANCEL_NEW", deployment
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
            trigger = f"{api}/deployments/{feeds['id']}/create_flow_run"
            run, final = run_to_the_end(api, trigger, feeds["id"])
            assert final["type"] == "COMPLETED", final
            # names: the flow run by tier and time, its tasks by source
            name = httpx.get(f"{api}/flow_runs/{run['id']}", timeout=5).json()["name"]
            assert re.fullmatch(r"feeds \d{4}-\d\d-\d\d \d\d:\d\dZ", name), name
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

            # One run at a time: a run held on the gated feed is running; a second run of the same
            # deployment is cancelled, not started beside it; the first then finishes normally.
            with sources.open("a") as f:
                f.write(f'\n  - id: gate\n    kind: feed\n    url: "{gate_url}"\n    private_network: true\n')
                f.write("    timeout_seconds: 300\n")
            create_flow_run(trigger)
            assert asked.wait(timeout=300), "no run fetched the gated feed"
            # the run held on the gate (this one, or a scheduled one that came first)
            holder = wait_for("the held run", lambda: running(api, feeds["id"]))
            assert len(holder) == 1, holder
            second = create_flow_run(trigger)
            refused = wait_for("the second run to be refused", lambda: finished(api, second["id"]))
            assert refused["type"] == "CANCELLED", refused
            assert "concurrency limit" in (refused["message"] or ""), refused
            assert running(api, feeds["id"]) == holder  # still held: the second was refused, not run
            gate.set()
            released = wait_for("the held run to finish", lambda: finished(api, holder[0]))
            assert released["type"] == "COMPLETED", released
            # Task runs reach the server through Prefect's event pipeline, which can lag by minutes
            # on a loaded machine: checked last, after every flow-run check above.
            task_names = wait_for(
                "the task runs to reach the server",
                lambda: (
                    (
                        names := {
                            t["name"]
                            for t in httpx.post(
                                f"{api}/task_runs/filter",
                                json={"flow_runs": {"id": {"any_": [run["id"]]}}},
                                timeout=5,
                            ).json()
                        }
                    )
                    and any(n.startswith("fetch ") and "demo-commission" in n for n in names)
                    and names
                ),
                timeout=300,
            )
            # one task per host batch of feeds (issue 14), its name carrying the source ids: the
            # operator's search by a source's id (the UI's name filter) finds its batch
            assert any(n.startswith("fetch ") and "demo-govuk" in n for n in task_names), task_names
            found = httpx.post(
                f"{api}/task_runs/filter",
                json={
                    "flow_runs": {"id": {"any_": [run["id"]]}},
                    "task_runs": {"name": {"like_": "demo-govuk"}},
                },
                timeout=5,
            ).json()
            assert [t["name"] for t in found if t["name"].startswith("fetch ")], found
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


def test_prefect_yaml_runs_one_at_a_time_like_serve() -> None:
    """deployments/prefect.yaml, read by Prefect's own model of the file: every deployment has
    one slot and cancels a new run while one runs, exactly as `policywatch serve` does."""
    import yaml
    from prefect.cli.deploy._models import PrefectYamlModel
    from prefect.client.schemas.objects import ConcurrencyLimitStrategy

    from deployments.serve import SCHEDULES, one_at_a_time

    raw = yaml.safe_load((ROOT / "deployments" / "prefect.yaml").read_text())
    model = PrefectYamlModel.model_validate(raw)
    served = one_at_a_time()
    assert {d.name for d in model.deployments} == {f"monitor-{tier}" for tier in SCHEDULES}
    for deployment in model.deployments:
        spec = deployment.concurrency_limit
        assert not isinstance(spec, int) and spec is not None, deployment.name
        assert spec.limit == served.limit == 1
        assert ConcurrencyLimitStrategy(spec.collision_strategy) == served.collision_strategy
        assert served.collision_strategy is ConcurrencyLimitStrategy.CANCEL_NEW


def test_served_deployments_are_prefect_yamls(monkeypatch: pytest.MonkeyPatch) -> None:
    """A schedule is written once: `serve` builds each deployment from prefect.yaml's entry (its
    name, cron, description and tags), and POLICYWATCH_CRON_<TIER> overrides only the served one."""
    import importlib

    import yaml

    import deployments.serve as serve

    for tier in ("FEEDS", "SITES", "APIS"):
        monkeypatch.delenv(f"POLICYWATCH_CRON_{tier}", raising=False)
        monkeypatch.delenv(f"POLICYWATCH_EVERY_{tier}", raising=False)
    raw = yaml.safe_load((ROOT / "deployments" / "prefect.yaml").read_text())
    by_name = {d["name"]: d for d in raw["deployments"]}
    try:
        serve = importlib.reload(serve)
        built = {d.name: d for d in serve.build_deployments()}
        assert set(built) == set(by_name)
        for name, entry in by_name.items():
            deployment = built[name]
            assert [s.schedule.cron for s in deployment.schedules] == [entry["schedules"][0]["cron"]]
            assert deployment.description == entry["description"]
            assert deployment.tags == entry["tags"]
            assert deployment.parameters["tier"] == entry["parameters"]["tier"]
        monkeypatch.setenv("POLICYWATCH_CRON_SITES", "5 * * * *")
        serve = importlib.reload(serve)
        assert serve.SCHEDULES == {"feeds": "*/15 * * * *", "sites": "5 * * * *", "apis": "37 * * * *"}
    finally:
        monkeypatch.delenv("POLICYWATCH_CRON_SITES", raising=False)
        importlib.reload(serve)


def test_a_prefect_yaml_entry_serve_cannot_run_is_named(tmp_path: Path) -> None:
    from deployments.shipped import shipped_deployments

    bad = tmp_path / "prefect.yaml"
    bad.write_text("deployments:\n  - name: monitor-x\n    parameters: {tier: x}\n    schedules: []\n")
    with pytest.raises(ValueError, match="monitor-x"):
        shipped_deployments(bad)

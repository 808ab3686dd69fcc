"""The truth at a glance (issue 14): a run whose sources failed ends Failed in Prefect, with the
count and the names in its message, after everything that worked was stored, alerted and
published; a host's batch of feeds with a failed source fails its task, naming the source; runs
and tasks are named by what they poll. Under the real (test) Prefect server, on loopback."""

from __future__ import annotations

import re
import time
from pathlib import Path
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterKey,
    FlowRunFilter,
    FlowRunFilterId,
)
from prefect.client.schemas.sorting import ArtifactSort
from sqlalchemy import func, select

from models.db import session_factory
from models.migrate import upgrade
from models.tables import Item, Source
from policywatch.demo import DEMO_DIR
from policywatch.demo.server import DemoWeb
from tests.support.loopback import broken_demo

RUN_NAME = re.compile(r"^all \d{4}-\d\d-\d\d \d\d:\d\dZ$")


@pytest.fixture
def demo_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    sink = tmp_path / "alerts.txt"
    monkeypatch.setenv("POLICYWATCH_SUBSCRIPTIONS", str(DEMO_DIR / "subscriptions.yaml"))
    monkeypatch.setenv("POLICYWATCH_DEMO_SINK", f"pwfile://{sink}")
    upgrade()
    return sink


def task_states(flow_run_id: UUID, expected: int) -> dict[str, str]:
    """Task run name -> final state type. Task states reach the server as events, a moment
    after the flow returns: wait until every expected task run is there and final."""
    final = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
    deadline = time.monotonic() + 90
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
            )
            states = {r.name: (r.state.type.value if r.state else "") for r in runs}
            if (len(states) >= expected and set(states.values()) <= final) or time.monotonic() > deadline:
                return states
            time.sleep(0.5)


def test_failed_sources_fail_the_run_after_everything_else_is_done(
    prefect_harness: None, demo_env: Path, tmp_path: Path
) -> None:
    from flows.monitor import monitor, run_monitor

    web_root, sources = broken_demo(tmp_path)
    with DemoWeb(root=web_root) as web:
        state = monitor(sources_file=str(sources), base_url=web.base_url, return_state=True)
        # the same sources, only the good ones: the run ends Completed
        good = monitor(
            sources_file=str(sources), base_url=web.base_url, only=["demo-commission"], return_state=True
        )
        # the summary either way, through the helper every caller uses
        again = run_monitor(sources_file=str(sources), base_url=web.base_url)

    # the dashboard's truth: Failed (it counts FAILED and CRASHED runs), with count and names
    assert state.is_failed(), state
    assert state.message == "2 of 5 sources failed: demo-govuk, dead-source"
    assert good.is_completed() and good.message != state.message
    summary = state.result(raise_on_failure=False)
    assert isinstance(summary, dict)
    assert summary["totals"]["failed_sources"] == 2 and summary["totals"]["sources_polled"] == 5
    assert again["totals"]["failed_sources"] == 2  # run_monitor hands back the summary, no exception

    # ...but only after what worked was stored, alerted and published
    assert summary["totals"]["new_items"] > 0 and summary["totals"]["alerts_sent"] > 0
    assert demo_env.read_text().count("=== ") == summary["totals"]["alerts_sent"]
    with session_factory()() as s:
        assert s.scalar(select(func.count()).select_from(Item)) == summary["totals"]["new_items"]
        govuk = s.get(Source, "demo-govuk")
        assert govuk is not None and govuk.consecutive_failures == 2  # counted once per run, not twice
        assert "not a feed" in (govuk.last_error or "")
    flow_run_id = state.state_details.flow_run_id
    assert flow_run_id is not None
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(flow_run_id)
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["monitor-all-summary", "monitor-all-sources"]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]),
            )
        )
    assert flow_run.state is not None and flow_run.state.type.value == "FAILED"
    assert flow_run.state.message == state.message
    assert RUN_NAME.match(flow_run.name), flow_run.name
    assert {a.key for a in artifacts} == {"monitor-all-summary", "monitor-all-sources"}
    markdown = next(str(a.data) for a in artifacts if a.key == "monitor-all-summary")
    assert "| demo-govuk | failed |" in markdown and "| dead-source | failed |" in markdown

    # tasks: one per host batch of feeds (issue 14), named by host and source ids so an operator
    # finds a source's task by its id; a batch with a failed source fails, naming it
    batch = "fetch 127.0.0.1: demo-commission, demo-govuk, demo-technews, demo-policywire, dead-source"
    tasks = task_states(flow_run_id, expected=1 + 4)  # the batch, expected-events, 2 deliveries, health
    assert tasks[batch] == "FAILED", tasks
    for sid in ("demo-commission", "demo-govuk", "demo-technews", "demo-policywire", "dead-source"):
        assert [name for name in tasks if name.startswith("fetch ") and sid in name] == [batch], sid
    assert not [name for name in tasks if name.startswith(("store ", "record-failure "))], tasks
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    batch_state = next(r.state for r in runs if r.name == batch)
    assert batch_state is not None and batch_state.message == "2 of 5 sources failed: demo-govuk, dead-source"


def test_an_adaptive_run_says_what_was_not_due_and_when(
    prefect_harness: None, demo_env: Path, tmp_path: Path
) -> None:
    from flows.monitor import run_monitor

    sources = str(DEMO_DIR / "sources.yaml")
    with DemoWeb() as web:
        first = run_monitor(base_url=web.base_url, sources_file=sources, adaptive=True)
        requests_after_first = len(web.requests)
        second = run_monitor(base_url=web.base_url, sources_file=sources, adaptive=True)
        requests_after_second = len(web.requests)
    assert first["totals"]["sources_polled"] == 4 and first["not_due"] == [] and first["next_due"] is None
    # just polled: nothing is due for at least the minimum interval, and the run says until when
    assert second["totals"]["sources_polled"] == 0 and requests_after_second == requests_after_first
    assert second["not_due"] == ["demo-commission", "demo-govuk", "demo-technews", "demo-policywire"]
    assert second["next_due"] is not None
    with get_client(sync_client=True) as client:
        latest = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["monitor-all-summary"])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    markdown = str(latest[0].data)
    when = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(in \d+ (h \d\d )?min\)"
    pattern = rf"4 sources not due; next at {when}: demo-commission"
    assert re.search(pattern, markdown), markdown


def test_the_cli_keeps_its_exit_codes_and_says_what_was_not_due(tmp_path: Path) -> None:
    """`policywatch run` as a scheduler runs it: the Failed flow run changes nothing in the exit
    codes (--fail-on), the summary is printed, no traceback; --adaptive names what was not due."""
    import os
    import subprocess
    import sys

    pw = Path(sys.executable).parent / "policywatch"
    sources = tmp_path / "sources.yaml"
    dead = "\n  - id: dead-feed\n    kind: feed\n    url: http://127.0.0.1:9/feed.xml\n"
    dead += "    private_network: true\n"
    env = {
        **os.environ,
        "POLICYWATCH_DATA_DIR": str(tmp_path / "data"),
        "POLICYWATCH_FETCH_RETRIES": "0",
        "POLICYWATCH_SUBSCRIPTIONS": str(DEMO_DIR / "subscriptions.yaml"),
        "POLICYWATCH_DEMO_SINK": f"pwfile://{tmp_path / 'alerts.txt'}",
    }

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(pw), "run", "--sources", str(sources), *args],
            capture_output=True,
            text=True,
            timeout=300,
            env={**env, **extra},
        )

    with DemoWeb() as web:
        sources.write_text((DEMO_DIR / "sources.yaml").read_text().replace("{base}", web.base_url) + dead)
        bad = run("--adaptive", POLICYWATCH_MAX_POLL_INTERVAL="soon")
        first = run("--adaptive", "--fail-on", "never")
        second = run("--adaptive")
        third = run()  # not adaptive: everything is polled again, and dead-feed fails again
    assert bad.returncode == 2 and "POLICYWATCH_MAX_POLL_INTERVAL" in bad.stderr, bad.stderr
    assert first.returncode == 0, first.stderr[-2000:]
    assert "dead-feed" in first.stdout and "5 (0 unchanged, HTTP 304; 1 failed)" in first.stdout
    assert "not due" not in first.stdout
    assert second.returncode == 0, second.stderr[-2000:]
    assert re.search(r"5 sources not due; next at \S+ \S+Z \(in \d+ min\): demo-commission", second.stdout)
    assert third.returncode == 1 and "1 of 5 sources failed (exit 1)." in third.stderr
    for proc in (first, second, third):
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]

"""Ctrl-C or SIGTERM stops `policywatch run` and `policywatch serve` promptly (issue 14, item 5).

Real processes, as an operator runs them, against loopback servers: the demo web, plus a feed
server that holds every request open until the test releases it (so a run is stopped while
fetches are in flight, which once kept a stopped run draining Prefect's thread pool for minutes).
No timing is asserted: each process must have exited within a generous bound, leaving no child
process behind, the store consistent, and a later run must store every item exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from models.tables import Event, Item, Source
from policywatch.demo import DEMO_DIR
from policywatch.demo.server import DemoWeb
from testkit.loopback import free_port
from tests.support.paths import PW
from tests.support.serving import EMPTY_FEED, run_to_the_end, running, wait_for

HELD = 2  # feeds whose requests are held open
DEMO_ITEMS = 9  # what the demo web yields (tests/flows/test_end_to_end.py)


class HeldFeeds:
    """Feeds that answer only once ``release`` is set; ``asked`` counts requests seen."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.asked = 0
        self.all_asked = threading.Event()


@contextmanager
def held_feeds() -> Iterator[tuple[str, HeldFeeds]]:
    state = HeldFeeds()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
            pass

        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            with state.lock:
                state.asked += 1
                if state.asked >= HELD:
                    state.all_asked.set()
            if not state.release.wait(timeout=600):
                return
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(EMPTY_FEED)))
                self.end_headers()
                self.wfile.write(EMPTY_FEED)
            except OSError:  # the stopped run had gone
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


def sources_file(tmp_path: Path, held_base: str) -> Path:
    """The demo's sources ({base} = the demo web, from POLICYWATCH_BASE_URL) plus held feeds."""
    path = tmp_path / "sources.yaml"
    extra = "".join(
        f'\n  - id: held-{n}\n    kind: feed\n    url: "{held_base}/feed-{n}.xml"\n'
        "    private_network: true\n    timeout_seconds: 300\n"
        for n in range(HELD)
    )
    path.write_text((DEMO_DIR / "sources.yaml").read_text() + extra)
    return path


def env_for(tmp_path: Path, web: DemoWeb, sources: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "POLICYWATCH_DATA_DIR": str(tmp_path / "data"),
        "POLICYWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "POLICYWATCH_SOURCES": str(sources),
        "POLICYWATCH_BASE_URL": web.base_url,
        "POLICYWATCH_SUBSCRIPTIONS": str(DEMO_DIR / "subscriptions.yaml"),
        "POLICYWATCH_DEMO_SINK": f"pwfile://{tmp_path / 'alerts.txt'}",
        "POLICYWATCH_WORKERS": "0",
        "PREFECT_HOME": str(tmp_path / "prefect"),
    }
    env.pop("PREFECT_API_URL", None)  # each process its own Prefect, as an operator's would be
    (tmp_path / "data").mkdir(exist_ok=True)
    return env


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def stop_and_wait(proc: subprocess.Popen[bytes], sig: int) -> set[int]:
    """Send ``sig`` to the process alone (as Ctrl-C or `kill` reaches it) and wait for its end; the
    processes it had started must be gone too. Returns them (for the message)."""
    children = descendants(proc.pid)
    assert children, "the process had started no child (its Prefect server, a flow run)"
    proc.send_signal(sig)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        for pid in descendants(proc.pid):
            os.kill(pid, signal.SIGKILL)
        raise AssertionError(f"still running 30 s after {signal.Signals(sig).name}") from None
    left = [pid for pid in children if alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"left behind after {signal.Signals(sig).name}: {left}"
    return children


def store_counts(tmp_path: Path) -> dict[str, Any]:
    engine = create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        with engine.connect() as conn:
            return {
                "items": conn.scalar(select(func.count()).select_from(Item)),
                "distinct_urls": conn.scalar(select(func.count(func.distinct(Item.url)))),
                "events": conn.scalar(select(func.count()).select_from(Event)),
                "distinct_event_keys": conn.scalar(select(func.count(func.distinct(Event.key)))),
                "polled": set(conn.scalars(select(Source.id).where(Source.last_polled_at.is_not(None)))),
            }
    finally:
        engine.dispose()


def run_once(env: dict[str, str], sources: Path) -> dict[str, Any]:
    done = subprocess.run(
        [str(PW), "run", "--sources", str(sources), "--json"], env=env, capture_output=True, timeout=600
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    summary: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return summary


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stopped_run_exits_and_the_next_stores_everything_once(tmp_path: Path, sig: int) -> None:
    with DemoWeb() as web, held_feeds() as (held_base, held):
        sources = sources_file(tmp_path, held_base)
        env = env_for(tmp_path, web, sources)
        subprocess.run([str(PW), "db", "upgrade"], env=env, check=True, capture_output=True)
        log = (tmp_path / "run.log").open("wb")
        proc = subprocess.Popen(
            [str(PW), "run", "--sources", str(sources)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a terminal's Ctrl-C reaches the command, not this test
        )
        try:
            assert held.all_asked.wait(timeout=300), (tmp_path / "run.log").read_text()[-3000:]
            stop_and_wait(proc, sig)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        output = (tmp_path / "run.log").read_text(errors="replace")
        assert proc.returncode == 128 + sig, output[-3000:]
        assert "stopping" in output and "Traceback" not in output, output[-3000:]

        # Consistent: no half-stored source. Whatever the stopped run stored is stored once.
        before = store_counts(tmp_path)
        assert before["items"] == before["distinct_urls"] <= DEMO_ITEMS, before
        assert not before["polled"] & {f"held-{n}" for n in range(HELD)}, before

        held.release.set()
        again = run_once(env, sources)
        after = store_counts(tmp_path)
        assert after["items"] == after["distinct_urls"] == DEMO_ITEMS, after
        assert after["events"] == after["distinct_event_keys"] > 0, after
        assert again["totals"]["new_items"] == DEMO_ITEMS - before["items"], again["totals"]
        assert again["totals"]["failed_sources"] == 0, again
        third = run_once(env, sources)
        assert third["totals"]["new_items"] == 0 and store_counts(tmp_path)["items"] == DEMO_ITEMS


def start_serve(tmp_path: Path, env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
    log = (tmp_path / f"{name}.log").open("wb")
    return subprocess.Popen(
        [str(PW), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def feeds_deployment(api: str) -> dict[str, Any]:
    found: dict[str, Any] = wait_for(
        "the served feeds deployment",
        lambda: next(
            (
                d
                for d in httpx.post(f"{api}/deployments/filter", json={}, timeout=5).json()
                if d["name"] == "monitor-feeds"
            ),
            None,
        ),
    )
    return found


def test_ctrl_c_stops_serve_its_runs_and_its_server(tmp_path: Path) -> None:
    """Ctrl-C on `serve` while a run is held mid-fetch: serve, its Prefect server and the run's
    process all end; the run is recorded Cancelled (not left Running, which would hold the
    deployment's one slot and cancel every later run); after a restart a new run completes."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    with DemoWeb() as web, held_feeds() as (held_base, held):
        sources = sources_file(tmp_path, held_base)
        env = env_for(tmp_path, web, sources) | {
            "POLICYWATCH_PREFECT_PORT": str(port),
            "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        }
        subprocess.run([str(PW), "db", "upgrade"], env=env, check=True, capture_output=True)
        proc = start_serve(tmp_path, env, "serve")
        try:
            feeds = feeds_deployment(api)
            trigger = f"{api}/deployments/{feeds['id']}/create_flow_run"
            for _attempt in range(5):
                # Under load a run can lose the deployment's one slot to a scheduled run that
                # fires at the same moment (CANCEL_NEW), come up late, or the busy server can
                # answer 503 for a moment: ask again, bounded.
                created = httpx.post(trigger, json={}, timeout=30)
                if created.status_code >= 500:
                    time.sleep(2)
                    continue
                assert created.status_code < 300, created.text
                if held.all_asked.wait(timeout=120):
                    break
            runs = httpx.post(f"{api}/flow_runs/filter", json={}, timeout=10).json()
            states = [(r["name"], r["state"]["type"], r["state"].get("message")) for r in runs]
            assert held.all_asked.is_set(), (states, (tmp_path / "serve.log").read_text()[-3000:])
            holder = wait_for("the held run", lambda: running(api, feeds["id"]))
            assert len(holder) == 1, holder
            stop_and_wait(proc, signal.SIGINT)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        log = (tmp_path / "serve.log").read_text(errors="replace")
        assert proc.returncode == 0, log[-3000:]
        with pytest.raises(httpx.HTTPError):  # its server is gone with it
            httpx.get(f"{api}/health", timeout=2)

        held.release.set()
        proc = start_serve(tmp_path, env, "serve-again")
        try:
            feeds = feeds_deployment(api)
            # the held run was recorded Cancelled by the stop itself (not Crashed by the restart's
            # clean-up of runs a killed serve left Running)
            stopped = httpx.get(f"{api}/flow_runs/{holder[0]}", timeout=5).json()["state"]
            assert stopped["type"] == "CANCELLED", stopped
            # its slot is free: a new run is not refused for ever by a run left Running
            trigger = f"{api}/deployments/{feeds['id']}/create_flow_run"
            _run, final = run_to_the_end(api, trigger, feeds["id"])
            assert final["type"] == "COMPLETED", final
            stop_and_wait(proc, signal.SIGTERM)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        after = store_counts(tmp_path)
        assert after["items"] == after["distinct_urls"] == DEMO_ITEMS, after

"""The README's production path, end to end on loopback (issue 14, item 8).

A Prefect server in its own process on its own PostgreSQL database, the store on another, a
process work pool, ``prefect deploy`` from ``deployments/prefect.yaml`` as shipped, and two
``prefect worker start`` processes. Every source is a feed on ONE loopback host that counts the
requests it is answering at once. Four runs are created at once: one of each deployment (feeds,
sites, apis: the sources are split between the three tiers, so three runs poll the same host
truly at the same time), plus a second feeds run, which one-at-a-time (CANCEL_NEW) may refuse.

Each worker takes one run at a time (``--limit 1``) and the host holds every answer until a
second run has said in its log that it waits for the host's slots (which the first run holds
while its requests are held), so those two runs are on two workers: both workers run a flow,
and two processes compete for the host, every time, with no timing in the test. The test waits
only on the host's own record of its requests, the runs' logs and flow-run states (all reach
the API at once; task-run states come through Prefect's event pipeline, which once lagged ten
minutes), each wait bounded at 170 s at most. Then: every item is stored once, every event
once, every alert reaches the webhook once, the host never saw more than
``POLICYWATCH_DOMAIN_CONCURRENCY`` requests at once, no process logged a concurrency warning, and
the host's ``domain:127.0.0.1`` limit exists (the runs created it: nobody else did).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import httpx
import pytest
import yaml
from sqlalchemy import select

from models.db import get_engine, session_factory
from models.migrate import upgrade
from models.tables import Alert, Event, Item
from policywatch.demo import DEMO_DIR
from testkit.loopback import Receiver, free_port
from tests.support.paths import ROOT
from tests.support.postgres import postgres_base_url, reachable
from tests.support.prefect_server import _database_url, create_flow_run

pytestmark = [pytest.mark.postgres, pytest.mark.prefect]

PREFECT = str(Path(sys.executable).parent / "prefect")  # the entry point beside this Python
SLOTS = 2
FEEDS_PER_TIER = 4
ITEMS_PER_FEED = 3
TIERS = ("feeds", "sites", "apis")
HOOK_ENV = "SCALEOUT_TEST_WEBHOOK_URL"  # a subscriptions url_env, not a setting of ours
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
_WORDS = (
    "ministry council regulator consultation guidance roadmap sandbox audit registry standard "
    "procurement transparency oversight committee charter framework inventory evaluation testing "
    "benchmark licence threshold incident reporting liability copyright watermark disclosure "
    "workforce skills compute energy datacentre research grant partnership observatory"
)
WORDS = _WORDS.split()


# --------------------------------------------------------------------------------------------
# Loopback pieces: the counting host, the databases, the processes
# --------------------------------------------------------------------------------------------


class CountingHost:
    """Feeds on one loopback host, answered only once ``gate`` is open; records the largest number
    of requests it was answering at once. A request counts from its arrival until its answer is
    about to be written (never after: the client cannot send its next request before then, so
    the count never includes a request that is already over)."""

    def __init__(self) -> None:
        self.docs: dict[str, bytes] = {}
        self.gate = threading.Event()
        self.lock = threading.Lock()
        self.inflight = 0
        self.peak = 0
        self.paths: list[str] = []
        self.waiting: list[str] = []
        """Paths of the requests held at the gate right now."""
        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                return

            def do_GET(self) -> None:  # noqa: N802 - stdlib naming
                with host.lock:
                    host.inflight += 1
                    host.peak = max(host.peak, host.inflight)
                    host.paths.append(self.path)
                    host.waiting.append(self.path)
                try:
                    host.gate.wait(timeout=600)
                    with host.lock:
                        host.waiting.remove(self.path)
                    time.sleep(0.1)  # answers overlap: several in flight whenever clients allow it
                    body = host.docs.get(self.path.split("?", 1)[0])
                finally:
                    with host.lock:
                        host.inflight -= 1
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> CountingHost:
        self.thread.start()
        return self

    def tiers_waiting(self) -> set[str]:
        """The tiers (so the runs) whose requests are held at the gate now."""
        with self.lock:
            return {tier_of(path) for path in self.waiting}

    def __exit__(self, *exc: object) -> None:
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()


def tier_of(path: str) -> str:
    """The tier whose run asks for this path: /feeds/sites-2.xml is polled by the sites run."""
    return "feeds" if path.startswith("/commission/") else path.rsplit("/", 1)[-1].split("-", 1)[0]


def filler_feed(base: str, name: str, links: list[str], rng: random.Random) -> bytes:
    """An RSS feed whose items are distinct news (no two share text, so none is a duplicate)."""
    items = []
    for n, link in enumerate(links):
        words = " ".join(rng.sample(WORDS, 12))
        items.append(
            f"<item><title>{escape(name)} note {n}: {words[:60]}</title><link>{escape(link)}</link>"
            f"<guid>{escape(link)}</guid><pubDate>Mon, 0{n + 1} Nov 2026 10:00:00 +0000</pubDate>"
            f"<description>{escape(name)} published note {n} on {words}.</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(name)}</title>'
        f"<link>{base}/</link><description>{escape(name)}</description>{''.join(items)}</channel></rss>"
    ).encode()


def serve_sources(host: CountingHost, tmp: Path) -> tuple[Path, int]:
    """Put the feeds on the host and write the sources file (every source on that one host,
    split between the three tiers); returns the file and the number of items served."""
    base = host.base_url
    rng = random.Random(14)
    lines = ["sources:"]
    served = 0

    def source(sid: str, path: str, tier: str) -> None:
        lines.extend(
            [
                f"  - id: {sid}",
                "    kind: feed",
                f'    url: "{base}{path}"',
                f"    tier: {tier}",
                "    private_network: true",
                "    timeout_seconds: 300",  # answers are held until two runs are running
            ]
        )

    # the demo Commission feed: an EU-Japan Digital Partnership Council, which the subscriber wants
    host.docs["/commission/rss.xml"] = (DEMO_DIR / "web" / "commission" / "rss.xml").read_bytes()
    host.docs["/commission/rss.xml"] = host.docs["/commission/rss.xml"].replace(b"{base}", base.encode())
    served += host.docs["/commission/rss.xml"].count(b"<item>")
    source("commission", "/commission/rss.xml", "feeds")
    for tier in TIERS:
        for n in range(FEEDS_PER_TIER):
            sid = f"{tier}-{n}"
            links = [f"{base}/news/{sid}/{k}" for k in range(ITEMS_PER_FEED)]
            host.docs[f"/feeds/{sid}.xml"] = filler_feed(base, f"Outlet {sid}", links, rng)
            served += len(links)
            source(sid, f"/feeds/{sid}.xml", tier)
    path = tmp / "sources.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, served


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """Two fresh databases on the real PostgreSQL: (store URL, Prefect server URL), dropped after
    the test whatever happened. Skipped without PostgreSQL unless POLICYWATCH_REQUIRE_POSTGRES."""
    import psycopg

    base = postgres_base_url()
    if not reachable(base):
        pytest.skip(f"PostgreSQL at {base} is not reachable")
    suffix = uuid.uuid4().hex[:12]
    store, server = f"pw_scaleout_{suffix}", f"pw_prefect_{suffix}"
    with psycopg.connect(base, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{store}"')
        conn.execute(f'CREATE DATABASE "{server}"')
    store_url = _database_url(base, store).replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield store_url, _database_url(base, server).replace("postgresql://", "postgresql+asyncpg://", 1)
    finally:
        get_engine(store_url).dispose()
        with psycopg.connect(base, autocommit=True, connect_timeout=5) as conn:
            for name in (store, server):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (a worker's flow-run processes may sit in groups of their own)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        with suppress(OSError, ValueError, IndexError):
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Processes:
    """The subprocesses this test starts, each in a process group of its own with its output in
    a log file; all stopped by their ids at the end, with anything they started."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("wb") as log:
            proc = subprocess.Popen(
                args, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.started[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for proc in reversed(list(self.started.values())):
            below = descendants(proc.pid)
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            for pid in below:
                with suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)


def cli(args: list[str], env: dict[str, str], what: str, attempts: int = 3) -> str:
    """A Prefect CLI command, asked again (bounded) when a busy server failed it (503 under load)."""
    out = ""
    for _attempt in range(attempts):
        done = subprocess.run(
            args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
        )
        out = done.stdout + done.stderr
        if done.returncode == 0:
            return out
        time.sleep(3)
    raise AssertionError(f"{what} failed:\n{out[-3000:]}")


def wait_for(what: str, check: Callable[[], Any], timeout: float = 300.0, every: float = 1.0) -> Any:
    """Poll ``check`` until it returns something true; bounded, never a timed assertion."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with suppress(httpx.HTTPError, ValueError):
            value = check()
            if value:
                return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def ran_on(api: str, run_ids: list[str]) -> dict[str, str]:
    """Flow run id -> the worker that ran it: the ``prefect.worker.name`` label the worker gives a
    run once it has won it (its Pending state accepted), before starting its process. (Each
    worker's "Worker 'x' submitting flow run" log line is no proof: both workers write it for a
    run they race for, and the loser then lets it go.)"""
    found = httpx.post(
        f"{api}/flow_runs/filter", json={"flow_runs": {"id": {"any_": run_ids}}}, timeout=10
    ).json()
    return {r["id"]: name for r in found if (name := (r.get("labels") or {}).get("prefect.worker.name"))}


def slot_waits(api: str, run_ids: list[str]) -> list[tuple[str, str]]:
    """(flow run id, line) for each "domain:127.0.0.1: its N slot(s) are taken (by other runs or
    batches); waiting" line the runs logged (``flows.host_slots``): a batch refused the slots."""
    logs = httpx.post(
        f"{api}/logs/filter",
        json={"logs": {"flow_run_id": {"any_": run_ids}, "level": {"ge_": 20}}, "limit": 200},
        timeout=10,
    ).json()
    return [
        (entry["flow_run_id"], entry["message"])
        for entry in logs
        if entry["message"].startswith("domain:127.0.0.1: ")
        and "(by other runs or batches); waiting" in entry["message"]
    ]


def absolute_paths(node: Any) -> list[str]:
    """Strings in a YAML document that are absolute filesystem paths (frozen into the file)."""
    if isinstance(node, dict):
        return [p for v in node.values() for p in absolute_paths(v)]
    if isinstance(node, list):
        return [p for v in node for p in absolute_paths(v)]
    return [node] if isinstance(node, str) and (node.startswith(("/", "~")) or node[1:3] == ":\\") else []


# --------------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------------


def test_two_workers_on_postgres_store_and_alert_once_and_stay_polite(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    store_url, server_db = databases
    prefect_yaml = ROOT / "deployments" / "prefect.yaml"
    assert absolute_paths(yaml.safe_load(prefect_yaml.read_text())) == []  # nothing frozen in the file
    upgrade(store_url)
    logs = tmp_path / "logs"
    logs.mkdir()
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    subs = tmp_path / "subscriptions.yaml"
    subs.write_text(
        "subscribers:\n  - name: scale-out\n    channels:\n      - name: webhook\n"
        f"        url_env: {HOOK_ENV}\n    filters:\n      event_types: [dpc_meeting, summit]\n"
    )
    procs = Processes(logs)
    with CountingHost() as host, Receiver() as hook:
        sources, served = serve_sources(host, tmp_path)
        # This process's environment (PYTHONPATH included) handed down to every child, without
        # its POLICYWATCH_* and PREFECT_* variables: in the full suite an earlier test's
        # in-process CLI had left PREFECT_LOGGING_LEVEL=WARNING in it, so the runs never logged
        # (nor sent to the API) the INFO line saying they wait for the host's slots.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(("POLICYWATCH_", "PREFECT_"))}
        base_env = {
            **inherited,
            "PREFECT_LOGGING_LEVEL": "INFO",
            "PREFECT_API_URL": api,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "POLICYWATCH_HOME": str(ROOT),  # what the deployments' pull step works in
            "POLICYWATCH_DATABASE_URL": store_url,
            "POLICYWATCH_SOURCES": str(sources),
            "POLICYWATCH_SUBSCRIPTIONS": str(subs),
            "POLICYWATCH_DATA_DIR": str(tmp_path / "data"),
            "POLICYWATCH_DOMAIN_CONCURRENCY": str(SLOTS),
            "POLICYWATCH_FEEDS_PER_TASK": "50",  # one batch per run: a run holds the slots or waits
            HOOK_ENV: f"json://127.0.0.1:{hook.port}/scale-out",
        }

        def env(name: str, **extra: str) -> dict[str, str]:
            return {**base_env, "PREFECT_HOME": str(tmp_path / f"prefect-{name}"), **extra}

        try:
            server = procs.start(
                "server",
                [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                env(
                    "server",
                    PREFECT_SERVER_DATABASE_CONNECTION_URL=server_db,
                    PREFECT_UI_ENABLED="false",
                    # no scheduled runs of the crons: only the runs this test creates
                    PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false",
                ),
            )

            def server_up() -> bool:
                if server.poll() is not None:
                    pytest.fail(f"the Prefect server exited with code {server.returncode}")
                return httpx.get(f"{api}/health", timeout=5).status_code == 200

            wait_for("the Prefect server to answer", server_up, timeout=150)
            # Deployed from "another machine" whose checkout is elsewhere: nothing of it may end up in
            # the deployments, which run in each worker's own POLICYWATCH_HOME.
            cli_env = env("cli", POLICYWATCH_HOME=str(tmp_path / "deploying-machine" / "checkout"))
            pool = [PREFECT, "work-pool", "create", "policywatch", "--type", "process", "--overwrite"]
            cli(pool, cli_env, "prefect work-pool create")
            deploy = [PREFECT, "--no-prompt", "deploy", "--all", "--prefect-file", str(prefect_yaml)]
            cli(deploy, cli_env, "prefect deploy")
            deployments = {
                d["name"]: d for d in httpx.post(f"{api}/deployments/filter", json={}, timeout=30).json()
            }
            assert set(deployments) == {f"monitor-{tier}" for tier in TIERS}
            for d in deployments.values():  # the pull steps as written: resolved where the run happens
                assert d["pull_steps"] == yaml.safe_load(prefect_yaml.read_text())["pull"], d["pull_steps"]
                assert "deploying-machine" not in json.dumps(d)
                assert d["work_pool_name"] == "policywatch"
            for name in ("a", "b"):
                procs.start(
                    f"worker-{name}",
                    # one run at a time each: two runs running at once are on two workers
                    [PREFECT, "worker", "start", "--pool", "policywatch", "--name", f"pw-worker-{name}"]
                    + ["--type", "process", "--limit", "1"],
                    env(f"worker-{name}", PREFECT_WORKER_QUERY_SECONDS="2"),
                )
            wait_for(
                "two workers polling the pool",
                lambda: (
                    len(
                        httpx.post(f"{api}/work_pools/policywatch/workers/filter", json={}, timeout=10).json()
                    )
                    >= 2
                ),
                timeout=150,
            )

            # Several runs at once: one of each deployment, and a second feeds run.
            order = ["monitor-feeds", "monitor-sites", "monitor-apis", "monitor-feeds"]
            runs = [
                create_flow_run(f"{api}/deployments/{deployments[name]['id']}/create_flow_run")
                for name in order
            ]
            ids = [r["id"] for r in runs]
            names = {i: f"{name} ({n})" for n, (i, name) in enumerate(zip(ids, order, strict=True))}

            def states() -> dict[str, dict[str, Any]]:
                found = httpx.post(
                    f"{api}/flow_runs/filter", json={"flow_runs": {"id": {"any_": ids}}}, timeout=10
                ).json()
                return {r["id"]: r["state"] or {} for r in found}

            def contended() -> tuple[str, str | None, str | None] | None:
                """Two runs (so two workers) compete for the host, seen on reliable signals: the
                host's own record of the requests it holds, the runs' logs and flow-run states
                (they reach the API within seconds; the task-run states the UI shows come
                through Prefect's event pipeline, which once lagged ten minutes). Either the host
                holds more requests than its slots (no shared limit), or, while it holds some, a
                running run has logged that it waits for the host's slots and exactly one other
                run is running: that one holds them (each run polls the host in ONE batch, so a
                run that waits holds nothing, and a run whose requests are held never waited)."""
                with host.lock:
                    held = len(host.waiting)
                if held > SLOTS:
                    return f"{held} requests held at once", None, None
                if not held:
                    return None
                running = {i for i, st in states().items() if st.get("type") == "RUNNING"}
                for run_id, line in slot_waits(api, ids):
                    others = running - {run_id}
                    if run_id in running and len(others) == 1:
                        holder = others.pop()
                        said = f"{names[run_id]} waited while {names[holder]} held the host's slots: {line}"
                        return said, run_id, holder
                return None

            contention, waiter, holder = wait_for(
                "two runs competing for the host", contended, timeout=150, every=0.5
            )
            host.gate.set()  # the host answers from now on
            final = wait_for(
                "every run to end",
                lambda: (s := states()) and all(x.get("type") in TERMINAL for x in s.values()) and s,
                timeout=170,
            )
            submitted_by = ran_on(api, ids)
            limits = httpx.post(f"{api}/v2/concurrency_limits/filter", json={}, timeout=10).json()
        except BaseException:
            with suppress(Exception):  # what the API and the host saw, for the failure's report
                print(f"states: {states()}\nheld at the host: {host.tiers_waiting()}")
                print(f"slot waits: {slot_waits(api, ids)}")
            for name in procs.started:
                print(f"----- {name} -----\n{procs.log(name)[-4000:]}")
            raise
        finally:
            procs.stop_all()
        posts = list(hook.received)

    kinds = {i: final[i]["type"] for i in ids}
    print(  # shown with -s, and with a failure: what the runs did
        f"runs: {[(n, kinds[i], submitted_by.get(i)) for i, n in zip(ids, order, strict=True)]}; "
        f"requests: {len(host.paths)}; most at once: {host.peak}; alerts posted: {len(posts)}; "
        f"contention: {contention}"
    )
    for i, name in zip(ids, order, strict=True):
        if name == "monitor-feeds" and kinds[i] == "CANCELLED":  # one at a time refused it
            assert "concurrency limit" in (final[i].get("message") or ""), final[i]
        else:
            assert kinds[i] == "COMPLETED", (name, final[i])
    assert any(kinds[i] == "COMPLETED" for i, n in zip(ids, order, strict=True) if n == "monitor-feeds")

    # Both workers ran a flow to the end (the two runs running at once were on two workers).
    completed = {i for i in ids if kinds[i] == "COMPLETED"}
    ran = {worker for i, worker in submitted_by.items() if i in completed}
    assert ran == {"pw-worker-a", "pw-worker-b"}, submitted_by
    # The run that waited for the host's slots and the run holding them were on two workers.
    assert waiter is not None and holder is not None, contention  # (None: more requests than slots)
    assert submitted_by[waiter] != submitted_by[holder], (contention, submitted_by)

    # Politeness across workers: never more requests to the host at once than its slots.
    assert 1 <= host.peak <= SLOTS, host.peak
    # No concurrency warning anywhere: no missing limit, lost lease, wait given up or refusal error.
    noise = (
        "do not exist",
        "lease renewal failed",
        "no free slot after",
        "slots not",
        "failed to process item",
    )
    for warning in noise:
        assert not [n for n in procs.started if warning in procs.log(n)], warning

    # The runs created the host's limit (nobody else did), with the configured slots.
    assert {"name": "domain:127.0.0.1", "limit": SLOTS} in [
        {"name": x["name"], "limit": x["limit"]} for x in limits
    ]

    # Every item once, every event once, every alert once.
    with session_factory(store_url)() as s:
        urls = s.scalars(select(Item.canonical_url)).all()
        keys = s.scalars(select(Event.key)).all()
        events = {e.id: e for e in s.scalars(select(Event))}
        alerts = s.scalars(select(Alert)).all()
    assert len(urls) == len(set(urls)) == served
    assert len(keys) == len(set(keys)) and keys
    assert alerts and all(a.status == "sent" and a.attempts == 1 for a in alerts)
    assert len({(a.event_id, a.subscriber, a.channel) for a in alerts}) == len(alerts)
    assert any(events[a.event_id].type == "dpc_meeting" for a in alerts)
    assert len(posts) == len(alerts) and all(status == 200 for status, _body in posts)

"""Alert latency: from an item appearing on a loopback feed to the email arriving at a loopback
SMTP server. Target: at most the poll interval + 5 s.

Two figures, side by side:

* served: ``policywatch serve`` in its own process, with its own local Prefect server, the
  ``monitor-feeds`` deployment scheduled every SERVED_INTERVAL seconds; what an operator runs.
  Each scheduled run is a flow run in a fresh process (Prefect's runner), so this includes
  Prefect's scheduling and process start-up.
* pipeline only: the monitor's own steps (conditional GET, store, outbox, delivery) as plain
  functions in a loop every POLL_INTERVAL seconds; the share of the latency that is ours.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from bench.common import Config, Figure, dispose, figure, free_port, log, serving, sqlite_store

NAME = "alert_latency"
POLL_INTERVAL = 2.0
SERVED_INTERVAL = 15.0

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Latency feed</title><link>http://example.org/</link>
<description>bench</description>{items}</channel></rss>
"""
ITEM = """<item><title>{title}</title><link>http://example.org/{slug}</link><guid>{slug}</guid>
<pubDate>{date}</pubDate><description>{text}</description></item>"""


def meeting(n: int) -> str:
    ordinal = ["fifth", "sixth", "seventh", "eighth", "ninth"][n % 5]
    return ITEM.format(
        title=f"EU and Japan to hold {ordinal} Digital Partnership Council in Tokyo ({n})",
        slug=f"dpc-{n}",
        date=format_datetime(datetime.now(UTC)),
        text=f"The European Union and Japan will hold the {ordinal} meeting of the EU-Japan Digital "
        f"Partnership Council in Tokyo in {2030 + n}. Ministers will discuss artificial intelligence.",
    )


def run(cfg: Config) -> list[Figure]:
    return served(cfg) + pipeline_only(cfg)


def _setup(work: Path) -> tuple[Path, Any, Any, Path, str]:
    """An empty feed file to serve, a loopback SMTP server and a subscriptions file that mails
    DPC meetings to it: (feed, inbox, controller, subscriptions file, mail URL)."""
    from aiosmtpd.controller import Controller

    from testkit.loopback import SMTPInbox

    (work / "web").mkdir(parents=True, exist_ok=True)
    feed = work / "web" / "feed.xml"
    feed.write_text(FEED.format(items=""), encoding="utf-8")
    inbox, port = SMTPInbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    subs_path = work / "subscriptions.yaml"
    subs_path.write_text(
        "subscribers:\n  - name: desk\n    channels:\n      - name: mail\n        url_env: BENCH_MAIL\n"
        "    filters: {event_types: [dpc_meeting]}\n",
        encoding="utf-8",
    )
    return (
        feed,
        inbox,
        controller,
        subs_path,
        f"mailto://127.0.0.1:{port}?from=w@example.com&to=d@example.com",
    )


def _measure(inbox: Any, feed: Path, rounds: int, interval: float, wait: float) -> list[float]:
    """Publish one meeting per round; seconds until its mail arrives (rounds land at different
    points of the poll cycle)."""
    latencies: list[float] = []
    items = ""
    for n in range(rounds):
        before = len(inbox.messages)
        items += meeting(n)
        feed.write_text(FEED.format(items=items), encoding="utf-8")
        appeared = time.monotonic()
        deadline = appeared + interval + wait
        while len(inbox.messages) == before and time.monotonic() < deadline:
            time.sleep(0.02)
        if len(inbox.messages) > before:
            latencies.append(time.monotonic() - appeared)
        else:
            log(f"round {n}: no alert within {interval + wait:.0f} s")
        time.sleep(interval * 0.37)  # offset the next appearance within the poll cycle
    return latencies


def served(cfg: Config) -> list[Figure]:
    from policywatch.demo.server import DemoWeb

    rounds = cfg.size(2, 4, 8)
    work = cfg.workdir / "alert_latency_served"
    feed, inbox, controller, subs_path, mail_url = _setup(work)
    db_url = sqlite_store(work / "store.db")
    port = free_port()
    latencies: list[float] = []
    with DemoWeb(root=work / "web") as web:
        sources = work / "sources.yaml"
        sources.write_text(
            f"sources:\n  - id: latency\n    kind: feed\n    tier: feeds\n    url: {web.base_url}/feed.xml\n"
            "    private_network: true\n",
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "PREFECT_HOME": str(work / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_RUNNER_POLL_FREQUENCY": "2",
            "POLICYWATCH_PREFECT_PORT": str(port),
            "POLICYWATCH_DATA_DIR": str(work),
            "POLICYWATCH_DATABASE_URL": db_url,
            "POLICYWATCH_SOURCES": str(sources),
            "POLICYWATCH_SUBSCRIPTIONS": str(subs_path),
            "POLICYWATCH_EVERY_FEEDS": str(SERVED_INTERVAL),
            "POLICYWATCH_ADAPTIVE": "0",
            "BENCH_MAIL": mail_url,
        }
        env.pop("PREFECT_API_URL", None)
        log_path = work / "serve.log"
        with serving(env, log_path):
            started = time.monotonic()
            if not _first_run_done(db_url, timeout=240):
                log(f"no scheduled run completed within 240 s; see {log_path}")
            else:
                log(f"served: first scheduled run done {time.monotonic() - started:.0f} s after start")
                latencies = _measure(inbox, feed, rounds, SERVED_INTERVAL, 60)
    controller.stop()
    dispose(db_url)
    log(f"served: {len(latencies)}/{rounds} alerts arrived; latencies {[round(x, 2) for x in latencies]} s")
    worst = max(latencies) if len(latencies) == rounds else None
    return [
        figure(
            NAME,
            f"served deployment, median (runs every {SERVED_INTERVAL:g} s)",
            statistics.median(latencies) if latencies else None,
            "s",
        ),
        figure(NAME, "served deployment, worst", worst, "s", target=("<=", SERVED_INTERVAL + 5)),
    ]


def _first_run_done(db_url: str, timeout: float) -> bool:
    """The source's validators are stored once a scheduled run has polled the (empty) feed."""
    from sqlalchemy import select

    from models.db import session_factory
    from models.tables import Source

    factory = session_factory(db_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with factory() as session:
            if session.scalar(select(Source.last_polled_at).where(Source.id == "latency")):
                return True
        time.sleep(0.5)
    return False


def pipeline_only(cfg: Config) -> list[Figure]:
    from alerts.deliver import deliver_pending
    from alerts.subscriptions import load_subscriptions
    from core.sources_config import FeedSource
    from models.db import session_factory
    from pipeline.intel.rules_loading import load_rules
    from policywatch.demo.server import DemoWeb
    from services.ingest import fetch_feed, ingest_feed_response

    rounds = cfg.size(2, 4, 8)
    work = cfg.workdir / "alert_latency"
    feed, inbox, controller, subs_path, mail_url = _setup(work)
    subs = load_subscriptions(subs_path, environ={"BENCH_MAIL": mail_url})
    rules = load_rules()
    factory = session_factory(sqlite_store(work / "store.db"))
    stop = threading.Event()
    latencies: list[float] = []
    with DemoWeb(root=work / "web") as web:
        source = FeedSource(id="latency", kind="feed", url=f"{web.base_url}/feed.xml", private_network=True)

        def poller() -> None:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    result = fetch_feed(factory, source)
                    ingest_feed_response(factory, source, result, subs, rules)
                    deliver_pending(factory, subs)
                except Exception as exc:  # boundary: logged; keep polling, as the served deployment would
                    log(f"poll failed: {exc}")
                stop.wait(max(0.0, POLL_INTERVAL - (time.monotonic() - started)))

        thread = threading.Thread(target=poller, daemon=True)
        thread.start()
        time.sleep(POLL_INTERVAL * 1.5)  # warm: first poll done, validators stored
        latencies = _measure(inbox, feed, rounds, POLL_INTERVAL, 30)
        stop.set()
        thread.join(timeout=10)
    controller.stop()
    shown = [round(x, 2) for x in latencies]
    log(f"pipeline only: {len(latencies)}/{rounds} alerts arrived; latencies {shown} s")
    worst = max(latencies) if latencies else None
    median = statistics.median(latencies) if latencies else None
    return [
        figure(NAME, f"pipeline only, median (poll every {POLL_INTERVAL:g} s)", median, "s"),
        figure(NAME, "pipeline only, worst", worst, "s", target=("<=", POLL_INTERVAL + 5)),
    ]

"""Alert latency: from an item appearing on a loopback feed to the email arriving at a loopback
SMTP server, while a poller runs the monitor's own steps (conditional GET, store, outbox,
delivery) every POLL_INTERVAL seconds. Target: at most the poll interval + 5 s.

It drives the plain functions the served `monitor` flow calls (a Prefect server would add
its scheduling latency, which its own settings control: PREFECT_RUNNER_POLL_FREQUENCY).
"""

from __future__ import annotations

import statistics
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime

from bench.common import Config, Figure, figure, log, sqlite_store

NAME = "alert_latency"
POLL_INTERVAL = 2.0

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
    from aiosmtpd.controller import Controller

    from alerts.deliver import deliver_pending
    from alerts.subscriptions import load_subscriptions
    from models.db import session_factory
    from pipeline.rules import load_rules
    from policywatch.demo.server import DemoWeb
    from policywatch.ingest import fetch_feed, ingest_feed_response
    from policywatch.sources_config import FeedSource
    from tests.loopback import SMTPInbox, free_port

    rounds = cfg.size(2, 4, 8)
    work = cfg.workdir / "alert_latency"
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
    subs = load_subscriptions(
        subs_path, environ={"BENCH_MAIL": f"mailto://127.0.0.1:{port}?from=w@example.com&to=d@example.com"}
    )
    rules = load_rules()
    factory = session_factory(sqlite_store(work / "store.db"))
    stop = threading.Event()
    latencies: list[float] = []
    with DemoWeb(root=work / "web") as web:
        source = FeedSource(id="latency", kind="feed", url=f"{web.base_url}/feed.xml")

        def poller() -> None:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    result = fetch_feed(factory, source)
                    ingest_feed_response(factory, source, result, subs, rules)
                    deliver_pending(factory, subs)
                except Exception as exc:  # keep polling, as the served deployment would
                    log(f"poll failed: {exc}")
                stop.wait(max(0.0, POLL_INTERVAL - (time.monotonic() - started)))

        thread = threading.Thread(target=poller, daemon=True)
        thread.start()
        time.sleep(POLL_INTERVAL * 1.5)  # warm: first poll done, validators stored
        items = ""
        for n in range(rounds):
            before = len(inbox.messages)
            items += meeting(n)
            feed.write_text(FEED.format(items=items), encoding="utf-8")
            appeared = time.monotonic()
            deadline = appeared + POLL_INTERVAL + 30
            while len(inbox.messages) == before and time.monotonic() < deadline:
                time.sleep(0.02)
            if len(inbox.messages) > before:
                latencies.append(time.monotonic() - appeared)
            # offset the next appearance within the poll cycle
            time.sleep(POLL_INTERVAL * 0.37)
        stop.set()
        thread.join(timeout=10)
    controller.stop()
    log(f"{len(latencies)}/{rounds} alerts arrived; latencies {[round(x, 2) for x in latencies]} s")
    worst = max(latencies) if latencies else None
    median = statistics.median(latencies) if latencies else None
    return [
        figure(NAME, f"alert latency, median (poll every {POLL_INTERVAL:g} s)", median, "s"),
        figure(NAME, "alert latency, worst", worst, "s", target=("<=", POLL_INTERVAL + 5)),
    ]

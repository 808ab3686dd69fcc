"""The offline end-to-end demo: the bundled demo web on loopback, two monitor runs, alerts
to a local file (and to real channels when the user sets their Apprise URLs)."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from rich.console import Console

DEMO_DIR = Path(__file__).resolve().parent
DEMO_PORT = 8765


def _start_web() -> object:
    from policywatch.demo.server import DemoWeb

    try:
        return DemoWeb(port=int(os.environ.get("POLICYWATCH_DEMO_PORT", DEMO_PORT)))
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        return DemoWeb(port=0)  # the usual port is busy: any free one (content dedup still holds)


def run_demo(console: Console, keep_serving: bool = False) -> list[dict[str, object]]:
    from flows.monitor import monitor
    from models.db import redact_url
    from models.migrate import upgrade
    from policywatch.cli import print_summary
    from policywatch.demo.server import DemoWeb
    from policywatch.settings import data_dir, database_url
    from policywatch.terminal import plain

    sink = data_dir() / "demo-alerts.txt"
    os.environ["POLICYWATCH_DEMO_SINK"] = f"pwfile://{sink}"
    os.environ.setdefault("POLICYWATCH_SUBSCRIPTIONS", str(DEMO_DIR / "subscriptions.yaml"))
    upgrade()
    console.print(f"[bold]AI Policy Watch demo[/] — store: {plain(redact_url(database_url()))}")
    offset = sink.stat().st_size if sink.exists() else 0
    summaries: list[dict[str, object]] = []
    web = _start_web()
    assert isinstance(web, DemoWeb)
    with web:
        console.print(f"Demo web (offline, bundled) serving on {web.base_url}")
        for run_no, label in ((1, "first poll"), (2, "second poll: nothing changed")):
            summary = monitor(sources_file=str(DEMO_DIR / "sources.yaml"), base_url=web.base_url)
            print_summary(summary, f"Run {run_no} ({label})")
            summaries.append(summary)
        if keep_serving:
            console.print(f"Demo web still serving on {web.base_url} — Ctrl-C to stop.")
            with contextlib.suppress(KeyboardInterrupt):
                web.thread.join()
    new_alerts = sink.read_text(encoding="utf-8")[offset:] if sink.exists() else ""
    console.print(
        f"\n[bold]Alerts delivered to {plain(sink)}[/] (plus any channel you set in "
        "POLICYWATCH_EMAIL_URL / POLICYWATCH_SLACK_URL):"
    )
    console.print(
        new_alerts.strip() or "(no new alerts this time: they were sent by an earlier demo run)",
        highlight=False,
        markup=False,
    )
    console.print("\nLook around: policywatch items | policywatch events | policywatch alerts (add --json)")
    return summaries

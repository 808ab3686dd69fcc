"""The offline end-to-end demo: the bundled demo web on loopback, two monitor runs, alerts
to a local file (and to real channels when the user sets their Apprise URLs)."""

from __future__ import annotations

import contextlib
import errno
import os
import shlex
import shutil
import sys
from pathlib import Path

from rich.console import Console

from core.config import current
from policywatch.demo.server import DemoWeb

DEMO_DIR = Path(__file__).resolve().parent


def _start_web() -> object:
    from policywatch.demo.server import DemoWeb

    try:
        return DemoWeb(port=current().demo_port)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        return DemoWeb(port=0)  # the usual port is busy: any free one (content dedup still holds)


def start_demo_web(wanted: int) -> tuple[DemoWeb, str]:
    """The demo web on ``wanted`` (0: any free port), or on a free port when it is busy; and what
    to say about it (" (port 8765 is busy)"), so a moved demo never goes unnoticed."""
    try:
        return DemoWeb(port=wanted), ""
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        return DemoWeb(port=0), f" (port {wanted} is busy)"


def demo_home() -> Path:
    """Where the demo keeps its own store and files: ``demo/`` inside the data directory, never
    the user's store (its loopback sources and items would show in their views and feeds)."""
    from core.settings import data_dir

    return data_dir() / "demo"


def isolate(home: Path) -> None:
    """A fresh demo home, and this process pointed at it: store, data folder, subscriptions."""
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    os.environ["POLICYWATCH_DATA_DIR"] = str(home)
    os.environ["POLICYWATCH_DATABASE_URL"] = f"sqlite:///{home / 'policywatch.db'}"
    os.environ["POLICYWATCH_SUBSCRIPTIONS"] = str(DEMO_DIR / "subscriptions.yaml")


def look_around_commands(home: Path) -> list[str]:
    """Commands that show the demo's store, as they can be pasted into a fresh shell."""
    entry = Path(sys.argv[0]).resolve() if sys.argv and Path(sys.argv[0]).exists() else Path("policywatch")
    prefix = (
        f"POLICYWATCH_DATA_DIR={shlex.quote(str(home))} POLICYWATCH_DATABASE_URL= {shlex.quote(str(entry))}"
    )
    return [f"{prefix} {view}" for view in ("items", "events", "alerts")]


def run_demo(console: Console, keep_serving: bool = False) -> list[dict[str, object]]:
    from flows.monitor import run_monitor
    from models.migrate import upgrade
    from policywatch.demo.server import DemoWeb
    from policywatch.terminal import plain, print_summary

    home = demo_home()
    isolate(home)
    sink = home / "demo-alerts.txt"
    os.environ["POLICYWATCH_DEMO_SINK"] = f"pwfile://{sink}"
    upgrade()
    console.print(
        f"[bold]AI Policy Watch demo[/] — its own store and files, fresh each time: {plain(home)}\n"
        "(your own store is not touched)"
    )
    offset = 0
    summaries: list[dict[str, object]] = []
    web = _start_web()
    assert isinstance(web, DemoWeb)
    with web:
        wanted = current().demo_port
        moved = "" if not wanted or web.base_url.endswith(f":{wanted}") else f" (port {wanted} is busy)"
        console.print(f"Demo web (offline, bundled) serving on {web.base_url}{moved}")
        for run_no, label in ((1, "first poll"), (2, "second poll: nothing changed")):
            summary = run_monitor(sources_file=str(DEMO_DIR / "sources.yaml"), base_url=web.base_url)
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
    console.print(new_alerts.strip() or "(no alerts)", highlight=False, markup=False)
    console.print("\nLook around the demo's store (add --json for JSON lines):")
    for command in look_around_commands(home):
        console.print("  " + command, highlight=False, markup=False, soft_wrap=True)
    return summaries

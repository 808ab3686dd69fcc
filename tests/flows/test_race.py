"""Two monitor runs in two OS processes at once, on the real PostgreSQL, over the same sources:
every item stored once, every event once, every alert sent once."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sqlalchemy import func, select

from models.db import session_factory
from models.migrate import upgrade
from models.tables import Alert, Event, Item
from policywatch.demo import DEMO_DIR
from policywatch.demo.server import DemoWeb
from tests.support.paths import PW


def test_two_concurrent_runs_store_and_alert_once(postgres_url: str, tmp_path: Path) -> None:
    upgrade(postgres_url)
    sink = tmp_path / "alerts.txt"
    with DemoWeb() as web:
        sources = tmp_path / "sources.yaml"
        sources.write_text((DEMO_DIR / "sources.yaml").read_text().replace("{base}", web.base_url))
        procs = []
        for n in range(2):
            env = {
                **os.environ,
                "POLICYWATCH_DATABASE_URL": postgres_url,
                "POLICYWATCH_SUBSCRIPTIONS": str(DEMO_DIR / "subscriptions.yaml"),
                "POLICYWATCH_DEMO_SINK": f"pwfile://{sink}",
                "PREFECT_HOME": str(tmp_path / f"prefect-{n}"),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            }
            procs.append(
                subprocess.Popen(
                    [str(PW), "run", "--sources", str(sources), "--json"],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        outputs = [p.communicate(timeout=240) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err[-2000:]
    with session_factory(postgres_url)() as s:
        urls = s.scalars(select(Item.canonical_url)).all()
        keys = s.scalars(select(Event.key)).all()
        alerts = s.scalars(select(Alert)).all()
        assert (s.scalar(select(func.count()).select_from(Item)) or 0) >= 9
    assert len(urls) == len(set(urls))
    assert len(keys) == len(set(keys))
    assert len(alerts) == 2 and all(a.status == "sent" and a.attempts == 1 for a in alerts)
    assert sink.read_text().count("=== ") == 2  # each alert delivered once, by one of the two runs

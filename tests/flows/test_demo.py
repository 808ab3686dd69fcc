"""`policywatch demo` leaves the user's store alone: its own store and files, fresh each time."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.paths import PW


def test_demo_runs_in_its_own_fresh_home_and_prints_commands_that_work(tmp_path: Path) -> None:
    data = tmp_path / "data"
    stale = data / "demo" / "left-from-last-time.txt"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    env = {k: v for k, v in os.environ.items() if k != "POLICYWATCH_DATABASE_URL"}
    env.update(POLICYWATCH_DATA_DIR=str(data), POLICYWATCH_DEMO_PORT="0", COLUMNS="200")
    proc = subprocess.run(
        [str(PW), "demo"], capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    home = data / "demo"
    assert (home / "policywatch.db").is_file() and not stale.exists()
    assert not (data / "policywatch.db").exists() and not (tmp_path / "data" / "demo-alerts.txt").exists()
    assert "Run 1 (first poll)" in proc.stdout and str(home) in proc.stdout
    commands = [line.strip() for line in proc.stdout.splitlines() if "POLICYWATCH_DATA_DIR=" in line]
    assert len(commands) == 3, proc.stdout[-2000:]
    events = subprocess.run(
        ["sh", "-c", commands[1] + " --json"], capture_output=True, text=True, timeout=120, env=env, cwd="/"
    )
    assert events.returncode == 0 and events.stdout.count('"type"') >= 2, events.stderr

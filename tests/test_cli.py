"""The command line as a user runs it (subprocesses of the installed entry point)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS, SHARED, need_shared

PW = Path(sys.executable).parent / "policywatch"


def pw(*args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(PW), *args], capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"policywatch {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return proc


@pytest.fixture
def seeds_jsonl(tmp_path: Path) -> Path:
    need_shared()
    out = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "seeds_jsonl.py"), str(SEEDS)],
        capture_output=True,
        text=True,
        check=True,
    )
    path = tmp_path / "seeds.jsonl"
    path.write_text(out.stdout, encoding="utf-8")
    return path


def test_classify_prints_one_json_line_per_input(seeds_jsonl: Path) -> None:
    proc = pw("classify", str(seeds_jsonl))
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 5
    for row in rows:
        assert {"id", "ai_policy", "event_type", "jurisdictions", "events", "evidence"} <= set(row)
        assert all({"type", "name", "date", "location"} <= set(e) for e in row["events"])
    labels = json.loads((SEEDS / "labels.json").read_text())
    assert {r["id"]: r["event_type"] for r in rows} == {
        k: v["primary"] for k, v in labels.items() if not k.startswith("_")
    }


def test_import_then_views(seeds_jsonl: Path) -> None:
    pw("db", "upgrade")
    first = pw("import", str(seeds_jsonl))
    assert "5 new items" in first.stdout
    again = pw("import", str(seeds_jsonl))  # re-running stores nothing twice
    assert "0 new items" in again.stdout and "5 already stored" in again.stdout
    items = [json.loads(line) for line in pw("items", "--json").stdout.splitlines()]
    assert len(items) == 5
    need = {"id", "external_id", "url", "title", "published", "source", "event_type", "story_id", "event_ids"}
    assert all(need <= set(row) for row in items)
    by_ext = {row["external_id"]: row for row in items}
    wp = by_ext["003_9a28a8427220db8b.txt"]
    assert wp["url"].startswith("https://ioplus.nl/archive/en/unraveling")
    assert wp["published"] == "2023-11-16T13:00:00Z" and wp["source"] == "import"
    events = [json.loads(line) for line in pw("events", "--json").stdout.splitlines()]
    assert events and all({"id", "type", "name", "date", "location", "item_ids"} <= set(e) for e in events)
    linked = {i for e in events for i in e["item_ids"]}
    assert linked <= {row["id"] for row in items}
    assert {row["id"] for row in items if row["event_ids"]} == linked
    alerts = [json.loads(line) for line in pw("alerts", "--json").stdout.splitlines()]
    assert all({"id", "subscriber", "event_id", "channel", "status", "attempts"} <= set(a) for a in alerts)


def test_unreachable_database_is_one_sentence() -> None:
    proc = pw(
        "items",
        "--json",
        env={"POLICYWATCH_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
        check=False,
    )
    assert proc.returncode == 1
    assert "Cannot reach the database at postgresql+psycopg://nobody@127.0.0.1:1/none" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_views_before_upgrade_say_what_to_do() -> None:
    proc = pw("events", "--json", check=False)
    assert proc.returncode == 1 and "policywatch db upgrade" in proc.stderr


def test_bad_config_names_file_line_field(tmp_path: Path) -> None:
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources:\n  - id: x-feed\n    kind: rss\n    url: http://x.org/feed\n")
    proc = pw("run", "--sources", str(bad), check=False)
    assert proc.returncode == 2
    assert f"{bad}:2: sources[0](x-feed)" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_import_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1, "title": "a", "text": "b"}\n{"id": 2, "title": "no text"}\n')
    proc = pw("import", str(path), check=False)
    assert proc.returncode == 2 and f"{path}:2: missing field(s) text" in proc.stderr


def test_unknown_only_or_tier_is_an_error_naming_the_valid_values() -> None:
    proc = pw("run", "--only", "no-such-source", check=False)
    assert proc.returncode == 2 and "no-such-source" in proc.stderr and "nist-news" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = pw("run", "--tier", "nope", check=False)
    assert proc.returncode == 2 and "feeds, sites" in proc.stderr


@pytest.mark.parametrize(
    ("failed", "polled", "fail_on", "code"),
    [
        (0, 3, "any", 0),
        (1, 3, "any", 1),
        (1, 3, "all", 0),
        (3, 3, "all", 1),
        (3, 3, "never", 0),
        (0, 0, "all", 0),
    ],
)
def test_run_exit_code_rule(failed: int, polled: int, fail_on: str, code: int) -> None:
    from policywatch.cli import FailOn, run_exit_code

    assert run_exit_code({"failed_sources": failed, "sources_polled": polled}, FailOn(fail_on)) == code


def test_a_run_whose_source_fails_exits_1(tmp_path: Path) -> None:
    """What a scheduler sees: the summary on stdout, the failure counted on stderr, exit 1."""
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - id: dead-feed\n    kind: feed\n    url: http://127.0.0.1:9/feed.xml\n")
    env = {"POLICYWATCH_DATA_DIR": str(tmp_path / "data"), "POLICYWATCH_FETCH_RETRIES": "0"}
    proc = pw("run", "--sources", str(sources), env=env, check=False)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "1 of 1 sources failed (exit 1)" in proc.stderr
    assert "dead-feed" in proc.stdout


def test_version() -> None:
    assert pw("--version").stdout.startswith("policywatch 0.")

"""The command line's first hour (issue 15): config files found in one documented order,
`policywatch init`, clean flag help, tables that read well in 80 columns, user input that is
printed as written, and `new-source` refusing what is not a URL."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core import settings
from tests.support.paths import PW


def pw(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PW), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


# ----------------------------------------------------------------------------- where files are found


def test_config_files_are_found_by_env_then_working_directory_then_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POLICYWATCH_RULES", raising=False)
    monkeypatch.chdir(tmp_path)
    assert settings.rules_path() == settings.DEFAULTS_DIR / "rules"  # the shipped default (a folder)
    assert settings.subscriptions_path() == settings.DEFAULTS_DIR / "subscriptions.example.yaml"
    (tmp_path / "rules.yaml").write_text("x: 1\n", encoding="utf-8")
    assert settings.rules_path() == tmp_path / "rules.yaml"  # the current project
    monkeypatch.setenv("POLICYWATCH_RULES", str(tmp_path / "other.yaml"))
    assert settings.rules_path() == tmp_path / "other.yaml"  # the environment variable


def test_init_writes_copies_keeps_edits_and_the_next_command_reads_them(tmp_path: Path) -> None:
    proj = tmp_path / "proj"
    first = pw("init", str(proj))
    assert first.returncode == 0, first.stderr
    for name, shipped in (
        ("sources.yaml", "sources.yaml"),
        ("subscriptions.yaml", "subscriptions.example.yaml"),
    ):
        assert (proj / name).read_bytes() == (settings.DEFAULTS_DIR / shipped).read_bytes(), name
    # the shipped rules folder, as one file
    assert (proj / "rules.yaml").read_text(encoding="utf-8") == settings.rules_text()
    (proj / "sources.yaml").write_text(
        "sources:\n  - id: my-own-feed\n    kind: feed\n    url: https://example.org/feed.xml\n",
        encoding="utf-8",
    )
    again = pw("init", str(proj))
    assert again.returncode == 0 and "kept" in again.stdout
    assert "my-own-feed" in (proj / "sources.yaml").read_text(encoding="utf-8")  # not overwritten
    listed = pw("sources", "list", cwd=proj, env={"COLUMNS": "200"})
    assert listed.returncode == 0, listed.stderr
    assert "my-own-feed" in listed.stdout and "ec-presscorner" not in listed.stdout


def test_flag_wins_over_environment_and_a_missing_file_is_one_line(tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "a", "title": "EU AI Act enters into force", "text": "x"}) + "\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text("not: [valid\n", encoding="utf-8")
    env = {"POLICYWATCH_RULES": str(broken)}
    assert pw("classify", str(items), env=env).returncode == 2  # the variable names the broken file
    one_file = tmp_path / "rules.yaml"
    one_file.write_text(settings.rules_text(), encoding="utf-8")
    good = pw("--rules", str(one_file), "classify", str(items), env=env)
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["id"] == "a"
    missing = pw("--rules", str(tmp_path / "[b]nope[/b].yaml"), "items")
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"File not found: --rules {tmp_path / '[b]nope[/b].yaml'}"


# ----------------------------------------------------------------------------- help and messages


@pytest.mark.parametrize("args", [["--help"], ["import", "--help"], ["items", "--help"], ["init", "--help"]])
def test_help_shows_no_type_after_plain_flags(args: list[str]) -> None:
    proc = pw(*args, env={"COLUMNS": "100"})
    assert proc.returncode == 0, proc.stderr
    assert "--help" in proc.stdout
    assert "<bool>" not in proc.stdout, proc.stdout
    if args == ["--help"]:
        assert "--version" in proc.stdout and "<file>" in proc.stdout  # options that take a value keep it


def test_new_source_refuses_what_is_not_a_url_in_one_line() -> None:
    for url in ("not-a-url", "ftp://x.org/[b]list[/b]", "https://"):
        proc = pw("new-source", "fine-id", url)
        assert proc.returncode == 2, proc.stdout
        assert proc.stderr.count("\n") == 1 and repr(url) in proc.stderr, proc.stderr
    assert not (settings.PROJECT_ROOT / "spiders" / "spiders" / "sites" / "fine_id.py").exists()
    shipped = settings.PROJECT_ROOT / "tests" / "integration" / "test_shipped_sources.py"
    assert '"fine-id"' not in shipped.read_text(encoding="utf-8")  # no EXPECTED row either


def test_relative_times_are_one_token() -> None:
    from policywatch.cli import _ago

    now = datetime.now(UTC)
    assert _ago(None, "never") == "never"
    assert _ago((now - timedelta(hours=5, minutes=3)).isoformat(), "never") == "5h ago"
    assert re.fullmatch(r"in (19|20)m", _ago((now + timedelta(minutes=20)).isoformat(), "now"))
    assert _ago((now - timedelta(days=3)).isoformat().replace("+00:00", ""), "") == "3d ago"  # naive = UTC
    assert _ago(now.isoformat(), "") == "now"


# ----------------------------------------------------------------------------- 80 columns

TITLES = [
    "EU and Japan to hold the third Digital Partnership Council in Tokyo on 12 May 2026",
    "Switzerland will host the next AI summit in Geneva in 2027, the government announced today",
    "The European Commission and Korea sign a memorandum of understanding on AI safety research",
]


def test_tables_fit_80_columns_and_never_break_a_token(tmp_path: Path) -> None:
    feed = tmp_path / "items.jsonl"
    feed.write_text(
        "".join(
            json.dumps({"id": f"t{i}", "title": t, "text": t + ".", "published": f"2026-11-2{i}T09:30:00Z"})
            + "\n"
            for i, t in enumerate(TITLES)
        ),
        encoding="utf-8",
    )
    assert pw("import", str(feed), "--no-deliver").returncode == 0
    error = "cannot reach https://very-long-host-name.example.org/feed.xml: [Errno -3] name resolution failed"
    with sqlite3.connect(os.environ["POLICYWATCH_DATABASE_URL"].removeprefix("sqlite:///")) as conn:
        conn.execute(
            "UPDATE sources SET consecutive_failures = 3, health = 'failing', last_error = ? "
            "WHERE id = 'import'",
            (error,),
        )
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        "  - id: federal-register-ai\n    kind: listing\n    url: https://www.federalregister.gov/documents/"
        "search?conditions%5Bterm%5D=artificial+intelligence\n"
        "    listing:\n      links: 'a.result'\n"
        "  - id: import\n    kind: feed\n    url: http://127.0.0.1:9/feed.xml\n    private_network: true\n",
        encoding="utf-8",
    )
    narrow = {"COLUMNS": "80"}
    views = {
        "items": pw("items", env=narrow),
        "events": pw("events", env=narrow),
        "sources health": pw("sources", "health", env=narrow),
        "sources list": pw("sources", "list", "--sources", str(sources), env=narrow),
    }
    for name, proc in views.items():
        assert proc.returncode == 0, f"{name}: {proc.stderr}"
        table = [line for line in proc.stdout.splitlines() if line[:1] in "┏┃┡│└"]
        assert table, f"{name}: no table:\n{proc.stdout}"
        assert max(len(line) for line in table) <= 80, f"{name}:\n{proc.stdout}"

    def cells(name: str) -> set[str]:
        return {c.strip() for line in views[name].stdout.splitlines() for c in line.split("│")}

    rows = [json.loads(line) for line in pw("items", "--json").stdout.splitlines()]
    events = [json.loads(line) for line in pw("events", "--json").stdout.splitlines()]
    assert len(rows) == 3 and events, (rows, events)
    for row in rows:  # ids, sources, days and types whole, each in its own cell
        assert {str(row["id"]), row["source"], row["published"][:10], row["event_type"]} <= cells("items"), (
            row
        )
    for event in events:  # (a status or date the event does not have is no cell)
        assert {v for v in (event["type"], event["status"], event["date"]) if v} <= cells("events"), event
    assert {"federal-register-ai", "listing", "import"} <= cells("sources list")
    assert {"import", "failing x3"} <= cells("sources health")
    assert f"import: {error}" in views["sources health"].stdout  # the cause whole, below the table


def test_a_store_with_no_tables_is_named_in_one_line(tmp_path: Path) -> None:
    """A fresh database: the views say what to do (not "no such table: sources" from the driver),
    and the flow refuses the same way before any fetch (check_connection)."""
    from models.db import StoreNotMigrated, check_connection, get_engine

    db = tmp_path / "fresh.db"
    url = f"sqlite:///{db}"
    with pytest.raises(StoreNotMigrated, match=r"has no tables yet: run `policywatch db upgrade` first"):
        check_connection(get_engine(url))
    shown = pw("items", env={"POLICYWATCH_DATABASE_URL": url, "POLICYWATCH_DATA_DIR": str(tmp_path)})
    assert shown.returncode == 1
    assert shown.stderr.strip().splitlines() == [
        f"The store at {url} has no tables yet: run `policywatch db upgrade` first"
    ]
    assert "Traceback" not in shown.stderr
    assert pw("db", "upgrade", env={"POLICYWATCH_DATABASE_URL": url}).returncode == 0
    check_connection(get_engine(url))  # now it has them

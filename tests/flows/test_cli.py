"""The command line as a user runs it (subprocesses of the installed entry point)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.paths import PW
from tests.support.seeds import labels, seed_folders, seed_jsonl


def pw(*args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(PW), *args], capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"policywatch {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return proc


@pytest.fixture(params=[folder for _, folder in seed_folders()], ids=[tag for tag, _ in seed_folders()])
def seeds(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, Path]:
    """(the seeds folder, its seeds as JSON lines): ours always, the real seeds when present."""
    folder: Path = request.param
    return folder, seed_jsonl(folder, tmp_path / "seeds.jsonl")


def test_classify_prints_one_json_line_per_input(seeds: tuple[Path, Path]) -> None:
    folder, seeds_jsonl = seeds
    proc = pw("classify", str(seeds_jsonl))
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == len(labels(folder)) == 5
    for row in rows:
        assert {"id", "ai_policy", "event_type", "jurisdictions", "events", "evidence"} <= set(row)
        assert all({"type", "name", "date", "location"} <= set(e) for e in row["events"])
    assert {r["id"]: r["event_type"] for r in rows} == {k: v["primary"] for k, v in labels(folder).items()}


def test_import_then_views(seeds: tuple[Path, Path]) -> None:
    folder, seeds_jsonl = seeds
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
    (wp_name,) = [n for n in labels(folder) if (folder / n).read_text("utf-8").lstrip().startswith("{")]
    post = json.loads((folder / wp_name).read_text("utf-8"))  # the WordPress post keeps its link and date
    wp = by_ext[wp_name]
    assert wp["url"] == post["link"] and wp["url"].startswith("https://")
    assert wp["published"] == post["date_gmt"] + "Z" and wp["source"] == "import"
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


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("notadb://u:DBPASS999@db.example/x", "unsupported database (notadb)"),
        ("postgresql+nodriver://u:DBPASS999@db.example/x", "unsupported database (postgresql+nodriver)"),
        ("not a url u:DBPASS999", "is not a valid database URL"),
    ],
)
def test_a_bad_database_url_is_one_sentence_without_its_password(url: str, said: str) -> None:
    proc = pw("items", "--json", env={"POLICYWATCH_DATABASE_URL": url}, check=False)
    assert proc.returncode == 1 and said in proc.stderr
    assert "Traceback" not in proc.stderr and "DBPASS999" not in proc.stderr + proc.stdout


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
    sources.write_text(
        "sources:\n  - id: dead-feed\n    kind: feed\n    url: http://127.0.0.1:9/feed.xml\n"
        "    private_network: true\n"
    )
    env = {"POLICYWATCH_DATA_DIR": str(tmp_path / "data"), "POLICYWATCH_FETCH_RETRIES": "0"}
    proc = pw("run", "--sources", str(sources), env=env, check=False)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "1 of 1 sources failed (exit 1)" in proc.stderr
    assert "dead-feed" in proc.stdout


def test_version() -> None:
    assert pw("--version").stdout.startswith("policywatch 0.")


HOSTILE = "[/]Hostile [bold]title[/bold] \x1b[31mred\x1b[0m :thumbs_up:"
"""A title stored before ingest cleaned control characters: Rich markup, an ESC sequence, an emoji code."""
INERT = "[/]Hostile [bold]title[/bold] [31mred[0m :thumbs_up:"
"""The same title as the terminal must show it: every character but the ESCs, nothing restyled."""


def _store_hostile_item(tmp_path: Path) -> int:
    """Import one item through the CLI, then write hostile text straight into the store, as a row
    stored by an older version (or by hand) would be."""
    import sqlite3

    path = tmp_path / "one.jsonl"
    path.write_text('{"id": "h1", "title": "plain", "text": "A plain text."}\n', encoding="utf-8")
    pw("import", str(path), "--no-deliver")
    db = os.environ["POLICYWATCH_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE items SET title = ?, evidence = ?", (HOSTILE, HOSTILE))
        conn.execute(
            "UPDATE sources SET consecutive_failures = 3, last_error = ? WHERE id = 'import'",
            ("redirected to http://x.example/[/]\x1b[2J[bold]",),
        )
        (item_id,) = conn.execute("SELECT id FROM items").fetchone()
    return int(item_id)


def test_hostile_stored_text_is_printed_as_written_and_inert(tmp_path: Path) -> None:
    item_id = _store_hostile_item(tmp_path)
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  - id: import\n    kind: feed\n    url: http://127.0.0.1:9/feed.xml\n"
        "    private_network: true\n"
    )
    wide = {"COLUMNS": "300"}  # one table row per line, so the whole title is on one line
    runs = {
        "items": pw("items", env=wide, check=False),
        "explain": pw("explain", str(item_id), env=wide, check=False),
        "sources health": pw("sources", "health", env=wide, check=False),
        "sources list": pw("sources", "list", "--sources", str(sources), env=wide, check=False),
    }
    for name, proc in runs.items():
        assert proc.returncode == 0, f"{name}: {proc.stderr[-2000:]}"
        assert "\x1b" not in proc.stdout + proc.stderr, name
    assert INERT in runs["items"].stdout
    assert f"Item {item_id}: {INERT}" in runs["explain"].stdout
    assert f'primary evidence: "{INERT}"' in runs["explain"].stdout
    for name in ("sources health", "sources list"):
        assert "redirected to http://x.example/[/][2J[bold]" in runs[name].stdout, name


def test_markup_in_error_text_is_printed_as_written(tmp_path: Path) -> None:
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources:\n  - id: '[bold]X[/]'\n    kind: feed\n    url: http://x.org/feed\n")
    proc = pw("run", "--sources", str(bad), check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "sources[0]([bold]X[/]).id" in proc.stderr
    assert "^[a-z0-9][a-z0-9_-]{1,62}$" in proc.stderr
    proc = pw("new-source", "Not An Id", "http://x.org/[/]", check=False)
    assert proc.returncode == 2
    assert "source id 'Not An Id' must match ^[a-z0-9][a-z0-9_-]{1,62}$" in proc.stderr


def test_run_summary_prints_hostile_errors_inert(capsys: pytest.CaptureFixture[str]) -> None:
    from policywatch.terminal import print_summary

    row = {
        "source_id": "feed-x",
        "status": "ok",
        "http_status": 200,
        **dict.fromkeys(("items_seen", "new_items", "duplicates", "new_events", "alerts_queued"), 0),
        "error": "redirected to http://x.example/[/]\x1b[2J",
    }
    totals = dict.fromkeys(
        ("sources_polled", "not_modified", "failed_sources", "new_items", "duplicates_dropped"), 0
    )
    totals |= dict.fromkeys(("new_events", "alerts_sent", "alerts_retrying", "alerts_failed"), 0)
    summary = {"sources": [row], "totals": totals, "alert_errors": ["webhook said [bold]no[/bold]"]}
    print_summary(summary, "Monitor run")
    captured = capsys.readouterr()
    cells = "".join(captured.out.split()).replace("│", "")  # the table folds the error over lines
    assert "redirectedtohttp://x.example/[/][2J" in cells
    assert "\x1b" not in captured.out + captured.err
    assert "alert problem: webhook said [bold]no[/bold]" in captured.err


GOOD_LINE = '{"id": "g1", "title": "a", "text": "b"}\n'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (GOOD_LINE.encode("utf-16"), ":1: not UTF-8 (NUL bytes: UTF-16?)"),
        ((GOOD_LINE + '{"id": "l2", "title": "café", "text": "b"}\n').encode("latin-1"), ":2: not UTF-8"),
        ((GOOD_LINE + "[" * 100_000 + "]" * 100_000 + "\n").encode(), ":2: JSON nested too deeply"),
        (('{"id": ' + "9" * 5000 + ', "title": "a", "text": "b"}\n').encode(), ":1: not valid JSON"),
    ],
    ids=["utf-16", "latin-1", "deep-nesting", "huge-integer"],
)
def test_unreadable_import_line_is_one_line_not_a_traceback(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(content)
    proc = pw("import", str(path), "--no-deliver", check=False)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()], proc.stderr[-2000:]
    assert f"{path}{message}" in proc.stderr and "Nothing was stored" in proc.stderr


def test_partial_import_says_what_is_stored_and_that_a_rerun_is_safe(tmp_path: Path) -> None:
    """A bad line after the first committed batch (500 lines): the message says what is stored;
    after the fix, the same import stores the rest and nothing twice."""
    lines = [
        json.dumps({"id": f"n{i}", "title": f"Note {i}", "text": f"Internal note number {i} on filing."})
        for i in range(501)
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join([*lines, '{"id": "bad", "title": "no text"}']) + "\n", encoding="utf-8")
    proc = pw("import", str(path), "--no-deliver", check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{path}:502: missing field(s) text" in proc.stderr
    assert "The first 500 items were already imported (500 of them new to the store)" in proc.stderr
    assert "nothing is stored twice" in proc.stderr
    path.write_text("\n".join([*lines, '{"id": "bad", "title": "fixed", "text": "Now with text."}']) + "\n")
    again = pw("import", str(path), "--no-deliver")
    assert "502 lines, 2 new items, 500 already stored" in again.stdout
    assert len(pw("items", "--json").stdout.splitlines()) == 502


def test_state_lives_in_one_place_whatever_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core import settings
    from policywatch.cli import _prefect_env

    monkeypatch.delenv("POLICYWATCH_DATA_DIR")
    monkeypatch.delenv("POLICYWATCH_DATABASE_URL")
    monkeypatch.delenv("PREFECT_HOME", raising=False)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert settings.data_dir() == settings.PROJECT_ROOT / "data"  # not ./data in the subfolder
    assert settings.database_url().endswith(str(settings.PROJECT_ROOT / "data" / "policywatch.db"))
    assert not (tmp_path / "sub" / "data").exists()
    monkeypatch.setenv("POLICYWATCH_DATA_DIR", str(tmp_path / "elsewhere"))
    _prefect_env()
    assert os.environ["PREFECT_HOME"] == str(tmp_path / "elsewhere" / "prefect")


def test_digest_says_why_nothing_was_sent(tmp_path: Path) -> None:
    subs = tmp_path / "subs.yaml"
    subs.write_text(
        "subscribers:\n  - name: instant-reader\n    channels:\n"
        f"      - name: file\n        url: pwfile://{tmp_path / 'out.txt'}\n"
        "    filters: {event_types: [summit]}\n"
    )
    env = {"POLICYWATCH_SUBSCRIPTIONS": str(subs)}
    pw("db", "upgrade", env=env)
    proc = pw("digest", env=env)
    assert "No subscriber has digests" in proc.stdout

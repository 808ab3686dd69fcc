"""One declaration of every POLICYWATCH_* variable (core/config.py): the code names no other,
the README's table is rendered from it, and a bad value is one line naming the variable."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.config import Settings, current, env_name, internal_names, markdown_table
from core.yamlconf import ConfigError
from tests.support.paths import ROOT

NAME = re.compile(r"\bPOLICYWATCH_[A-Z0-9_]*[A-Z0-9]\b")
SCANNED = ("*.py", "*.yaml", "*.toml", "*.ini", "*.cfg", "Makefile")


def names_in_code() -> dict[str, set[str]]:
    """Every POLICYWATCH_* name written in the checkout's code and config, with where."""
    found: dict[str, set[str]] = {}
    for pattern in SCANNED:
        for path in ROOT.rglob(pattern):
            rel = path.relative_to(ROOT)
            if rel.parts[0] in {".venv", ".git", "build", "data"} or "site-packages" in rel.parts:
                continue
            for name in NAME.findall(path.read_text(encoding="utf-8", errors="replace")):
                found.setdefault(name, set()).add(str(rel))
    return found


def test_the_code_reads_no_variable_that_is_not_declared() -> None:
    declared = {env_name(f) for f in Settings.model_fields}
    found = names_in_code()
    assert {"POLICYWATCH_DATABASE_URL", "POLICYWATCH_MAX_POLL_INTERVAL"} <= set(found), (
        "the scan found nothing"
    )
    stray = {name: sorted(where) for name, where in found.items() if name not in declared}
    assert not stray, f"declare these in core/config.py (and so in the README's table): {stray}"


def test_the_readme_table_is_the_declaration() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme, "README's variable table differs: paste `python -m core.config`"
    for name in internal_names():
        assert f"`{name}`" in readme, name
    rows = markdown_table().splitlines()[2:]
    assert len(rows) == len(Settings.model_fields) - len(internal_names())


def test_python_m_core_config_prints_the_table() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "core.config"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0 and proc.stdout == markdown_table(), proc.stderr


def test_defaults_are_what_the_code_used_before(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(env_name(name), raising=False)
    s = current()
    assert (s.fetch_retries, s.fetch_retry_delay, s.retry_after_cap) == (2, 5.0, 60.0)
    assert (s.domain_concurrency, s.feeds_per_task, s.crawl_timeout, s.crawl_fast) == (2, 50, 900.0, False)
    assert (s.alert_max_attempts, s.alert_backoff_seconds, s.max_poll_interval) == (8, 60.0, 7200.0)
    assert (s.cron_feeds, s.cron_sites, s.cron_apis) == (None, None, None)  # prefect.yaml's
    assert (s.adaptive, s.prefect_port, s.demo_port, s.scrapy_log_level) == (True, 4200, 8765, "INFO")
    assert s.database_url is None and s.workers is None and s.every_feeds is None


def test_empty_is_unset_and_values_are_read_when_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYWATCH_ALERT_MAX_ATTEMPTS", "")
    assert current().alert_max_attempts == 8
    monkeypatch.setenv("POLICYWATCH_ALERT_MAX_ATTEMPTS", "3")
    assert current().alert_max_attempts == 3  # no stale copy once the environment changed
    monkeypatch.setenv("POLICYWATCH_WORKERS", "-2")
    assert current().workers == 0
    monkeypatch.setenv("POLICYWATCH_ADAPTIVE", "0")
    assert current().adaptive is False


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("POLICYWATCH_WORKERS", "many", "valid integer"),
        ("POLICYWATCH_MAX_POLL_INTERVAL", "0", "expected a number of seconds above 0"),
        ("POLICYWATCH_MAX_POLL_INTERVAL", "inf", "expected a number of seconds above 0"),
        ("POLICYWATCH_PREFECT_PORT", "http", "valid integer"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, said: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        current()
    assert str(caught.value).startswith(f"{name}={value!r}: ") and said in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_bad_value_stops_any_command_before_it_starts(tmp_path: Path) -> None:
    import os

    proc = subprocess.run(
        [str(Path(sys.executable).parent / "policywatch"), "items"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "POLICYWATCH_ALERT_MAX_ATTEMPTS": "eight"},
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "Configuration error" in proc.stderr and "POLICYWATCH_ALERT_MAX_ATTEMPTS='eight'" in proc.stderr

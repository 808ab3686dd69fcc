"""Classification in worker processes gives exactly the in-process results, and a dead worker
costs nothing but time."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from core.settings import rules_text
from pipeline import parallel
from pipeline.feeds import parse_feed
from pipeline.intel.rules_loading import default_rules_path, load_rules
from pipeline.process import analyse_items, prepare_item
from pipeline.types import RawItem
from testkit.datasets import DEVSET


def _prepared() -> list:  # type: ignore[type-arg]
    rows = [json.loads(line) for line in DEVSET.read_text(encoding="utf-8").splitlines() if line.strip()]
    raws = [
        RawItem(source_id="t", url=f"https://example.org/{i}", title=r["title"], body=r["text"])
        for i, r in enumerate(rows)
    ]
    return [prepare_item(r) for r in raws]


@pytest.fixture
def two_workers(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("POLICYWATCH_WORKERS", "2")
    yield
    parallel.shutdown()


def test_pool_results_equal_in_process_results(two_workers: None) -> None:
    prepared = _prepared()
    assert len(prepared) >= parallel.MIN_PARALLEL
    rules = load_rules()
    assert parallel.warm_up() == 2  # two distinct worker processes answered
    assert parallel.analyse_many(prepared, rules, ["EU"]) == analyse_items(prepared, rules, ["EU"])


def test_small_batches_stay_in_process(two_workers: None) -> None:
    parallel.analyse_many(_prepared()[:3], load_rules())
    assert parallel._pool is None  # no worker started for three items


def test_rules_edited_during_a_run_are_never_mixed_in(two_workers: None, tmp_path: Path) -> None:
    """An operator saves rules.yaml while a run classifies: the workers cannot load the version
    the run holds, so the run's batches are classified in-process with it, not with the edit."""
    prepared = _prepared()
    copy = tmp_path / "rules.yaml"
    copy.write_text(rules_text(default_rules_path()), encoding="utf-8")
    rules = load_rules(copy)  # what the run loaded
    copy.write_text(
        copy.read_text(encoding="utf-8").replace("- id: ai_regulation", "- id: renamed_in_the_edit"),
        encoding="utf-8",
    )
    os.utime(copy, ns=(0, 0))  # another version on disk, whatever the clock's resolution
    got = parallel.analyse_many(prepared, rules)
    assert got == analyse_items(prepared, rules)
    assert got != analyse_items(prepared, load_rules(copy))  # the edit would have changed labels
    assert parallel._pool is not None  # the workers were asked, and refused the other version


def test_a_killed_worker_falls_back_in_process(two_workers: None, caplog: pytest.LogCaptureFixture) -> None:
    prepared = _prepared()
    rules = load_rules()
    parallel.warm_up()
    pool = parallel._pool
    assert pool is not None
    for pid in list(pool._processes):  # type: ignore[attr-defined]
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    assert parallel.analyse_many(prepared, rules) == analyse_items(prepared, rules)
    assert "pool broke" in caplog.text
    assert parallel._pool is not pool  # the next big batch gets a fresh pool


def test_big_feeds_parse_in_a_worker_to_the_same_items(two_workers: None) -> None:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://example.org/{i}</link>"
        f"<description>{'AI policy news. ' * 40}</description></item>"
        for i in range(40)
    )
    body = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    )
    assert len(body) >= parallel.MIN_PARALLEL_BYTES
    assert parallel.parse_feed_anywhere(body, "s") == parse_feed(body, "s")
    assert parallel._pool is not None


def test_workers_setting_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYWATCH_WORKERS", "many")
    from core.yamlconf import ConfigError

    with pytest.raises(ConfigError, match="POLICYWATCH_WORKERS='many'"):  # one line, as the CLI says it
        parallel.worker_count()
    monkeypatch.setenv("POLICYWATCH_WORKERS", "0")
    assert parallel.worker_count() == 0

"""The sources ``sources.yaml`` ships and each one's stored fixture in ``tests/fixtures/sources``:
read by the shipped-source tests, the dry-run tests and the site-spider tests alike."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.sources_config import Source, load_sources
from tests.support.paths import FIXTURES as ALL_FIXTURES
from tests.support.paths import ROOT

SOURCES_FILE = ROOT / "sources.yaml"
FIXTURES = ALL_FIXTURES / "sources"

# Every enabled source, and every site spider enabled or not: its code ships either way (and
# loads, so `scrapy check` runs it), so its fixture and its row are checked either way.
SHIPPED: dict[str, Source] = {s.id: s for s in load_sources(SOURCES_FILE) if s.enabled or s.kind == "spider"}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def fixture_path(source_id: str) -> Path:
    found = sorted(FIXTURES.glob(f"{source_id}.*"))
    if len(found) != 1:
        pytest.fail(
            f"source {source_id!r}: expected exactly one fixture tests/fixtures/sources/{source_id}.<ext>,"
            f" found {[p.name for p in found]}"
        )
    return found[0]

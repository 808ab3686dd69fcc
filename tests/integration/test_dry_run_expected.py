"""`policywatch sources dry-run ID --fixture FILE --format expected` (issue 16): the EXPECTED
entry of tests/integration/test_shipped_sources.py, ready to paste. What it prints for each shipped source,
read back as Python, is that source's row of EXPECTED; pasted, it is already ruff-formatted.
"""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.types import RawItem
from services.dryrun import expected_entry, parse_fixture
from tests.integration.test_shipped_sources import EXPECTED
from tests.support.cases import our_case, real_cases
from tests.support.paths import BIN, FIXTURES, PW, ROOT
from tests.support.shipped import SHIPPED, fixture_path, utc


def read_back(entry: str) -> dict[str, Any]:
    value = eval("{\n" + entry + "}", {"utc": utc})  # noqa: S307 - our own generated literal
    assert isinstance(value, dict)
    return value


@pytest.mark.parametrize("source_id", sorted(SHIPPED))
def test_expected_entry_is_the_shipped_row(source_id: str) -> None:
    path = fixture_path(source_id)
    result = parse_fixture(SHIPPED[source_id], path.read_bytes(), path.suffix)
    assert read_back(expected_entry(source_id, result.kept, result.dropped)) == {
        source_id: EXPECTED[source_id]
    }


def run_pw(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "80"}
    env.pop("POLICYWATCH_SOURCES", None)
    return subprocess.run([str(PW), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("source_id", ["jp-mic", "govuk-fcdo", "msit-en-press", "us-congress-bills"])
def test_command_prints_a_pasteable_entry(source_id: str, tmp_path: Path) -> None:
    proc = run_pw(
        "sources", "dry-run", source_id, "--fixture", str(fixture_path(source_id)), "--format", "expected"
    )
    assert proc.returncode == 0, proc.stderr
    # not wrapped at 80 columns, nothing but the entry on stdout
    assert proc.stdout.startswith(f'    "{source_id}": [\n') and proc.stdout.endswith("    ],\n")
    assert read_back(proc.stdout) == {source_id: EXPECTED[source_id]}
    pasted = tmp_path / "pasted.py"
    pasted.write_text(
        "from tests.support.shipped import utc\n\nEXPECTED = {\n" + proc.stdout + "}\n", encoding="utf-8"
    )
    fmt = subprocess.run(
        [str(BIN / "ruff"), "format", "--check", "--line-length", "110", str(pasted)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_filtered_items_are_noted_and_a_missing_date_fails_visibly() -> None:
    from collections import Counter

    items = [
        RawItem(source_id="s", url="https://example.org/a", title='Say "hi"\\', published=None),
        RawItem(
            source_id="s",
            url="https://example.org/b",
            title="東京",
            published=datetime(2026, 5, 12, 18, 0, tzinfo=UTC).astimezone(),
        ),
    ]
    entry = expected_entry("s", items, Counter({"exclude.url '/x/'": 2}))
    assert "        # 2 item(s) dropped by exclude.url '/x/'\n" in entry
    assert "None,  # no publication date found" in entry
    assert read_back(entry) == {
        "s": [
            (None, 'Say "hi"\\', "https://example.org/a"),
            (utc("2026-05-12T18:00:00"), "東京", "https://example.org/b"),
        ]
    }


@pytest.mark.parametrize(
    "path",
    [our_case(FIXTURES / "sources" / "govuk-fcdo.atom"), *real_cases("feeds/govuk_fcdo_organisation.atom")],
)
def test_expected_entry_notes_the_dropped_travel_advice(path: Path) -> None:
    """The command on a GOV.UK response (ours, and the real one read in place from ../shared when
    it is there): what a maintainer pastes, computed from the file's own entries."""
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(path.read_bytes()).findall("a:entry", ns)
    links = [str(e.find("a:link[@rel='alternate']", ns).get("href")) for e in entries]  # type: ignore[union-attr]
    advice = [n for n, link in enumerate(links) if "/foreign-travel-advice/" in link]
    assert advice and len(advice) < len(entries)
    proc = run_pw("sources", "dry-run", "govuk-fcdo", "--fixture", str(path), "--format", "expected")
    assert proc.returncode == 0, proc.stderr
    assert (
        f"        # {len(advice)} item(s) dropped by exclude.url '/foreign-travel-advice/'\n" in proc.stdout
    )
    (rows,) = read_back(proc.stdout).values()
    kept = [n for n in range(len(entries)) if n not in advice]
    assert [(published, url) for published, _, url in rows] == [
        (utc(entries[n].findtext("a:updated", "", ns).removesuffix("Z")), links[n]) for n in kept
    ]
    assert all(title for _, title, _ in rows)

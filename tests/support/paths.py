"""Where the suite's files are, computed once from this file's place, so a test file can move
between ``tests/unit``, ``tests/integration`` and ``tests/flows`` without a path changing."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The checkout: ``sources.yaml``, ``rules/``, ``deployments/``... are read from here."""
TESTS = ROOT / "tests"
FIXTURES = TESTS / "fixtures"
"""Our own fixtures, written for this project in the real formats: every test runs on them."""
DATA = TESTS / "data"
"""The labelled development and hold-out sets (``devset.jsonl``, ``holdout.jsonl``)."""
SHARED = ROOT.parent / "shared"
"""Real publisher texts outside the repository: read in place, never copied in."""
SEEDS = SHARED / "corpus" / "seeds"
REAL = SHARED / "corpus" / "real"
BIN = Path(sys.executable).parent
"""The entry points installed beside this Python (``policywatch``, ``prefect``, ``scrapy``)."""
PW = BIN / "policywatch"

"""The labelled development set, named once for the tests and the benchmarks that read it.

The file lives in ``tests/data/`` beside the other labelled data; its place is kept here, below
both, so a benchmark reads it without importing anything from the test suite (the layer test
forbids ``bench`` -> ``tests``)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT / "tests" / "data" / "devset.jsonl"
"""Labelled texts (one JSON object a line): classification throughput and the worker-pool tests."""

"""The run summary in a narrow terminal: a column left out for width is named, an empty one is not."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console

from policywatch import terminal


def _summary(error: str | None) -> dict[str, Any]:
    source = {
        "source_id": "a-rather-long-source-identifier-for-width",
        "status": "not_modified" if error is None else "failed",
        "http_status": 304 if error is None else 503,
        "items_seen": 0,
        "new_items": 0,
        "duplicates": 0,
        "new_events": 0,
        "alerts_queued": 0,
        "error": error,
    }
    totals = {
        "sources_polled": 1,
        "not_modified": 1 if error is None else 0,
        "failed_sources": 0 if error is None else 1,
        "new_items": 0,
        "duplicates_dropped": 0,
        "new_events": 0,
        "alerts_sent": 0,
        "alerts_retrying": 0,
        "alerts_failed": 0,
    }
    return {"sources": [source], "totals": totals}


def _printed(monkeypatch: pytest.MonkeyPatch, summary: dict[str, Any]) -> str:
    buffer = io.StringIO()
    monkeypatch.setattr(terminal, "out", Console(file=buffer, width=60, color_system=None))
    terminal.print_summary(summary, "run")
    return buffer.getvalue()


def test_an_empty_error_column_is_left_out_without_a_word(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _printed(monkeypatch, _summary(None))
    caption = next(line for line in text.splitlines() if "left out at" in line)
    assert "error" not in caption and "HTTP" in caption, text  # HTTP 304 is something; no error is nothing


def test_an_error_column_left_out_for_width_is_printed_below(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _printed(monkeypatch, _summary("HTTP 503 Service Unavailable (retry later)"))
    assert "errors below" in text, text
    assert "a-rather-long-source-identifier-for-width: HTTP 503 Service Unavailable" in text

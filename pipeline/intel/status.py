"""An event's status (upcoming / held / postponed) from tense and keywords in its clause."""

from __future__ import annotations

from pipeline.intel.rules_schema import Rules


def find_status(text: str, rules: Rules, anchor: int = 0) -> str | None:
    """upcoming / held / postponed from tense and keywords; the cue nearest the mention wins."""
    rx = rules.fast.status
    if rx["postponed"].search(text):
        return "postponed"
    up = [(m.start(), m.end()) for m in rx["upcoming"].finditer(text)]
    held = [
        (m.start(), m.end()) for m in rx["held"].finditer(text) if not any(s <= m.start() < e for s, e in up)
    ]
    cands = [(abs(s - anchor), "upcoming") for s, _ in up] + [(abs(s - anchor), "held") for s, _ in held]
    return min(cands)[1] if cands else None

"""An event the model found with no rule candidate: built from what any report of one says.

Headlines written for these tests (not corpus text)."""

from __future__ import annotations

from datetime import date

from pipeline.intel.generic import generic_event
from pipeline.intel.rules_loading import load_rules


def test_unnamed_council_is_keyed_by_its_parties_and_month() -> None:
    ev = generic_event(
        "dpc_meeting",
        "Japan and Canada ministers meet on digital policy",
        ["Japan and Canada held their digital policy dialogue in Ottawa on Tuesday."],
        date(2026, 3, 12),
        load_rules(),
        0.8,
    )
    assert ev.key.startswith("dpc_meeting:") and ev.key.endswith(":2026-03")
    assert "Canada" in ev.name and "Japan" in ev.name
    assert ev.series is None and ev.rule == "model:generic"


def test_a_series_named_in_the_headline_gives_its_name_and_venue() -> None:
    """The headline names a known series without the cue words the rules need ("AI for Good
    Summit: ..."): the event is that series', so its reports share one name, and its venue is
    the series' own when the text names none."""
    ev = generic_event(
        "summit",
        "AI for Good Summit: the digital divide is no longer acceptable",
        ["The annual forum draws crowds to a conference centre."],
        date(2026, 7, 10),
        load_rules(),
        0.8,
    )
    assert (ev.name, ev.series, ev.location) == (
        "AI for Good Global Summit",
        "AI for Good Global Summit",
        "Geneva",
    )
    assert ev.key == "summit:ai-for-good-global-summit:2026-07"
    assert ev.rule == "model:ai_for_good"

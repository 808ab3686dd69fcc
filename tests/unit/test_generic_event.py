"""An event the model found with no rule candidate: built from what any report of one says.

Headlines written for these tests (not corpus text)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pipeline.classify import classify
from pipeline.intel.generic import body_name, generic_event
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


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Australia-India Digital and Critical Technology Dialogue meets, agreeing on AI",
            "Australia-India Digital and Critical Technology Dialogue",
        ),
        (
            "UK-India Technology Security Initiative: ministers meet in London",
            "UK-India Technology Security Initiative",
        ),
        (
            "First meeting of the European Union-India Trade and Technology Council",
            "European Union-India Trade and Technology Council",
        ),
        (
            "South Korea-UK Digital Partnership Forum opens in London",
            "South Korea-UK Digital Partnership Forum",
        ),
        ("Canada-EU Digital Partnership Council Convenes", "Canada-EU Digital Partnership Council"),
        ("EU and Japan strengthen tech ties", None),
    ],
)
def test_a_bilateral_body_is_found_by_the_name_the_report_gives_it(text: str, name: str | None) -> None:
    assert body_name(text, []) == name


def test_an_unnamed_council_is_shown_under_its_own_name_and_keyed_by_its_parties() -> None:
    """No rule names this body: the subscriber reads its real name, not a template's, and the
    key stays the parties' (identity across outlets that name it differently)."""
    c = classify(
        "Australia and India hold second Digital and Critical Technology Dialogue in Canberra",
        "Ministers met in Canberra on Thursday for the second meeting of the Australia-India Digital and"
        " Critical Technology Dialogue, agreeing to deepen cooperation on artificial intelligence.",
        datetime(2026, 11, 20, 9),
    )
    assert c.event_type == "dpc_meeting"
    ev = c.events[0]
    assert ev.name == "2nd Australia-India Digital and Critical Technology Dialogue"
    assert ev.key.startswith("dpc_meeting:australia-india") and ev.ordinal == 2


def test_an_unnamed_summit_is_named_after_its_own_year() -> None:
    """The candidate was named from a year said in passing ("after India's 2026 edition"); the
    date decided for the event is 2027, and the name follows it."""
    from pipeline.classify import named_as_reported
    from pipeline.types import ExtractedEvent

    ev = ExtractedEvent(type="summit", name="AI Summit (Geneva 2026)", key="k", evidence="", date="2027")
    assert named_as_reported(ev, "", []).name == "AI Summit (Geneva 2027)"
    undated = ExtractedEvent(type="summit", name="AI Summit (Geneva 2026)", key="k", evidence="")
    assert named_as_reported(undated, "", []).name == "AI Summit (Geneva 2026)"

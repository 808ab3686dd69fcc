"""An event's name as a headline writes it, without the headline's own words (our own headlines)."""

from __future__ import annotations

import pytest

from pipeline.intel.event_names import proper_name_before


@pytest.mark.parametrize(
    ("sentence", "trigger", "name"),
    [
        # title-case headlines capitalise their verbs: the name starts after them
        ("Switzerland to Host 2027 Global AI Summit", "Summit", "Global AI Summit"),
        ("UK Hosts Global AI Safety Summit", "Summit", "Global AI Safety Summit"),
        ("World Leaders Attend AI Seoul Summit", "Summit", "AI Seoul Summit"),
        ("Governor Signs Texas Responsible AI Governance Act", "Act", "Texas Responsible AI Governance Act"),
        # a name in a sentence, and a council's own name
        ("Leaders gather at the International AI Summit", "Summit", "International AI Summit"),
        ("The Canada-EU Digital Partnership Council met", "Council", "Canada-EU Digital Partnership Council"),
        # nothing capitalised before the trigger: no name of its own
        ("Norway to host 2028 global AI summit", "summit", None),
    ],
)
def test_proper_name_before(sentence: str, trigger: str, name: str | None) -> None:
    start = sentence.rindex(trigger)
    assert proper_name_before(sentence, start, start + len(trigger)) == name

"""Seed articles: primary types, jurisdictions, key events.

Our own seed-like articles (``tests/fixtures/seeds``, written for this project in the seeds'
formats, labelled in the same ``labels.json`` shape) are always read; the five real articles the
project was created from (``../shared/corpus/seeds``) are extra cases when they are there. Rows
are built the way ``shared/tools/seeds_jsonl.py`` builds them (``tests.support.seeds``), so this test
reads the same text the acceptance script feeds to ``policywatch classify``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from pipeline.classify import Reading, classify, read
from pipeline.types import Classification, ExtractedEvent
from tests.support.paths import SEEDS
from tests.support.seeds import OUR_SEEDS, every_seed, labels, seed_row


def _classify(path: Path) -> Classification:
    row = seed_row(path)
    published = datetime.fromisoformat(row["published"]) if row.get("published") else None
    return classify(row["title"], row["text"], published)


def _candidates(path: Path) -> Reading:
    """The events the rules propose for a seed (the model then picks the primary one)."""
    row = seed_row(path)
    published = datetime.fromisoformat(row["published"]) if row.get("published") else None
    return read(row["title"], row["text"], published)


def _event(c: Classification | Reading, type_: str, name_part: str) -> ExtractedEvent:
    found = [e for e in c.events if e.type == type_ and name_part.lower() in e.name.lower()]
    assert found, f"no {type_} event named like {name_part!r} in {[e.key for e in c.events]}"
    return found[0]


def _ours_and_real(ours: str, real: str, *values: object) -> list[pytest.ParameterSet]:
    """A behaviour shown by one of our seeds, and by the real seed that shows it when present."""
    cases = [pytest.param(OUR_SEEDS / ours, *values[:1], id=f"ours:{ours}")]
    if (SEEDS / real).is_file():
        cases.append(pytest.param(SEEDS / real, *values[1:], id=f"real:{real}"))
    return cases


@pytest.mark.parametrize("path", every_seed())
def test_seed_primary_type_and_ai_policy(path: Path) -> None:
    c = _classify(path)
    assert c.event_type == labels(path.parent)[path.name]["primary"], [
        (e.key, e.confidence) for e in c.events
    ]
    assert c.ai_policy is True
    assert c.event_type == "none" or c.evidence


@pytest.mark.parametrize("path", every_seed())
def test_seed_jurisdictions(path: Path) -> None:
    gold = labels(path.parent)[path.name]["jurisdictions"]
    assert set(gold[:2]) <= set(_classify(path).jurisdictions)


@dataclass(frozen=True)
class Council:
    """What a seed announcing an upcoming council meeting must give."""

    key: str
    series: str
    slots: tuple[int, str, str, str]
    """ordinal, date, location, status"""
    past_council: str
    past_council_below_threshold: bool
    """True where the past council is only mentioned ("last month at another council")."""


OUR_COUNCIL = Council(
    "dpc_meeting:eu-singapore-digital-partnership-council:2",
    "EU-Singapore Digital Partnership Council",
    (2, "2027", "Singapore", "upcoming"),
    "EU-Japan",
    False,  # ours reports that meeting, with its place: a held meeting, not a passing mention
)
REAL_COUNCIL = Council(
    "dpc_meeting:eu-japan-digital-partnership-council:3",
    "EU-Japan Digital Partnership Council",
    (3, "2025", "Tokyo", "upcoming"),
    "EU-Korea",
    True,
)


@pytest.mark.parametrize(
    ("path", "want"),
    _ours_and_real("000_eu_singapore_council.txt", "000_0fdf2982f47c7923.txt", OUR_COUNCIL, REAL_COUNCIL),
)
def test_seed_upcoming_council_and_its_secondary_events(path: Path, want: Council) -> None:
    primary = _classify(path).events[0]
    assert primary.key == want.key
    # the slots the subscriber reads: said in the sentence that names the series, not in the lead
    assert (primary.ordinal, primary.date, primary.location, primary.status) == want.slots
    c = _candidates(path)
    ev = _event(c, "dpc_meeting", want.series)
    assert (ev.ordinal, ev.date, ev.location, ev.status) == want.slots
    assert ev.key == want.key
    # the secondary events are proposed too (the model keeps only the primary one for alerts)
    past = _event(c, "dpc_meeting", want.past_council)
    _event(c, "legislation", "AI Act")
    oecd = _event(c, "summit", "OECD")
    assert (oecd.location, oecd.status) == ("Paris", "upcoming") and oecd.confidence >= 0.7
    # "last month" at another council: reported, but below the default alert threshold
    assert (past.confidence < 0.7) is want.past_council_below_threshold
    assert past.status == "held"


@pytest.mark.parametrize(
    "path", _ours_and_real("002_japan_ministries_mou_summit.txt", "002_b01a38a719a9cd07.txt")
)
def test_seed_mou_key_is_not_generic(path: Path) -> None:
    mou = _event(_candidates(path), "mou", "")
    assert mou.key not in ("mou:mou", "mou:kr-mou", "mou:jp-mou")


@pytest.mark.parametrize(
    "path", _ours_and_real("001_korea_stance_no_meeting.txt", "001_143e537e811ab526.txt")
)
def test_seed_council_mention_is_not_a_meeting(path: Path) -> None:
    assert not [e for e in _classify(path).events if e.type == "dpc_meeting"]


@pytest.mark.parametrize("path", _ours_and_real("004_deta_summit_held.txt", "004_5f21cd170bab1fdb.txt"))
def test_seed_second_deta_summit_in_belgium(path: Path) -> None:
    c = _candidates(path)
    second = [e for e in c.events if e.type == "summit" and "DETA" in e.name and e.ordinal == 2]
    assert second and second[0].location == "Belgium" and second[0].status == "held"
    assert any(e.ordinal == 3 and "DETA" in e.name for e in c.events)

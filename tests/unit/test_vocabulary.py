"""The project's words are stored in databases and printed: their values must never drift.

``core.vocabulary`` writes each list once as a ``StrEnum``; this table pins every value, so a
rename shows up here (and needs a migration), not as old rows that no longer match."""

from __future__ import annotations

import json
from enum import StrEnum

import pytest

from core import vocabulary as v
from pipeline.intel import vocabulary as intel_vocabulary

PINNED: dict[type[StrEnum], list[str]] = {
    v.EventType: ["dpc_meeting", "summit", "mou", "legislation", "declaration"],
    v.EventStatus: ["upcoming", "held", "postponed", "cancelled", "overdue"],
    v.LabelKind: ["ai_policy", "jurisdiction", "topic", "event_type", "feature"],
    v.AlertKind: ["new", "follow_up", "overdue"],
    v.DeliveryMode: ["immediate", "digest"],
    v.AlertStatus: ["pending", "sending", "sent", "failed"],
    v.DigestStatus: ["pending", "sent", "empty"],
    v.HealthState: ["ok", "failing", "silent"],
    v.PollStatus: ["ok", "not_modified", "partial", "failed"],
}


@pytest.mark.parametrize("enum", list(PINNED), ids=lambda e: e.__name__)
def test_values_are_pinned(enum: type[StrEnum]) -> None:
    assert [m.value for m in enum] == PINNED[enum]


@pytest.mark.parametrize("enum", list(PINNED), ids=lambda e: e.__name__)
def test_a_member_is_its_string_wherever_it_goes(enum: type[StrEnum]) -> None:
    """Stored, compared, formatted and written as JSON, a member is its plain value."""
    for member in enum:
        assert member == member.value and f"{member}" == member.value
        assert json.dumps({"x": member}) == json.dumps({"x": member.value})
        assert enum(member.value) is member


def test_the_classifier_reads_the_same_words() -> None:
    """``pipeline.intel.vocabulary`` re-exports these very objects (no second list)."""
    assert intel_vocabulary.EventType is v.EventType
    assert (*PINNED[v.EventType], "none") == intel_vocabulary.CLASSES
    assert set(v.HEADINGS) == set(v.EventType) and set(v.TITLES) == {*v.EventType, v.NONE}


def test_a_member_round_trips_through_the_store() -> None:
    """SQLite gets the enum member and returns the plain string: what the rows always held."""
    import sqlite3

    db = sqlite3.connect(":memory:")
    db.execute("create table t (status text)")
    db.execute("insert into t values (?)", (v.AlertStatus.SENDING,))
    assert db.execute("select status from t where status = ?", (v.AlertStatus.SENDING,)).fetchone() == (
        "sending",
    )

"""What a new report changes in a stored event, as a table: event and report in, decision out.

The store (``models/events_repo.py``) only loads and writes; these rows are the policy it
applies: a gained detail or a status moving on is a revision (a follow-up), a finer date or a
series' name a quiet correction, a higher confidence news without a revision, the rest nothing.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.event_merge import (
    StoredEvent,
    merge_fresh,
    merge_reports,
    merge_stored,
    named_by_series,
    refines,
)
from pipeline.types import ExtractedEvent

KEY = "summit:made-up-summit:2031"
STORED = StoredEvent(key=KEY, name="Made-up Summit", confidence=0.8, revision=2)


def report(**fields: object) -> ExtractedEvent:
    base = ExtractedEvent(type="summit", name="Made-up Summit", key=KEY, evidence="", confidence=0.8)
    return replace(base, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("new", "old", "finer"),
    [
        ("2031-05-21", "2031-05", True),
        ("2031-05", "2031", True),
        ("2031-05-21", "2031", True),
        ("2031-05", "2031-05", False),  # the same
        ("2031-06-01", "2031-05", False),  # another month: a contradiction, not a refinement
        ("2031", "2031-05", False),  # coarser
        (None, "2031-05", False),
        ("2031-05-21", None, False),  # no date known: a gained detail, not a refinement
        (None, None, False),
    ],
)
def test_refines(new: str | None, old: str | None, finer: bool) -> None:
    assert refines(new, old) is finer


# (stored event, report) -> (fields of the merged event that differ from the stored one, news, touched)
STORED_ROWS: list[tuple[str, StoredEvent, ExtractedEvent, dict[str, object], bool, bool]] = [
    ("nothing new", STORED, report(), {}, False, False),
    ("a date gained", STORED, report(date="2031-05-21"), {"date": "2031-05-21", "revision": 3}, True, True),
    ("a place gained", STORED, report(location="Lisbon"), {"location": "Lisbon", "revision": 3}, True, True),
    ("an ordinal gained", STORED, report(ordinal=3), {"ordinal": 3, "revision": 3}, True, True),
    ("a status gained", STORED, report(status="upcoming"), {"status": "upcoming", "revision": 3}, True, True),
    (
        "two details in one report: one revision",
        STORED,
        report(date="2031-05", location="Lisbon"),
        {"date": "2031-05", "location": "Lisbon", "revision": 3},
        True,
        True,
    ),
    ("a known place is kept", replace(STORED, location="Porto"), report(location="Lisbon"), {}, False, False),
    ("a known date is kept", replace(STORED, date="2031-05-21"), report(date="2031-07-01"), {}, False, False),
    (
        "the day of a known month: finer, not news",
        replace(STORED, date="2031-05"),
        report(date="2031-05-21"),
        {"date": "2031-05-21"},
        False,
        True,
    ),
    (
        "upcoming, then held: news",
        replace(STORED, status="upcoming"),
        report(status="held"),
        {"status": "held", "revision": 3},
        True,
        True,
    ),
    (
        "upcoming, then postponed",
        replace(STORED, status="upcoming"),
        report(status="postponed"),
        {"status": "postponed", "revision": 3},
        True,
        True,
    ),
    (
        "overdue, then cancelled",
        replace(STORED, status="overdue"),
        report(status="cancelled"),
        {"status": "cancelled", "revision": 3},
        True,
        True,
    ),
    (
        "postponed, then held",
        replace(STORED, status="postponed"),
        report(status="held"),
        {"status": "held", "revision": 3},
        True,
        True,
    ),
    (
        "held, then upcoming: no step back",
        replace(STORED, status="held"),
        report(status="upcoming"),
        {},
        False,
        False,
    ),
    (
        "postponed, then postponed",
        replace(STORED, status="postponed"),
        report(status="postponed"),
        {},
        False,
        False,
    ),
    (
        "held, then cancelled: not a step",
        replace(STORED, status="held"),
        report(status="cancelled"),
        {},
        False,
        False,
    ),
    (
        "the series named: renamed quietly",
        STORED,
        report(series="Made-up AI Summit", name="Made-up AI Summit"),
        {"series": "Made-up AI Summit", "name": "Made-up AI Summit"},
        False,
        False,
    ),
    (
        "a series already named is kept",
        replace(STORED, series="Made-up Summit"),
        report(series="Another Summit", name="Another Summit"),
        {},
        False,
        False,
    ),
    (
        "confidence rises: news, no revision",
        STORED,
        report(confidence=0.95),
        {"confidence": 0.95},
        True,
        True,
    ),
    ("confidence falls: kept", STORED, report(confidence=0.5), {}, False, False),
    (
        "a detail and a higher confidence",
        STORED,
        report(location="Lisbon", confidence=1.0),
        {"location": "Lisbon", "confidence": 1.0, "revision": 3},
        True,
        True,
    ),
]


@pytest.mark.parametrize(
    ("stored", "new", "changed", "news", "touched"),
    [row[1:] for row in STORED_ROWS],
    ids=[row[0] for row in STORED_ROWS],
)
def test_merge_stored(
    stored: StoredEvent, new: ExtractedEvent, changed: dict[str, object], news: bool, touched: bool
) -> None:
    merged = merge_stored(stored, new)
    assert merged.event == replace(stored, **changed)  # type: ignore[arg-type]
    assert (merged.news, merged.touched) == (news, touched)


# An event first reported in this batch: later reports of the batch fill it in, never as news.
FRESH_ROWS: list[tuple[str, StoredEvent, ExtractedEvent, dict[str, object]]] = [
    ("a date filled", STORED, report(date="2031-05-21"), {"date": "2031-05-21"}),
    ("a place filled", STORED, report(location="Lisbon"), {"location": "Lisbon"}),
    ("a status filled", STORED, report(status="held"), {"status": "held"}),
    ("a status does not move on", replace(STORED, status="upcoming"), report(status="held"), {}),
    ("a finer date", replace(STORED, date="2031-05"), report(date="2031-05-21"), {"date": "2031-05-21"}),
    ("a higher confidence", STORED, report(confidence=0.9), {"confidence": 0.9}),
    ("a lower confidence", STORED, report(confidence=0.1), {}),
    (
        "the series named",
        STORED,
        report(series="Made-up AI Summit", name="X"),
        {"series": "Made-up AI Summit", "name": "X"},
    ),
]


@pytest.mark.parametrize(
    ("stored", "new", "changed"), [row[1:] for row in FRESH_ROWS], ids=[row[0] for row in FRESH_ROWS]
)
def test_merge_fresh(stored: StoredEvent, new: ExtractedEvent, changed: dict[str, object]) -> None:
    merged = merge_fresh(stored, new)
    assert merged.event == replace(stored, **changed)  # type: ignore[arg-type]
    assert not merged.news and not merged.touched


def test_named_by_series_needs_a_series_on_the_report() -> None:
    assert named_by_series(STORED, report(name="Another name")) == STORED


def test_a_batch_folds_its_reports_in_order() -> None:
    """Two reports of one stored event, each with a new detail: two revisions, one piece of news.
    The event created in this batch takes what its later reports add, but is not news."""
    other = StoredEvent(key="mou:made-up", name="Made-up MoU")
    out = merge_reports(
        {KEY: STORED, other.key: other},
        {other.key},
        [
            report(date="2031-05"),
            replace(report(), key=other.key, location="Oslo"),
            report(location="Lisbon"),
            report(date="2031-05-21"),
        ],
    )
    assert out.events[KEY] == replace(STORED, date="2031-05-21", location="Lisbon", revision=4)
    assert out.events[other.key] == replace(other, location="Oslo")
    assert out.news == [KEY]
    assert out.touched == {KEY}


def test_a_batch_reports_confidence_news_once_in_first_news_order() -> None:
    second = replace(STORED, key="summit:another")
    out = merge_reports(
        {KEY: STORED, second.key: second},
        set(),
        [replace(report(), key=second.key, confidence=0.9), report(confidence=0.9), report(confidence=1.0)],
    )
    assert out.news == [second.key, KEY]
    assert out.events[KEY].confidence == 1.0 and out.events[KEY].revision == STORED.revision


def test_a_batch_without_news_changes_nothing() -> None:
    out = merge_reports({KEY: STORED}, set(), [report(), report(confidence=0.1)])
    assert out.events == {KEY: STORED} and out.news == [] and out.touched == frozenset()

"""Which event a report joins, as a table: the batch's mentions and what the store knows in, the
keys out. The store (``models/events_repo.py``) only loads these inputs and writes the keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from pipeline.event_match import Mention, Report, is_trusted, one_key_per_event, types_to_compare
from pipeline.intel.identity import Identity, identity_of
from pipeline.types import ExtractedEvent

PUBLISHED = date(2031, 3, 1)


def event(key: str, type_: str = "summit", **fields: object) -> ExtractedEvent:
    return ExtractedEvent(type=type_, name=key, key=key, evidence="", **fields)  # type: ignore[arg-type]


def mention(item_id: int, ev: ExtractedEvent, *jurisdictions: str) -> Mention:
    return Mention(item_id, ev, jurisdictions)


def stored(ev: ExtractedEvent, *jurisdictions: str) -> tuple[str, Identity]:
    return ev.key, identity_of(ev, list(jurisdictions), PUBLISHED, "")


COUNCIL = event("dpc_meeting:eu-jp:2031-03", "dpc_meeting", date="2031-03-10")
COUNCIL_OTHER_NAME = event("dpc_meeting:japan-eu-digital-ministers", "dpc_meeting", date="2031-03-11")
COUNCIL_LATER = event("dpc_meeting:eu-jp:2031-06", "dpc_meeting", date="2031-06-20")
INCHEON = event("summit:ai-summit", location="Incheon")
PARIS = event("summit:ai-summit", location="Paris")
NAMED = event("summit:made-up-summit:3", series="Made-up Summit", ordinal=3)


@dataclass(frozen=True)
class Row:
    name: str
    mentions: list[Mention]
    expected: list[str]
    """The key each mention ends under, in order."""
    known: frozenset[str] = frozenset()
    recent: dict[str, list[tuple[str, Identity]]] = field(default_factory=dict)


ROWS = [
    Row("a new event keeps its key", [mention(1, COUNCIL, "EU", "JP")], [COUNCIL.key]),
    Row(
        "a named edition's known key is trusted, no comparison",
        [mention(1, NAMED, "KR")],
        [NAMED.key],
        known=frozenset({NAMED.key}),
    ),
    Row(
        "another outlet's name for a stored meeting joins it",
        [mention(1, COUNCIL_OTHER_NAME, "JP", "EU")],
        [COUNCIL.key],
        recent={"dpc_meeting": [stored(COUNCIL, "EU", "JP")]},
    ),
    Row(
        "the same council months later is another meeting",
        [mention(1, COUNCIL_LATER, "EU", "JP")],
        [COUNCIL_LATER.key],
        recent={"dpc_meeting": [stored(COUNCIL, "EU", "JP")]},
    ),
    Row(
        "the same date between other parties is another meeting",
        [mention(1, COUNCIL_OTHER_NAME, "EU", "KR")],
        [COUNCIL_OTHER_NAME.key],
        recent={"dpc_meeting": [stored(COUNCIL, "EU", "JP")]},
    ),
    Row(
        "a stored event of another type is never joined",
        [mention(1, event(COUNCIL_OTHER_NAME.key, "mou", date="2031-03-10"), "EU", "JP")],
        [COUNCIL_OTHER_NAME.key],
        recent={"dpc_meeting": [stored(COUNCIL, "EU", "JP")]},
    ),
    Row(
        "two names of one new meeting in one batch: the later joins the earlier",
        [mention(1, COUNCIL, "EU", "JP"), mention(2, COUNCIL_OTHER_NAME, "JP", "EU")],
        [COUNCIL.key, COUNCIL.key],
    ),
    Row(
        "a generic key its report agrees with is kept",
        [mention(1, INCHEON, "KR")],
        [INCHEON.key],
        known=frozenset({INCHEON.key}),
        recent={"summit": [stored(INCHEON, "KR")]},
    ),
    Row(
        "a generic key its report contradicts gets a key of its own",
        [mention(1, PARIS, "FR")],
        ["summit:ai-summit:paris"],
        known=frozenset({INCHEON.key}),
        recent={"summit": [stored(INCHEON, "KR")]},
    ),
    Row(
        "a contradicted generic key whose own key is known goes there",
        [mention(1, PARIS, "FR")],
        ["summit:ai-summit:paris"],
        known=frozenset({INCHEON.key, "summit:ai-summit:paris"}),
        recent={
            "summit": [stored(INCHEON, "KR"), stored(event("summit:ai-summit:paris", location="Paris"), "FR")]
        },
    ),
    Row(
        "a known generic key not among the recent events is kept",
        [mention(1, PARIS, "FR")],
        [PARIS.key],
        known=frozenset({PARIS.key}),
    ),
    Row(
        "the newest of two matching events wins",
        [mention(1, COUNCIL_OTHER_NAME, "EU", "JP")],
        ["dpc_meeting:newer"],
        recent={
            "dpc_meeting": [
                stored(event("dpc_meeting:newer", "dpc_meeting", date="2031-03-09"), "EU", "JP"),
                stored(COUNCIL, "EU", "JP"),
            ]
        },
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_one_key_per_event(row: Row) -> None:
    reports = {m.item_id: Report(PUBLISHED, "") for m in row.mentions}
    out = one_key_per_event(row.mentions, row.known, reports, row.recent)
    assert [m.event.key for m in out] == row.expected
    assert [(m.item_id, m.jurisdictions) for m in out] == [(m.item_id, m.jurisdictions) for m in row.mentions]


def test_the_inputs_are_not_changed() -> None:
    """The store may reuse what it loaded: the decision keeps its own copies."""
    recent = {"dpc_meeting": [stored(COUNCIL_LATER, "EU", "JP")]}
    known = {COUNCIL_LATER.key}
    one_key_per_event([mention(1, COUNCIL, "EU", "JP")], known, {}, recent)
    assert known == {COUNCIL_LATER.key} and [k for k, _ in recent["dpc_meeting"]] == [COUNCIL_LATER.key]


def test_only_untrusted_mentions_need_their_types_compared() -> None:
    known = frozenset({NAMED.key, INCHEON.key})
    mentions = [mention(1, NAMED, "KR"), mention(2, INCHEON, "KR"), mention(3, COUNCIL, "EU", "JP")]
    assert [is_trusted(m, known) for m in mentions] == [True, False, False]
    assert types_to_compare(mentions, known) == {"summit", "dpc_meeting"}
    assert types_to_compare(mentions[:1], known) == set()

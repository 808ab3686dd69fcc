"""One real event, one identity: reports that differ in wording, order of parties or detail meet;
two meetings of one council, or two milestones of one law, do not."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from pipeline.intel.identity import Identity, body_of, milestone_of, same_event


def ident(
    type_: str = "dpc_meeting",
    parties: tuple[str, ...] = ("EU", "JP"),
    ordinal: int | None = None,
    day: str | None = None,
    published: date | None = None,
    place: str | None = None,
    milestone: str | None = None,
    body: str | None = None,
) -> Identity:
    return Identity(type_, frozenset(parties), ordinal, day, published, place, milestone=milestone, body=body)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        # one meeting, reported differently
        (ident(ordinal=2, place="brussels"), ident(parties=("JP", "EU"), day="2024-04-30"), True),
        (ident(day="2024-04-30"), ident(day="2024-05-01"), True),
        (ident(day="2024-04"), ident(day="2024-04-30"), True),
        (ident(published=date(2024, 5, 1)), ident(day="2024-04-30", published=date(2024, 5, 3)), True),
        (ident(ordinal=2), ident(ordinal=2, published=date(2024, 5, 1)), True),
        # two meetings of one council, or another pair of parties
        (ident(ordinal=2), ident(ordinal=3), False),
        (ident(day="2023-07-03"), ident(day="2024-04-30"), False),
        (ident(published=date(2023, 7, 4)), ident(published=date(2024, 5, 1)), False),
        (ident(place="tokyo"), ident(place="brussels"), False),
        (ident(parties=("EU", "KR")), ident(parties=("EU", "JP")), False),
        (ident(), ident(type_="mou"), False),
        # a law has many milestones: undated reports of one law are not taken as one
        (ident("legislation", ("EU",)), ident("legislation", ("EU",)), False),
        (
            ident("legislation", ("EU",), day="2024-05-21"),
            ident("legislation", ("EU",), day="2024-05-21"),
            True,
        ),
        # one milestone of one law, reported together, is one event; its vote and entry into force two
        (
            ident("legislation", ("KR",), published=date(2024, 12, 26), milestone="passed"),
            ident("legislation", ("KR",), published=date(2024, 12, 27), milestone="passed"),
            True,
        ),
        (
            ident("legislation", ("KR",), published=date(2024, 12, 26), milestone="passed"),
            ident("legislation", ("KR",), published=date(2024, 12, 27), milestone="in_force"),
            False,
        ),
        (
            ident("legislation", ("EU",), milestone="passed"),
            ident("legislation", ("EU",), milestone="passed"),
            False,
        ),
        # undated, one milestone of one law by the same body is one event; by two bodies, two
        (
            ident("legislation", ("EU",), milestone="passed", body="eu_parliament"),
            ident("legislation", ("EU",), milestone="passed", body="eu_parliament"),
            True,
        ),
        (
            ident("legislation", ("EU",), milestone="passed", body="eu_parliament"),
            ident("legislation", ("EU",), milestone="passed", body="eu_council"),
            False,
        ),
        (
            ident("legislation", ("EU",), published=date(2024, 5, 21), milestone="passed", body="eu_council"),
            ident(
                "legislation", ("EU",), published=date(2024, 5, 22), milestone="passed", body="eu_parliament"
            ),
            False,
        ),
        # a named law's once-only milestone (signed, vetoed, published): one event, dated or not;
        # its passage, undated and by no named body, may be any of its votes
        (
            replace(ident("legislation", ("US",), day="2023-10-30", milestone="signed"), series="us eo"),
            replace(ident("legislation", ("US",), milestone="signed"), series="us eo"),
            True,
        ),
        (
            replace(ident("legislation", ("EU",), milestone="passed"), series="eu ai act"),
            replace(ident("legislation", ("EU",), milestone="passed"), series="eu ai act"),
            False,
        ),
        (
            replace(ident("legislation", ("EU",), milestone="signed"), series="eu ai act"),
            replace(ident("legislation", ("EU",), milestone="signed"), series="eu data act"),
            False,
        ),
        # the same body's vote in the same capital: its place does not stop the comparison, and a
        # report that also names another jurisdiction (for comparison) is still of this one's law
        (
            ident("legislation", ("BR",), place="brasilia", milestone="passed", body="upper_house"),
            ident("legislation", ("BR", "EU"), place="brasilia", milestone="passed", body="upper_house"),
            True,
        ),
        (
            ident("legislation", ("BR",), place="brasilia", milestone="passed", body="upper_house"),
            ident("legislation", ("BR",), place="brasilia", milestone="passed", body="lower_house"),
            False,
        ),
        # a month read from a report's date, and a meeting held in the last days of the month before
        (ident(day="2024-05", place="brussels"), ident(day="2024-04-29"), True),
        (ident(day="2025-05"), ident(day="2025-02-02"), False),
        # a bare year does not date an event, but another year contradicts it
        (
            ident("legislation", ("EU",), day="2024-03-13", published=date(2024, 3, 13), milestone="passed"),
            ident("legislation", ("EU",), day="2024", published=date(2024, 7, 15)),
            False,
        ),
        (
            ident("summit", ("FR",), day="2025", place="paris"),
            ident("summit", ("FR",), day="2026", place="paris"),
            False,
        ),
        (
            ident("summit", ("FR",), day="2025", place="paris"),
            ident("summit", ("IN",), day="2025-02-10", place="paris"),
            True,
        ),
        # a dated summit, and an undated report whose headline names only other years
        (
            ident("summit", ("UN",), day="2024", place="geneva"),
            replace(ident("summit", ("CH", "AE"), place="geneva"), years=frozenset({"2027", "2028"})),
            False,
        ),
        (
            ident("summit", ("CH",), day="2027", place="geneva"),
            replace(ident("summit", ("CH", "AE"), place="geneva"), years=frozenset({"2027", "2028"})),
            True,
        ),
        # summits: the same place or edition, or the same dates
        (ident("summit", ("FR", "IN"), place="paris"), ident("summit", ("IN",), place="paris"), True),
        # one outlet names the host, another the guests: the shared place still makes it one summit
        (ident("summit", ("FR",), place="paris"), ident("summit", ("CN",), place="paris"), True),
        (ident("summit", ("FR",), place="paris"), ident("summit", ("CN",), place="beijing"), False),
        (ident("summit", ("FR",)), ident("summit", ("CN",)), False),
        # a five-day summit reported on its first and on its last day; a council's days are closer
        (ident("summit", ("IN",), day="2026-02-16"), ident("summit", ("IN",), day="2026-02-20"), True),
        (ident(day="2026-02-16"), ident(day="2026-02-20"), False),
        # two parties in common, one report naming a third: not enough (every pair of train+dev
        # reports of one type: 76 more different events merged for 7 more of one event's reports)
        (ident("declaration", ("G20", "BR", "JP")), ident("declaration", ("G20", "BR")), False),
        (ident("declaration", ("G20", "BR", "JP")), ident("declaration", ("G20", "IN")), False),
        (
            ident("summit", ("KR", "UK"), day="2024-05-21"),
            ident("summit", ("UK", "KR"), day="2023-11-01"),
            False,
        ),
    ],
)
def test_same_event(a: Identity, b: Identity, same: bool) -> None:
    assert same_event(a, b) is same
    assert same_event(b, a) is same


@pytest.mark.parametrize(
    ("headline", "milestone"),
    [
        ("Korea passes AI Basic Act", "passed"),
        ("'AI 기본법' 국회 본회의 통과…내달 22일 시행", "passed"),
        ("EU AI Act enters into force", "in_force"),
        ("欧州AI規制法が発効", "in_force"),
        ("Governor vetoes AI safety bill", "vetoed"),
        ("President signs executive order on AI", "signed"),
        ("Colorado delays its AI Act", "delayed"),
        ("EU-Parlament beschließt AI Act", "passed"),
        ("Luz verde al anteproyecto de ley de IA", "passed"),
        ("El Gobierno aprueba la ley de IA", "passed"),
        ("EU, 세계 첫 AI 규제법 최종 승인…내달 발효", "passed"),
        ("EU-Staaten segnen AI Act final ab", "passed"),
        ("State legislators approve a five-month delay of its AI Act", "delayed"),
        ("Senate passes bill that would repeal the AI order", "revoked"),
        ("AI Act published in the Official Journal", "published"),
        ("KI-Verordnung im Amtsblatt veröffentlicht", "published"),
        ("President issues executive order on AI safety", "signed"),
        ("President orders agencies to drop AI rules", "signed"),
        ("What executive orders on AI have done", None),
        ("A look at AI rules", None),
    ],
)
def test_milestone_of(headline: str, milestone: str | None) -> None:
    assert milestone_of(headline) == milestone


@pytest.mark.parametrize(
    ("headline", "body"),
    [
        ("EU-Parlament beschließt AI Act", "eu_parliament"),
        ("Le Parlement européen adopte l'AI Act", "eu_parliament"),
        ("EU Council gives final approval to the AI Act", "eu_council"),
        ("EU-Staaten segnen AI Act final ab", "eu_council"),
        ("House of Councillors passes AI Promotion Bill", "upper_house"),
        ("국회 법사위, 'AI 기본법' 통과", "committee"),
        ("'AI 기본법' 국회 본회의 통과", "plenary"),
        ("Korea passes AI Basic Act", None),
    ],
)
def test_body_of(headline: str, body: str | None) -> None:
    assert body_of(headline) == body


@pytest.mark.parametrize("stored", ["--06-30", "2024-13-01", "2024-02-30", "June 2024", ""])
def test_a_malformed_stored_date_is_no_date_not_an_error(stored: str) -> None:
    from pipeline.intel.identity import identity_of
    from pipeline.types import ExtractedEvent

    event = ExtractedEvent(type="dpc_meeting", name="x", key="k", evidence="", date=stored)
    old = identity_of(event, ["EU", "JP"], None)
    assert old.day is None
    assert same_event(old, ident(day="2024-06-30")) is True  # nothing tells them apart

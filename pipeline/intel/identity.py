"""Whether two reports are of one real event: the same meeting from many outlets and languages.

An exact key cannot do it: one outlet names "the second EU-Japan Digital Partnership Council",
another "Japan-EU digital ministers' meeting in Brussels", a third "日EUデジタルパートナーシップ閣僚
級会合"; one dates it, another does not. So identity compares what reports of one event share,
as the labelling guide defines it (same type, date and place):

- the type, always;
- the parties of a bilateral council or MoU (the two jurisdictions it is between);
- no contradiction: two different ordinals, places, or dates more than a few days apart are two
  events (two meetings of one council are months apart and numbered);
- dates: stated dates within a few days, else (one or both undated) the reports' dates, stated
  or published, within a fortnight;
- and, for undated reports, something shared: the two parties of a council or MoU; the edition,
  place or series of a summit or declaration. Undated reports of one law are merged only when
  they name the same milestone and the same body that acted: a law has many milestones (a
  vote, a signature, entry into force), and passes once per body (parliament, then council).

The store asks this of a new event against the recent events of its type, so a later report
joins the event the first one created instead of making a second one (and a second alert).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from pipeline.intel.dates import YEAR, day_span
from pipeline.intel.event_keys import slug
from pipeline.intel.vocabulary import EventType
from pipeline.text import fold
from pipeline.types import ExtractedEvent

BILATERAL = frozenset({EventType.DPC_MEETING, EventType.MOU})
SAME_DAY_SLACK = 3
"""Days two stated dates of one event may differ by (time zones, multi-day meetings, 'yesterday')."""
SUMMIT_DAYS = 5
"""A summit runs up to five days (the AI Impact Summit, 16 to 20 February 2026): reports dated by
its first and last days are one summit; its editions are a year apart."""
REPORT_WINDOW = 14
"""Days apart two reports of one event are published, at most, when neither states its date."""
UNDATED_WINDOW: dict[str, int] = {EventType.SUMMIT: 30, EventType.DECLARATION: 30}
"""Days apart two undated reports may come out, and after its date a report of an event may: a
summit is covered for weeks (announcements, then analysis)."""
ANNOUNCED_AHEAD: dict[str, int] = {EventType.SUMMIT: 400, EventType.DECLARATION: 120}
"""Days before an event its first reports may come out (a summit is announced a year ahead)."""


@dataclass(frozen=True, slots=True)
class Identity:
    """What identifies an event across reports (see ``identity_of``)."""

    type: str
    parties: frozenset[str]
    ordinal: int | None
    day: str | None
    """The event's own date ('2024-04-30' or '2024-04'), when a report states it."""
    published: date | None
    place: str | None
    series: str | None = None
    """A curated series the rules named ('AI Action Summit'), when one did."""
    years: frozenset[str] = frozenset()
    """Years the headline names ('2024 AI for Good Global Summit'): an edition, or its context."""
    milestone: str | None = None
    """For a law: which milestone the headline reports (passed, signed, in force, ...)."""
    body: str | None = None
    """For a law: the body that acted (parliament, council, upper or lower house, committee, ...)."""


def parties_for(event_type: str, jurisdictions: list[str]) -> frozenset[str]:
    """The parties that identify the event: the two main jurisdictions of a bilateral council or
    MoU (the item's jurisdictions come most-named first); for the rest, the first three."""
    return frozenset(jurisdictions[: 2 if event_type in BILATERAL else 3])


_MILESTONES = (
    # the first that the headline says, in this order: "passed, in force from 2026" is the vote
    ("vetoed", r"\bveto(?:es|ed)?\b|거부권|拒否権"),
    ("revoked", r"\b(?:revok|rescind|repeal)\w*|철회|폐지|撤回|廃止"),
    ("delayed", r"\b(?:delay|postpon)\w*|연기|유예|延期"),
    ("proposed", r"\b(?:propos|draft|introduc|unveil)\w*|발의|発議|提出|草案"),
    ("passed", r"\b(?:pass(?:es|ed)?|approv\w*|adopt\w*|vot\w*|enact\w*|agree\w*)\b"
     r"|통과|의결|가결|승인|可決|成立|議決|承認|aprova\w*|approva\w*|verabschied\w*|votad\w*|\bsegne\w*\s.{0,40}\bab\b"
     r"|\bbeschlie(?:ß|ss)\w*|\bbeschloss\w*|grünes\s+Licht|luz\s+verde|feu\s+vert|via\s+libera"
     r"|\baprueb\w*|\baprob[óo]\w*"),
    ("signed", r"\bsign(?:s|ed)?\b|\bissu(?:es|ed)\b|\b(?<!executive\s)order(?:s|ed)\b(?!\s+(?:on|to|for)\b)"
     r"|서명|署名|sanciona\w*|firma\w*"),
    ("in_force", r"\b(?:in(?:to)?\s+force|takes?\s+effect|appl(?:y|ies|ication)|effective|kicks?\s+in)\b"
     r"|시행|발효|施行|発効|適用|vigor|vigueur|in\s+Kraft|in\s+vigore"),
    ("published", r"\bOfficial\s+Journal\b|\bAmtsblatt\b|\bJournal\s+officiel\b|\bGazzetta\s+Ufficiale\b"
     r"|\bDiário\s+Oficial\b|\bBoletín\s+Oficial\b|官報|관보|\bveröffentlicht\b|\bpubli(?:é|ée|cado|cada)\b"),
)  # fmt: skip
_OVERRIDING = ("delayed", "vetoed", "revoked")
"""Milestones that win wherever the headline says them: "legislators approve five-month delay of
the AI Act" reports the delay (an approval of it), not the law's passage."""
_MILESTONE_RX = [(name, re.compile(rx, re.IGNORECASE)) for name, rx in _MILESTONES]


_BODIES = (
    # the first that the headline names; a law passes once per body
    ("committee", r"\bcommittees?\b|委員会|위원회|법사위|과방위|소위|\bComisi[óo]n\b|\bAusschuss\b"),
    ("eu_parliament", r"\bEuropean\s+Parliament\b|\bEU[- ]Parlament\b|\bEuropäische\w*\s+Parlament\b"
     r"|\bMEPs?\b|\bParlement\s+européen\b|\bParlamento\s+Europeu\b|\bParlamento\s+europeo\b"
     r"|欧州議会|(?:유럽|EU)\s*의회"),
    ("eu_council", r"\bCouncil\s+of\s+the\s+(?:EU|European\s+Union)\b|\bEU\s+Council\b|\bEU[- ]Rat\b"
     r"|\bEU[- ]Staaten\b|\bmember\s+states\b|\b27\s+(?:pays|EU|member)|\bConseil\s+de\s+l.UE\b"
     r"|EU\)?\s*理事会|EU\s*(?:각료\s*)?이사회|\bEU\s+(?:countries|ministers|governments)\b"),
    ("upper_house", r"\bSenate\b|\bSenado\b|\bSénat\b|\bHouse\s+of\s+Councillors\b|参議院|参院|상원"
     r"|\bBundesrat\b"),
    ("lower_house", r"\bHouse\s+of\s+Representatives\b|\bU\.?S\.?\s+House\b|\bC[âa]mara\b|衆議院|衆院|하원"
     r"|\bBundestag\b"),
    ("plenary", r"본회의|本会議|\bplenary\b|\bNational\s+Assembly\b"),
    ("government", r"\bcabinet\b|\bGobierno\b|\bConsejo\s+de\s+Ministros\b|閣議|국무회의"
     r"|\bgovernment\s+approves\b"),
)  # fmt: skip
_BODY_RX = [(name, re.compile(rx, re.IGNORECASE)) for name, rx in _BODIES]


def body_of(title: str) -> str | None:
    """The body a law's headline says acted: the European Parliament's vote and the Council's
    approval are two events, each reported as "passed". (The headline only: a stored event is
    compared by its first report's headline, so a new report must be read the same way.)"""
    found = [(m.start(), name) for name, rx in _BODY_RX if (m := rx.search(title))]
    return min(found)[1] if found else None


def milestone_of(title: str) -> str | None:
    """The law's milestone a headline reports ('Korea passes AI Basic Act' -> 'passed')."""
    found = [(m.start(), name) for name, rx in _MILESTONE_RX if (m := rx.search(title))]
    overriding = [hit for hit in found if hit[1] in _OVERRIDING]
    return min(overriding or found)[1] if found else None


def identity_of(
    event: ExtractedEvent, jurisdictions: list[str], published: date | None, title: str = ""
) -> Identity:
    return Identity(
        type=event.type,
        parties=parties_for(event.type, jurisdictions),
        ordinal=event.ordinal,
        day=_valid_day(event.date),
        published=published,
        place=fold(event.location or "") or None,  # "Brasília" is "Brasilia"
        series=(event.series or "").casefold() or None,
        years=frozenset(YEAR.findall(title)),
        milestone=milestone_of(title) if event.type == EventType.LEGISLATION else None,
        body=body_of(title) if event.type == EventType.LEGISLATION else None,
    )


_DAY = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def _valid_day(day: str | None) -> str | None:
    """An ISO date, month or year that compares; anything else (an old stored '--06-30', a
    typo) is no date rather than an error in the store's batch."""
    if not day or not _DAY.match(day):
        return None
    try:
        day_span(day)
    except ValueError:
        return None
    return day


def _days_apart(a: str, b: str) -> int:
    """Days between two ISO dates. A day and a month: days from the day to the month (0 inside
    it), so "2024-04-29" is two days from "2024-05": a month read from a report's date
    (``report_month``) may be the month after a meeting held in its last days. Two months or
    years: 0 when one is within the other, else at least a month."""
    if len(a) >= 10 and len(b) >= 10:
        return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days)
    if len(a) >= 10 or len(b) >= 10:
        day, span = (a, b) if len(a) >= 10 else (b, a)
        one = date.fromisoformat(day[:10])
        first, last = day_span(span)
        return max(0, (first - one).days, (one - last).days)
    n = min(len(a), len(b))
    return 0 if a[:n] == b[:n] else 31


def contradicts(a: Identity, b: Identity) -> bool:
    """What tells two reports' events apart whatever else they share: another type, other parties,
    edition, place, series, milestone, acting body, year or day. Two reports that merely share
    nothing do not contradict each other (``same_event`` asks for more)."""
    if a.type != b.type:
        return True
    if a.type in BILATERAL:
        if len(a.parties) == 2 == len(b.parties) and a.parties != b.parties:
            return True
        if not (a.parties & b.parties):
            return True
    elif a.parties and b.parties and not (a.parties & b.parties) and not _named_alike(a, b):
        return True  # a summit's reports name its host, co-hosts or members: its name is enough
    if a.ordinal and b.ordinal and a.ordinal != b.ordinal:
        return True
    if a.place and b.place and a.place not in b.place and b.place not in a.place:
        return True
    if a.series and b.series and a.series != b.series:
        return True
    if a.milestone and b.milestone and a.milestone != b.milestone:
        return True  # a law's vote and its entry into force are two events
    if a.body and b.body and a.body != b.body:
        return True  # the Parliament's vote and the Council's approval of one law
    if a.years and b.years and not (a.years & b.years):
        return True  # "the 2023 AI for Good summit" and "the 2024 AI for Good summit"
    for one, other in ((a, b), (b, a)):
        if one.day and not other.day and other.years and one.day[:4] not in other.years:
            return True  # the 2024 summit, and a report whose headline names only 2027 and 2028
    if a.day and b.day and (len(a.day) == 4 or len(b.day) == 4) and a.day[:4] != b.day[:4]:
        return True
    a, b = _without_bare_year(a), _without_bare_year(b)
    slack = SUMMIT_DAYS if a.type == EventType.SUMMIT else SAME_DAY_SLACK
    return bool(a.day and b.day and _days_apart(a.day, b.day) > slack)


def distinct_key(key: str, ident: Identity, item_id: int) -> str:
    """A key for a report whose event contradicts the one already stored under ``key``: suffixed
    with what the report states (place, day, publication day), else its item, so a re-run of the
    same report gives the same key."""
    tag = ident.place or ident.day or (ident.published.isoformat() if ident.published else f"item-{item_id}")
    return f"{key}:{slug(tag)}"


def same_event(a: Identity, b: Identity) -> bool:
    if contradicts(a, b):
        return False
    a, b = _without_bare_year(a), _without_bare_year(b)
    if a.day and b.day:
        return True
    if not _reported_together(a, b) or not _reported_together(b, a):
        return False
    # Nothing contradicts; something must be shared. The same two parties identify a council or
    # an MoU; a summit or a declaration needs its edition, place or series, or two parties in
    # common (a host and a co-host, a group and its host); a law has many milestones and needs
    # the same one, and a stated date, the same acting body, or a milestone reached once.
    if a.type == EventType.LEGISLATION:
        # the same milestone of one law (its series, or one jurisdiction's), reported together:
        # both reports dated (stated or published), since a law passes more than once (a
        # parliament's vote, then the council's). Its place is no help: laws pass in capitals.
        same_law = bool(a.series and a.series == b.series) or _same_jurisdiction(a, b)
        dated = bool((a.day or a.published) and (b.day or b.published))
        # undated, the same milestone is still one event when both name the same body that acted
        # ("EU-Parlament beschließt AI Act", "EU-Parlament gibt grünes Licht für den AI Act"), or
        # when the milestone is one a named law reaches once (its signature, its veto)
        same_act = dated or bool(a.body and a.body == b.body) or _once_per_law(a, b)
        return same_law and same_act and bool(a.milestone and a.milestone == b.milestone)
    if a.ordinal and a.ordinal == b.ordinal or a.place and b.place:  # the same place: checked above
        return True
    if a.series and a.series == b.series:
        return True
    if a.type in BILATERAL:
        return len(a.parties) == 2 and a.parties == b.parties
    # the same party set: two parties in common with a third named by one report merged 76 more
    # pairs of different events on train+dev (every pair of reports of one type) for 7 more pairs
    # of one event's reports (2026-12-08), so one outlet's extra guest keeps the reports apart
    return len(a.parties) >= 2 and a.parties == b.parties


def _same_jurisdiction(a: Identity, b: Identity) -> bool:
    """Two reports of a law from the same jurisdiction: the same parties, or one report's within
    the other's (a Brazilian report of Brazil's law that also names the EU's, for comparison)."""
    return bool(a.parties and b.parties and (a.parties <= b.parties or b.parties <= a.parties))


ONCE_PER_LAW = frozenset({"signed", "published", "vetoed", "proposed"})
"""Milestones a named law reaches once: it is proposed, signed, vetoed or published in the
official journal one time, while it passes once per body and applies in stages (the AI Act's
bans in February 2025, its general-purpose rules that August)."""


def _once_per_law(a: Identity, b: Identity) -> bool:
    """Two reports of one named law's once-only milestone (``ONCE_PER_LAW``): one event, dated or
    not ("Biden signs executive order on AI" and "President Biden issues Executive Order")."""
    return bool(a.series and a.series == b.series and a.milestone in ONCE_PER_LAW)


def _without_bare_year(ident: Identity) -> Identity:
    """A bare year ("2024") contradicts another year, but does not date an event: the AI Act's
    vote in March and its publication in July are both "2024". Compared as undated instead."""
    return replace(ident, day=None) if ident.day and len(ident.day) == 4 else ident


def _named_alike(a: Identity, b: Identity) -> bool:
    """Reports of one summit or declaration that name different parties (the host in one, the
    signatories in another) still share its series, its place (checked for agreement after
    this) or its edition year."""
    return bool(a.series and a.series == b.series or a.place and b.place or a.years & b.years)


def _reported_together(a: Identity, b: Identity) -> bool:
    """Whether ``b``'s report can be about ``a``'s event, by dates (when ``b`` states none).

    A report comes out around its event: up to a fortnight after it, and before it by as long as
    an event is announced ahead (a summit a year, a council or a law's vote weeks). Two undated
    reports came out within a fortnight of each other."""
    if b.day or b.published is None:
        return True
    if a.day:
        start, end = day_span(a.day)
        ahead = ANNOUNCED_AHEAD.get(a.type, 45)
        after = UNDATED_WINDOW.get(a.type, REPORT_WINDOW)
        return start - timedelta(days=ahead) <= b.published <= end + timedelta(days=after)
    window = UNDATED_WINDOW.get(a.type, REPORT_WINDOW)
    return a.published is None or abs((a.published - b.published).days) <= window

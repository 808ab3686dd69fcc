"""An event the model found where no rule names it: slots and identity from generic patterns.

New councils, laws and summits appear every month; the rules know only some by name. When the
model says an item reports, say, a council meeting and no named series matched, the event is
built from what any report of one says: the parties (jurisdictions in the headline, then the
lead), its date, place, ordinal and status in the headline and lead. Its key is type + parties +
ordinal (or month), so "EU-Japan", "Japan-EU", 日EU and 한-EU reports of one meeting meet.
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.intel.clause_dates import pick_date
from pipeline.intel.event_keys import order_parties, party_label, slug
from pipeline.intel.ordinals import find_ordinal
from pipeline.intel.rules_schema import Rules, Series
from pipeline.intel.sentence_index import jurisdiction_spans
from pipeline.intel.status import find_status
from pipeline.intel.vocabulary import TITLES, EventType
from pipeline.types import ExtractedEvent

LEAD_SENTENCES = 2
MAX_PARTIES: dict[str, int] = {EventType.DPC_MEETING: 2, EventType.MOU: 2}
"""Councils and MoUs are bilateral; a law or a summit has one host or many members."""
ORDINAL_TYPES = (EventType.DPC_MEETING, EventType.SUMMIT)


def named_series(event_type: str, title: str, rules: Rules) -> Series | None:
    """The first curated series of ``event_type`` the headline names, if any."""
    return next(
        (s for s, rx in rules.fast.series if s.type == event_type and not s.generic and rx.search(title)),
        None,
    )


def parties_of(title: str, lead: list[str], rules: Rules, limit: int) -> list[str]:
    """Jurisdiction codes named in the headline first, then the lead (at most ``limit``)."""
    codes: list[str] = []
    for text in (title, *lead):
        for _s, _e, code in jurisdiction_spans(text, rules):
            if code not in codes:
                codes.append(code)
    return order_parties(codes[:limit], rules)


def generic_event(
    event_type: str,
    title: str,
    sentences: list[str],
    published: date | None,
    rules: Rules,
    confidence: float,
) -> ExtractedEvent:
    lead = sentences[:LEAD_SENTENCES]
    region = " ".join([title, *lead])
    parties = parties_of(title, lead, rules, MAX_PARTIES.get(event_type, 3))
    status = find_status(region, rules)
    day = None
    for text in lead:  # the headline rarely dates the event, and its "2026" is often an edition
        day = pick_date(text, 0, published, status)
        if day:
            break
    found = find_ordinal(region) if event_type in ORDINAL_TYPES else None
    ordinal = found[0] if found else None
    label = party_label(parties, rules)
    series = named_series(event_type, title, rules)
    if series is not None:
        # The headline names a series the rules know ("AI for Good Summit: ...", "EU-Parlament
        # beschließt AI Act") without the cue words that make the rules propose it: the event is
        # that series', so reports of it share its name (identity compares series).
        name, base = series.name, slug(series.name)
    else:
        name = f"{label} {TITLES[event_type]}".strip() if label else f"{TITLES[event_type]}: {title[:80]}"
        base = slug(label) if label else slug(title)[:48]
    if ordinal:
        name = f"{ordinal_word(ordinal)} {name}"
    period = (day or (published.isoformat() if published else ""))[:7]
    suffix = str(ordinal) if ordinal else (period or "undated")
    if status is None and day and day[:1].isdigit() and published is not None:
        status = "upcoming" if day > published.isoformat()[: len(day)] else "held"
    return ExtractedEvent(
        type=event_type,
        name=name,
        key=f"{event_type}:{base}:{suffix}",
        evidence=title or (lead[0] if lead else ""),
        ordinal=ordinal,
        date=day,
        # the place is decided with the date for every primary event (classify.with_slots); a named
        # series' own venue is its fallback there
        location=series.location if series is not None else None,
        status=status,
        series=series.name if series is not None else None,
        rule="model:generic" if series is None else f"model:{series.id}",
        confidence=round(confidence, 2),
    )


_WORD = r"[A-Z][\w’'.]*(?:[-–][A-Z][\w’'.]*)*"
_BODY_NAME = re.compile(
    r"\b(?P<name>(?:(?:European|United|South|North|Saudi|New)\s+)?[A-Z][\w’'.]*[-–][A-Z][\w’'.]*(?:\s+(?:"
    + _WORD
    + r"|and|on|of|for|&)){0,7}"
    r"\s+(?:Dialogue|Council|Initiative|Joint\s+Committee|Committee|Forum|Partnership)(?:\s+(?:Council|Dialogue))?)\b"
)
"""A bilateral body as the report names it: "Australia-India Digital and Critical Technology
Dialogue", "UK-India Technology Security Initiative", "India-EU Trade & Technology Council"."""


def body_name(title: str, lead: list[str]) -> str | None:
    """The council's own name in the headline, else the lead (English only; a bilateral body's
    name starts with its two parties). Events the rules found under a template name ("EU-Brazil
    Digital Partnership Council") are shown to subscribers under this one when there is one."""
    for text in (title, *lead):
        m = _BODY_NAME.search(text)
        if m:
            return m.group("name")
    return None


def ordinal_word(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"

"""Event keys: one deterministic identity per event (type, slug of the canonical name, ordinal or year).

Parties are ordered one way ("Japan-EU" = "EU-Japan"), so write-ups of one meeting by several
outlets and in several languages share a key.
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.intel.candidates import Event, Mention, best_attr
from pipeline.intel.event_names import GENERIC_SUMMIT
from pipeline.intel.rules_schema import Rules
from pipeline.intel.vocabulary import EventType
from pipeline.types import ExtractedEvent


def slug(text: str) -> str:
    """Lower-case, dash-separated identity fragment (Unicode letters kept for CJK names)."""
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-")


def order_parties(codes: list[str], rules: Rules) -> list[str]:
    """EU first, then alphabetical by display name: one spelling for "Japan-EU" and "EU-Japan"."""
    uniq = list(dict.fromkeys(codes))

    def key(code: str) -> tuple[int, str]:
        j = rules.jurisdiction(code)
        return (0 if code == "EU" else 1, j.label if j else code)

    return sorted(uniq, key=key)


def party_label(codes: list[str], rules: Rules) -> str:
    labels = []
    for c in order_parties(codes, rules):
        j = rules.jurisdiction(c)
        labels.append(j.label if j else c)
    return "-".join(labels)


def to_extracted(ev: Event, published: date | None, rules: Rules) -> ExtractedEvent:
    """Freeze an Event into the shared type with its deterministic key."""
    ordinal = ev.ordinal
    day = best_attr(ev, "date")
    rich = max(
        (m for m in ev.mentions if m.explicit or m.ordinal),
        key=lambda m: (bool(m.ordinal) + bool(m.date) + bool(m.location) + bool(m.status), m.explicit),
        default=ev.mentions[0],
    )
    status = rich.status or best_attr(ev, "status")
    if status is None and day and day[:1].isdigit() and published is not None:
        status = "upcoming" if day > published.isoformat()[: len(day)] else "held"
    location = (
        next((m.location for m in ev.mentions if m.location and m.ordinal == ordinal), None)
        or best_attr(ev, "location")
        or ev.series.location
    )
    name = ev.name
    base = ev.name
    year = day[:4] if day and day[:1].isdigit() else None
    if ev.series.generic and ev.type == EventType.SUMMIT and name == GENERIC_SUMMIT and location:
        # An unnamed summit is identified by where (and when) it is held: "AI Summit (Geneva 2027)".
        name = f"AI Summit ({location}{' ' + year if year else ''})"
        base = f"AI Summit {location}"
    parties = "-".join(order_parties(ev.parties, rules))
    if ev.series.key_from in ("parties", "mention") and ev.parties:
        base = f"{parties} {ev.type}"
    ident = next((m.ident for m in ev.mentions if m.ident and m.explicit), None)
    if ident:
        # "US AI law" is every US state's law: the bill or Act the item names tells them apart.
        base = f"{parties} {ident}".strip()
        label = party_label(ev.parties, rules)
        name = f"{ident} ({label})" if label and label.lower() not in ident.lower() else ident
    if ev.type == EventType.MOU:
        base, year = _mou_identity(ev, rich.text, published, rules, year)
    if ordinal:
        key = f"{ev.type}:{slug(base)}:{ordinal}"
    elif year:
        key = f"{ev.type}:{slug(base)}:{year}"
    else:
        key = f"{ev.type}:{slug(base)}"
    confidence = round(min(1.0, ev.score / 4.0), 2)
    if not ev.series.generic and any(_concrete(m) for m in ev.mentions):
        # A curated series named in the item's own words with a when and a where ("the forthcoming OECD
        # ministerial meeting in Paris") is a real event even when mentioned once.
        confidence = max(confidence, CONCRETE_CONFIDENCE)
    if ev.background:
        confidence = min(confidence, BACKGROUND_CONFIDENCE)
    return ExtractedEvent(
        type=ev.type,
        name=name,
        key=key,
        evidence=rich.text,
        series=None if ev.series.generic else ev.series.name,
        ordinal=ordinal,
        date=day,
        location=location,
        status=status,
        rule=ev.series.id,
        confidence=confidence,
    )


BACKGROUND_CONFIDENCE = 0.6
"""Cap for past events named in passing: below subscribers' default alert threshold (0.7)."""
CONCRETE_CONFIDENCE = 0.75
"""Floor for a named series mentioned with a cue, a place and a date or upcoming/postponed status."""


def _concrete(m: Mention) -> bool:
    when = bool(m.date and m.date[:1].isdigit()) or m.status in ("upcoming", "postponed") or bool(m.ordinal)
    return m.explicit and m.has_cue and not m.background and not m.boiler and when and bool(m.location)


_ORG = re.compile(
    r"\b(?:Ministry|Department|Office|Agency|Institute|Authority|Commission)\s+(?:of|for)\s+(?:the\s+)?"
    r"[A-Z][\w&-]*(?:\s+(?:and|&|of|for)\s+[A-Z][\w&-]*|\s+[A-Z][\w&-]*){0,4}"
    r"|\b(?:[A-Z][\w&-]*\s+){1,4}(?:Ministry|Department|Office|Agency|Institute|Authority|Commission)\b(?!\s+(?:of|for)\s)"
)
_STOP = frozenset(
    re.findall(
        r"\w+",
        "a an the and or of for to in on at by with from as is are was were has have had be been will would "
        "its their this that these those said says today monday tuesday wednesday thursday friday "
        "saturday sunday",
    )
)


def _mou_identity(
    ev: Event, evidence: str, published: date | None, rules: Rules, year: str | None
) -> tuple[str, str | None]:
    """Key base and year of an MoU: two parties, else the bodies named, else a slug of the evidence.

    "mou:mou" for every MoU without two jurisdictions made unrelated agreements collide; the same
    agreement written up by two outlets still shares parties and year.
    """
    year = year or (str(published.year) if published else None)
    if len(ev.parties) >= 2:
        return f"{'-'.join(order_parties(ev.parties, rules))} mou", year
    orgs = [re.sub(r"^(?:The|A|An)\s+", "", " ".join(m.group().split())) for m in _ORG.finditer(evidence)]
    orgs = sorted(dict.fromkeys(o for o in orgs if len(o.split()) >= 2))[:2]
    prefix = "-".join(ev.parties)
    if orgs:
        return " ".join([prefix, *orgs, "mou"]).strip(), year
    words = [w for w in re.findall(r"[^\W\d_]+", evidence.lower()) if w not in _STOP and len(w) > 2][:4]
    return " ".join([prefix, *words, "mou"]).strip(), year

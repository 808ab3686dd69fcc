"""Which event a report belongs to: one key per real event, whatever each outlet calls it.

Outlets name one meeting differently ("second EU-Japan Digital Partnership Council", "Japan-EU
digital ministers' meeting in Brussels", 日EU...): the keys the classifier derives then differ,
but ``same_event`` (type, parties, ordinal, place, dates) tells it is one event. A report joins
the known event (stored, or first reported earlier in the same batch) instead of creating a
second one, so its subscribers get one alert and the report is listed under it.

Pure: the store loads the known keys, the reports' headlines and dates and the recent events'
identities, and writes whatever key this decides (``models/events_repo.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, replace
from datetime import date

from pipeline.intel.identity import Identity, contradicts, distinct_key, identity_of, same_event
from pipeline.types import ExtractedEvent


@dataclass(frozen=True, slots=True)
class Mention:
    """One report of one event: the item that reports it, the event as read, the item's
    jurisdictions (most-named first; the event's parties come from them)."""

    item_id: int
    event: ExtractedEvent
    jurisdictions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Report:
    """What identity reads of the item behind a mention besides the event: its date and headline."""

    published: date | None
    title: str


def is_trusted(mention: Mention, known_keys: Set[str]) -> bool:
    """A named series' edition ('EU-Japan Digital Partnership Council', fourth) is its key: a
    report of a known one joins it without comparing identities (cheap, and never wrong)."""
    return mention.event.key in known_keys and bool(mention.event.series or mention.event.ordinal)


def types_to_compare(mentions: Sequence[Mention], known_keys: Set[str]) -> set[str]:
    """The event types whose recent events ``one_key_per_event`` compares with: the store loads
    those only (only generic keys pay for the comparison)."""
    return {m.event.type for m in mentions if not is_trusted(m, known_keys)}


def one_key_per_event(
    mentions: Sequence[Mention],
    known_keys: Set[str],
    reports: Mapping[int, Report],
    recent: Mapping[str, Sequence[tuple[str, Identity]]],
) -> list[Mention]:
    """The mentions, in order, each under the key of the event it reports.

    ``known_keys`` are the stored events' keys among the mentions'; ``recent`` gives, per type
    (at least those of ``types_to_compare``), the latest stored events' keys and identities,
    newest first. A mention keeps its key when it is a known key its report does not contradict;
    a generic key two events share ("summit:ai-summit": one in Incheon, one in France) that its
    report contradicts becomes a key of its own (``distinct_key``); then a report that is the same
    event as a recent one (or as one earlier in the batch) takes that event's key."""
    known = set(known_keys)
    pools = {kind: list(pool) for kind, pool in recent.items()}
    out: list[Mention] = []
    for mention in mentions:
        if is_trusted(mention, known):
            out.append(mention)
            continue
        ev = mention.event
        report = reports.get(mention.item_id, Report(None, ""))
        ident = identity_of(ev, list(mention.jurisdictions), report.published, report.title)
        pool = pools.setdefault(ev.type, [])
        if ev.key in known:
            keyed = next((other for key, other in pool if key == ev.key), None)
            if keyed is None or not contradicts(ident, keyed):
                out.append(mention)
                continue
            ev = replace(ev, key=distinct_key(ev.key, ident, mention.item_id))
            if ev.key in known:
                out.append(replace(mention, event=ev))
                continue
        match = next((key for key, other in pool if key != ev.key and same_event(ident, other)), None)
        if match is not None:
            ev = replace(ev, key=match)
        else:
            pool.insert(0, (ev.key, ident))
            known.add(ev.key)
        out.append(replace(mention, event=ev))
    return out

"""What a new report changes in the event it reports: a detail, a status, a name, a revision.

Subscribers of an event hear again only when something is news: a detail the event lacked (its
date, place, ordinal or status), or a status an expected meeting moves on to (held, postponed,
cancelled). Each such change is a new revision, and follow-up alerts key on the revision. A finer
date within the one known, or the series' proper name, is a better record but not news. A rise
in confidence is news too (a subscriber whose threshold it now passes hears of the event), but
no revision.

Pure: the store loads the events, folds the batch's reports over them with ``merge_reports`` and
writes what changed (``models/events_repo.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, replace

from core.vocabulary import EventStatus
from pipeline.types import ExtractedEvent

DETAILS = ("date", "location", "ordinal", "status")
"""What a report may give an event that lacks it."""
STATUS_PROGRESS: dict[str, tuple[str, ...]] = {
    EventStatus.UPCOMING: (EventStatus.HELD, EventStatus.POSTPONED, EventStatus.CANCELLED),
    EventStatus.OVERDUE: (EventStatus.HELD, EventStatus.POSTPONED, EventStatus.CANCELLED),
    EventStatus.POSTPONED: (EventStatus.HELD, EventStatus.CANCELLED),
}
"""Status changes that are news for subscribers of an event (a new revision, a follow-up)."""


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """The fields of a stored event that a report may change."""

    key: str
    name: str
    series: str | None = None
    ordinal: int | None = None
    date: str | None = None
    location: str | None = None
    status: str | None = None
    confidence: float = 1.0
    revision: int = 0


@dataclass(frozen=True, slots=True)
class Merged:
    """One report merged into one event."""

    event: StoredEvent
    news: bool = False
    """Subscribers hear of it again (a new revision, or a rise in confidence)."""
    touched: bool = False
    """The stored record changed in a way its ``updated_at`` shows (news, or a finer date)."""


def refines(new: str | None, old: str | None) -> bool:
    """A finer date within the one known: '2024-05-21' for '2024-05' (a report dated only by its
    month, then one that states the day)."""
    return bool(new and old and len(new) > len(old) and new.startswith(old))


def named_by_series(event: StoredEvent, report: ExtractedEvent) -> StoredEvent:
    """A report that names the event's series names the event: the India AI Impact Summit, first
    stored from a report that called it "AI 정상회의", is then "AI Impact Summit" in every alert,
    digest and feed. A name is not news: no revision, no follow-up."""
    if report.series and not event.series:
        return replace(event, series=report.series, name=report.name)
    return event


def gained_details(event: StoredEvent, report: ExtractedEvent) -> list[str]:
    """The details the report gives that the event lacks, and its status when the event's moves on."""
    gained = [a for a in DETAILS if getattr(report, a) and not getattr(event, a)]
    if report.status in STATUS_PROGRESS.get(event.status or "", ()):
        gained.append("status")  # an expected meeting reported held, postponed or cancelled
    return gained


def merge_fresh(event: StoredEvent, report: ExtractedEvent) -> Merged:
    """A report of an event first reported in the same batch: it fills what the first report
    lacked. The event is new to subscribers anyway, so nothing here is news or a revision."""
    filled = {a: getattr(report, a) for a in DETAILS if getattr(report, a) and not getattr(event, a)}
    merged = replace(event, **filled)
    if refines(report.date, merged.date):
        merged = replace(merged, date=report.date)
    merged = replace(merged, confidence=max(merged.confidence, report.confidence))
    return Merged(named_by_series(merged, report))


def merge_stored(event: StoredEvent, report: ExtractedEvent) -> Merged:
    """A report of an event stored before: a gained detail or status is a new revision, a finer
    date or a series' name a quiet correction, a higher confidence news without a revision."""
    gained = gained_details(event, report)
    merged = replace(event, **{a: getattr(report, a) for a in gained})
    touched = False
    if refines(report.date, merged.date):
        # the day of a month already known: a finer record, not news (no revision, no follow-up)
        merged, touched = replace(merged, date=report.date), True
    merged = named_by_series(merged, report)
    if gained:
        merged, touched = replace(merged, revision=merged.revision + 1), True
    news = bool(gained)
    if report.confidence > merged.confidence:
        merged, touched, news = replace(merged, confidence=report.confidence), True, True
    return Merged(merged, news=news, touched=touched)


@dataclass(frozen=True, slots=True)
class BatchMerge:
    """Every event a batch's reports mention, after all of them."""

    events: dict[str, StoredEvent]
    news: list[str]
    """Keys of the stored events that are news (first-news order, each once)."""
    touched: frozenset[str]
    """Keys of the events whose ``updated_at`` moves."""


def merge_reports(
    events: Mapping[str, StoredEvent], fresh: Set[str], reports: Sequence[ExtractedEvent]
) -> BatchMerge:
    """Fold the batch's reports, in order, over the events they name by key.

    ``fresh`` are the keys of events this batch created: their reports fill them in
    (``merge_fresh``); the others were stored before (``merge_stored``). A later report sees what
    an earlier one changed, so two reports that each give a new detail make two revisions."""
    state = dict(events)
    news: list[str] = []
    touched: set[str] = set()
    for report in reports:
        merge = merge_fresh if report.key in fresh else merge_stored
        result = merge(state[report.key], report)
        state[report.key] = result.event
        if result.touched:
            touched.add(report.key)
        if result.news and report.key not in news:
            news.append(report.key)
    return BatchMerge(events=state, news=news, touched=frozenset(touched))

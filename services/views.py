"""Read-only views of the store as plain dicts (the `items/events/alerts --json` lines).

Each row is a ``TypedDict``: the keys and value types of a ``--json`` line, which scripts read,
are written down once here, and mypy checks every reader (the CLI's tables, the health artifact).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TypedDict

from sqlalchemy.orm import Session

from models import alerts_repo, events_repo, items_repo, sources_repo

_PAGE = 1000


class ItemRow(TypedDict):
    id: int
    external_id: str | None
    url: str
    canonical_url: str
    title: str
    published: str | None
    source: str
    ai_policy: bool
    event_type: str
    jurisdictions: list[str]
    topics: list[str]
    evidence: str
    story_id: int | None
    event_ids: list[int]
    fetched_at: str | None


class EventRow(TypedDict):
    id: int
    key: str
    type: str
    name: str
    series: str | None
    ordinal: int | None
    date: str | None
    location: str | None
    status: str | None
    jurisdictions: list[str]
    confidence: float
    evidence: str
    item_ids: list[int]
    created_at: str | None
    updated_at: str | None


class AlertRow(TypedDict):
    id: int
    subscriber: str
    event_id: int
    channel: str
    """The channel as it may be shown (its secrets masked)."""
    channel_name: str
    status: str
    attempts: int
    reason: str
    last_error: str | None
    created_at: str | None
    sent_at: str | None


class SourceHealthRow(TypedDict):
    source: str
    health: str
    consecutive_failures: int
    last_status: str | None
    last_success: str | None
    last_new_item: str | None
    rhythm: str | None
    next_poll: str | None
    last_error: str | None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def item_rows(session: Session) -> Iterator[ItemRow]:
    last_id = 0
    while True:
        items = items_repo.items_after(session, last_id, _PAGE)
        if not items:
            return
        events = events_repo.item_event_ids(session, [i.id for i in items])
        for it in items:
            yield {
                "id": it.id,
                "external_id": it.external_id,
                "url": it.url,
                "canonical_url": it.canonical_url,
                "title": it.title,
                "published": _iso(it.published),
                "source": it.source_id,
                "ai_policy": it.ai_policy,
                "event_type": it.event_type,
                "jurisdictions": it.jurisdictions,
                "topics": it.topics,
                "evidence": it.evidence,
                "story_id": it.story_id,
                "event_ids": events.get(it.id, []),
                "fetched_at": _iso(it.fetched_at),
            }
        last_id = items[-1].id


def event_rows(session: Session) -> Iterator[EventRow]:
    events = events_repo.all_events(session)
    mentions = events_repo.event_item_ids(session, [e.id for e in events])
    for ev in events:
        yield {
            "id": ev.id,
            "key": ev.key,
            "type": ev.type,
            "name": ev.name,
            "series": ev.series,
            "ordinal": ev.ordinal,
            "date": ev.date,
            "location": ev.location,
            "status": ev.status,
            "jurisdictions": ev.jurisdictions,
            "confidence": ev.confidence,
            "evidence": ev.evidence,
            "item_ids": mentions.get(ev.id, []),
            "created_at": _iso(ev.created_at),
            "updated_at": _iso(ev.updated_at),
        }


def alert_rows(session: Session) -> Iterator[AlertRow]:
    for al in alerts_repo.all_alerts(session):
        yield {
            "id": al.id,
            "subscriber": al.subscriber,
            "event_id": al.event_id,
            "channel": al.channel_redacted or al.channel,
            "channel_name": al.channel,
            "status": al.status,
            "attempts": al.attempts,
            "reason": al.reason,
            "last_error": al.last_error,
            "created_at": _iso(al.created_at),
            "sent_at": _iso(al.sent_at),
        }


def source_health_rows(session: Session) -> Iterator[SourceHealthRow]:
    """Every source's health as the operator reads it (CLI `sources health` and the run artifact)."""
    from core.health import _human

    for s in sources_repo.all_sources(session):
        yield {
            "source": s.id,
            "health": s.health,
            "consecutive_failures": s.consecutive_failures,
            "last_status": s.last_status,
            "last_success": _iso(s.last_success_at),
            "last_new_item": _iso(s.last_new_item_at),
            "rhythm": _human(timedelta(seconds=s.rhythm_seconds)) if s.rhythm_seconds else None,
            "next_poll": _iso(s.next_poll_at),
            "last_error": s.last_error,
        }

"""Read-only views of the store as plain dicts (the `items/events/alerts --json` lines)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import events_repo
from models.tables import Alert, Event, Item

_PAGE = 1000


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def item_rows(session: Session) -> Iterator[dict[str, Any]]:
    last_id = 0
    while True:
        items = session.scalars(select(Item).where(Item.id > last_id).order_by(Item.id).limit(_PAGE)).all()
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


def event_rows(session: Session) -> Iterator[dict[str, Any]]:
    events = session.scalars(select(Event).order_by(Event.id)).all()
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


def alert_rows(session: Session) -> Iterator[dict[str, Any]]:
    for al in session.scalars(select(Alert).order_by(Alert.id)):
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


def source_health_rows(session: Session) -> Iterator[dict[str, Any]]:
    """Every source's health as the operator reads it (CLI `sources health` and the run artifact)."""
    from core.health import _human
    from models.tables import Source

    for s in session.scalars(select(Source).order_by(Source.id)):
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

"""An Atom feed of the events that match one subscriber, for people who live in a feed reader."""

from __future__ import annotations

from datetime import UTC

from feedgen.feed import FeedGenerator
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.deliver import event_content
from alerts.outbox import event_view
from alerts.render import render_html
from alerts.subscriptions import Subscriber, match
from models.base import utcnow
from models.tables import Event


def subscriber_feed(
    session: Session, sub: Subscriber, base_url: str = "urn:policywatch", limit: int = 100
) -> bytes:
    """Atom XML of the newest matching events (one entry per event, every outlet linked)."""
    fg = FeedGenerator()
    fg.id(f"{base_url}:feed:{sub.name}")
    fg.title(f"AI Policy Watch — {sub.name}")
    fg.subtitle("AI-policy events that match this subscription")
    fg.author({"name": "AI Policy Watch"})
    fg.link(href=f"{base_url}:feed:{sub.name}", rel="self")
    fg.language("en")
    events = session.scalars(
        select(Event).order_by(Event.created_at.desc(), Event.id.desc()).limit(limit * 5)
    ).all()
    chosen = [(e, r) for e in events if (r := match(sub, event_view(e))) is not None][:limit]
    for event, reason in reversed(chosen):  # feedgen prepends: add oldest first
        content = event_content(session, event, reason)
        mentions = content.mentions
        entry = fg.add_entry()
        entry.id(f"{base_url}:event:{event.key}")
        entry.title(content.title.removeprefix("[AI Policy Watch] "))
        entry.updated(event.updated_at.astimezone(UTC))
        entry.published(event.created_at.astimezone(UTC))
        if mentions:
            entry.link(href=mentions[0].url)
        entry.content(render_html(content), type="html")
        entry.category(term=event.type)
    if not chosen:
        fg.updated(utcnow())
    return bytes(fg.atom_str(pretty=True))

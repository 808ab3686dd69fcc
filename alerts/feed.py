"""An Atom feed of the events that match one subscriber, for people who live in a feed reader.

Every field written goes through ``strip_unsafe_chars`` (XML 1.0 cannot carry NUL, ESC and the
other C0 controls: a row stored before ingest stripped them would otherwise break the feed), and
an entry links to its first outlet only when that link is http(s).
"""

from __future__ import annotations

from datetime import UTC

from feedgen.feed import FeedGenerator
from sqlalchemy.orm import Session

from alerts.deliver import event_content
from alerts.outbox import event_view
from alerts.render import render_html
from alerts.subscriptions import Subscriber, match
from models import events_repo
from models.base import utcnow
from pipeline.text import strip_unsafe_chars as clean
from pipeline.urls import is_web_url


def subscriber_feed(
    session: Session, sub: Subscriber, base_url: str = "urn:policywatch", limit: int = 100
) -> bytes:
    """Atom XML of the newest matching events (one entry per event, every outlet linked)."""
    fg = FeedGenerator()
    name = clean(sub.name)
    fg.id(clean(f"{base_url}:feed:{name}"))
    fg.title(f"AI Policy Watch — {name}")
    fg.subtitle("AI-policy events that match this subscription")
    fg.author({"name": "AI Policy Watch"})
    fg.link(href=clean(f"{base_url}:feed:{name}"), rel="self")
    fg.language("en")
    events = events_repo.latest_events(session, limit * 5)
    chosen = [(e, r) for e in events if (r := match(sub, event_view(e))) is not None][:limit]
    for event, reason in reversed(chosen):  # feedgen prepends: add oldest first
        content = event_content(session, event, reason)
        mentions = content.mentions
        entry = fg.add_entry()
        entry.id(clean(f"{base_url}:event:{event.key}"))
        entry.title(clean(content.title.removeprefix("[AI Policy Watch] ")))
        entry.updated(event.updated_at.astimezone(UTC))
        entry.published(event.created_at.astimezone(UTC))
        web = [m.url for m in mentions if is_web_url(m.url)]
        if web:
            entry.link(href=clean(web[0]))
        entry.content(clean(render_html(content)), type="html")
        entry.category(term=clean(event.type))
    if not chosen:
        fg.updated(utcnow())
    return bytes(fg.atom_str(pretty=True))

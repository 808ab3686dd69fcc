"""Deliver pending outbox rows through Apprise: claim, send, record, retry with backoff.

Delivery is at-least-once with a small duplicate window. A row is *claimed* (status
``sending``, a lease in ``next_attempt_at``, attempt counted) and committed before the send,
then marked ``sent`` right after Apprise reports success. A process killed between those two
commits leaves a claimed row whose lease expires, so it is sent again: a rare duplicate is
better than a lost alert for a policy team. The claim is an atomic conditional UPDATE, so two
workers never send the same row at the same time.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import apprise
from apprise.plugins.slack import NotifySlack, SlackMode
from sqlalchemy.orm import Session, sessionmaker

from alerts.redact import scrub
from alerts.render import (
    AlertContent,
    Bodies,
    Mention,
    render_html,
    render_markdown,
    render_slack,
    render_text,
    slack_text,
)
from alerts.sinks import register_local_sinks
from alerts.subscriptions import Channel, Subscriptions
from core.config import current
from core.vocabulary import AlertKind, AlertStatus
from models import alerts_repo, events_repo
from models.base import utcnow
from models.tables import Alert, DeliveryAttempt, Event

LEASE = timedelta(minutes=10)


def backoff_seconds() -> float:
    return current().alert_backoff_seconds


def max_attempts() -> int:
    return current().alert_max_attempts


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def event_content(session: Session, event: Event, reason: str, kind: str = AlertKind.NEW) -> AlertContent:
    """What a subscriber reads about an event: its details and every outlet that reported it
    (linked by canonical URL, without tracking parameters)."""
    rows = events_repo.event_outlets(session, event.id)
    mentions = [
        Mention(
            title=title or url,
            url=url,
            source=source_name or source_id,
            published=published.date().isoformat() if published else None,
        )
        for title, url, published, source_name, source_id in rows
    ]
    return AlertContent(
        kind=kind,
        event_type=event.type,
        name=event.name,
        ordinal=event.ordinal,
        date=event.date,
        location=event.location,
        status=event.status,
        evidence=event.evidence,
        reason=reason,
        mentions=mentions,
    )


def load_content(session: Session, alert: Alert) -> AlertContent:
    return event_content(session, session.get_one(Event, alert.event_id), alert.reason, alert.kind)


def send(channel: Channel, content: AlertContent) -> tuple[bool, str | None]:
    """Send one alert on one channel; return (ok, redacted error)."""
    bodies = Bodies(
        html=render_html(content),
        markdown=render_markdown(content),
        text=render_text(content),
        slack=render_slack(content),
    )
    return send_rendered(channel, content.title, bodies)


def send_rendered(channel: Channel, title: str, bodies: Bodies) -> tuple[bool, str | None]:
    """Send a message in the format the channel renders best (HTML email, Markdown chat, text)."""
    register_local_sinks()
    plugin = apprise.Apprise.instantiate(channel.url, suppress_exceptions=True)
    if plugin is None:
        return False, f"invalid Apprise URL {channel.redacted}"
    fmt = plugin.notify_format
    if isinstance(plugin, NotifySlack):
        title, body, body_format = _as_posted_by_slack(plugin, title, bodies.slack)
    elif fmt == apprise.NotifyFormat.HTML:
        body, body_format = bodies.html, apprise.NotifyFormat.HTML
    elif fmt == apprise.NotifyFormat.MARKDOWN:
        body, body_format = bodies.markdown, apprise.NotifyFormat.MARKDOWN
    else:
        body, body_format = bodies.text, apprise.NotifyFormat.TEXT
    sender = apprise.Apprise()
    sender.add(plugin)
    with apprise.LogCapture(level=logging.WARNING) as logs:
        try:
            ok = bool(sender.notify(body=body, title=title, body_format=body_format))
        # A plugin bug is this alert's failure (recorded on its row, retried with backoff).
        # boundary: the delivery of one alert; it must not stop the other alerts.
        except Exception as exc:
            ok = False
            logs.write(f"{type(exc).__name__}: {exc}\n")
        captured = logs.getvalue().strip()
    if ok:
        return True, None
    detail = " | ".join(line.strip() for line in captured.splitlines() if line.strip())[-500:]
    return False, scrub(
        f"delivery via {channel.redacted} failed" + (f": {detail}" if detail else ""), channel.url
    )


def _as_posted_by_slack(plugin: NotifySlack, title: str, body: str) -> tuple[str, str, apprise.NotifyFormat]:
    """Title, body and format that make Apprise post our Slack body exactly as rendered.

    The body is already escaped the way Slack documents, with our own ``<url|label>`` links. In
    its default (legacy) mode Apprise escapes a Markdown body a second time and then turns
    ``&lt;!channel&gt;``, ``&lt;@U123&gt;`` and ``&lt;https://x|label&gt;`` back into live
    mentions and links, whoever wrote them; given text, it posts the body untouched and escapes
    the title itself. Block Kit mode posts a Markdown body untouched (the title as plain text);
    a workflow posts title and body raw, so the title is escaped here.
    """
    if plugin.mode in (SlackMode.WORKFLOW, SlackMode.WORKFLOW_TRIGGER):
        return slack_text(title), body, apprise.NotifyFormat.MARKDOWN
    if plugin.use_blocks:
        return title, body, apprise.NotifyFormat.MARKDOWN
    plugin.notify_format = apprise.NotifyFormat.TEXT
    return title, body, apprise.NotifyFormat.TEXT


def _claim(session: Session, alert_id: int, now: datetime) -> bool:
    """Claim the row for this worker and commit the claim before the send (see the module's
    docstring: a send is never started on an uncommitted claim)."""
    claimed = alerts_repo.claim(session, alert_id, now, LEASE)
    session.commit()
    return claimed


def deliver_pending(
    factory: sessionmaker[Session], subs: Subscriptions, now: datetime | None = None
) -> DeliveryReport:
    """Send every due outbox row once; failures are retried on later runs with backoff."""
    report = DeliveryReport()
    now = now or utcnow()
    channels = {(c.subscriber, c.name): c for chans in subs.channels.values() for c in chans}
    with factory() as session:
        due = alerts_repo.due_immediate(session, now)
        per_channel_errors: dict[str, int] = defaultdict(int)
        for alert in due:
            channel = channels.get((alert.subscriber, alert.channel))
            if channel is None:
                report.skipped += 1  # its channel is not configured now; keep it for later
                continue
            if not _claim(session, alert.id, now):
                continue  # another worker has it
            content = load_content(session, alert)
            ok, error = send(channel, content)
            session.add(DeliveryAttempt(alert_id=alert.id, at=utcnow(), ok=ok, error=error))
            session.refresh(alert)
            if ok:
                alert.status, alert.sent_at, alert.next_attempt_at, alert.last_error = (
                    AlertStatus.SENT,
                    utcnow(),
                    None,
                    None,
                )
                report.sent += 1
            elif alert.attempts >= max_attempts():
                alert.status, alert.last_error, alert.next_attempt_at = AlertStatus.FAILED, error, None
                report.failed += 1
                report.errors.append(
                    f"alert {alert.id} to {alert.subscriber}/{alert.channel} gave up: {error}"
                )
            else:
                delay = backoff_seconds() * (2 ** (alert.attempts - 1))
                alert.status, alert.last_error = AlertStatus.PENDING, error
                alert.next_attempt_at = now + timedelta(seconds=delay)
                report.retrying += 1
                per_channel_errors[f"{alert.subscriber}/{alert.channel}: {error}"] += 1
            session.commit()
        report.errors += [f"{msg} ({n} alert(s) will be retried)" for msg, n in per_channel_errors.items()]
    return report

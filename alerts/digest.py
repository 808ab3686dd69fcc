"""Digests: a subscriber's pending alerts of one period, sent together on their schedule.

A digest is keyed by (subscriber, channel, period start); its alerts are attached to it
before the send, so a retry resends exactly the same digest and a later run never repeats an
event that an earlier digest carried. A period with nothing new sends nothing (or one line,
when the subscriber asked for it) and is closed, so later alerts wait for the next period.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from alerts.deliver import load_content, send_rendered
from alerts.render import AlertContent, render_digest
from alerts.subscriptions import DigestSchedule, Subscriptions
from core.vocabulary import AlertStatus, DeliveryMode, DigestStatus
from models import alerts_repo
from models.base import utcnow
from models.tables import DeliveryAttempt, Event

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def period_start(schedule: DigestSchedule, now: datetime) -> datetime:
    """The most recent scheduled digest time at or before ``now`` (timezone-aware)."""
    zone = ZoneInfo(schedule.timezone)
    local = now.astimezone(zone)
    hour, minute = (int(x) for x in schedule.at.split(":"))
    candidate = datetime.combine(local.date(), time(hour, minute), tzinfo=zone)
    if candidate > local:
        candidate -= timedelta(days=1)
    if schedule.every == "weekly":
        back = (candidate.weekday() - WEEKDAYS.index(schedule.weekday)) % 7
        candidate -= timedelta(days=back)
    return candidate.astimezone(ZoneInfo("UTC"))


@dataclass(slots=True)
class DigestReport:
    sent: int = 0
    alerts: int = 0
    empty: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _group(contents: list[tuple[AlertContent, list[str]]]) -> dict[str, dict[str, list[AlertContent]]]:
    groups: dict[str, dict[str, list[AlertContent]]] = defaultdict(lambda: defaultdict(list))
    for content, jurisdictions in contents:
        groups[content.type_name][", ".join(jurisdictions[:3]) or "international"].append(content)
    return groups


def deliver_digests(
    factory: sessionmaker[Session], subs: Subscriptions, now: datetime | None = None
) -> DigestReport:
    """Send every digest that is due now; safe to call on every run."""
    report = DigestReport()
    now = now or utcnow()
    for sub in subs.subscribers:
        if sub.mode != DeliveryMode.DIGEST:
            continue
        start = period_start(sub.digest, now)
        for channel in subs.channels.get(sub.name, []):
            with factory() as session:
                digest = alerts_repo.open_digest(session, sub.name, channel.name, start)
                if digest.status in (DigestStatus.SENT, DigestStatus.EMPTY):
                    session.commit()
                    continue
                # attach everything queued before this period's send time and not yet in a digest
                alerts_repo.attach_to_digest(session, digest, start)
                alerts = alerts_repo.digest_alerts(session, digest.id)
                if not alerts and not sub.digest.send_empty:
                    digest.status = DigestStatus.EMPTY
                    session.commit()
                    report.empty += 1
                    continue
                contents = [
                    (load_content(session, a), list(session.get_one(Event, a.event_id).jurisdictions or []))
                    for a in alerts
                ]
                session.commit()
                local_day = start.astimezone(ZoneInfo(sub.digest.timezone)).date().isoformat()
                title = (
                    f"[AI Policy Watch] {sub.digest.every.capitalize()} digest {local_day}: "
                    f"{len(alerts)} event{'s' if len(alerts) != 1 else ''}"
                    if alerts
                    else f"[AI Policy Watch] {sub.digest.every.capitalize()} digest {local_day}: nothing new"
                )
                bodies = render_digest(title, _group(contents), len(alerts))
                ok, error = send_rendered(channel, title, bodies)
                digest.attempts += 1
                session.add_all(
                    [DeliveryAttempt(alert_id=a.id, at=utcnow(), ok=ok, error=error) for a in alerts]
                )
                if ok:
                    digest.status, digest.sent_at, digest.alert_count = (
                        DigestStatus.SENT,
                        utcnow(),
                        len(alerts),
                    )
                    for a in alerts:
                        a.status, a.sent_at, a.attempts = AlertStatus.SENT, utcnow(), a.attempts + 1
                    report.sent += 1
                    report.alerts += len(alerts)
                else:
                    digest.last_error = error
                    for a in alerts:
                        a.attempts += 1
                        a.last_error = error
                    report.failed += 1
                    report.errors.append(f"digest for {sub.name}/{channel.name} failed: {error}")
                session.commit()
    return report

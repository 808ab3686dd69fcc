"""Tell operators when a source's health changes: failing N runs in a row, silent far beyond
its rhythm, and back to normal. Each change is told once; a failed notice is retried next run."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from alerts.deliver import send_rendered
from alerts.render import Bodies, slack_escape
from alerts.subscriptions import Subscriptions
from core.health import health_of
from core.vocabulary import HealthState
from models import sources_repo
from models.base import utcnow


@dataclass(frozen=True, slots=True)
class HealthChange:
    source_id: str
    previous: str
    state: str
    reason: str

    @property
    def message(self) -> str:
        if self.state == HealthState.OK:
            return f"Source {self.source_id} is healthy again (was {self.previous})."
        return f"Source {self.source_id} is {self.state}: {self.reason}"


def refresh_health(session: Session, failing_runs: int, now: datetime | None = None) -> list[HealthChange]:
    """Recompute every source's health; return the changes operators have not been told about."""
    now = now or utcnow()
    changes: list[HealthChange] = []
    for src in sources_repo.all_sources(session):
        health = health_of(
            consecutive_failures=src.consecutive_failures,
            last_error=src.last_error,
            last_new_item_at=src.last_new_item_at,
            rhythm_seconds=src.rhythm_seconds,
            now=now,
            failing_runs=failing_runs,
        )
        src.health = health.state
        if health.state != src.health_notified:
            changes.append(HealthChange(src.id, src.health_notified, health.state, health.reason))
    return changes


def notify_operators(
    factory: sessionmaker[Session], subs: Subscriptions, now: datetime | None = None
) -> list[str]:
    """Refresh health and send each unannounced change to the operator channels; return messages."""
    with factory.begin() as session:
        changes = refresh_health(session, subs.failing_runs, now)
    told: list[str] = []
    for change in changes:
        title = f"[AI Policy Watch] source {change.source_id}: {change.state}"
        bodies = Bodies(
            html=f"<p>{html.escape(change.message)}</p>",
            markdown=change.message,
            text=change.message,
            slack=slack_escape(change.message),
        )
        results = [send_rendered(channel, title, bodies) for channel in subs.operators]
        if all(ok for ok, _err in results):  # no operator channel: the change is still recorded
            with factory.begin() as session:
                src = sources_repo.get_source(session, change.source_id)
                if src is not None:
                    src.health_notified = change.state
            told.append(change.message)
    return told

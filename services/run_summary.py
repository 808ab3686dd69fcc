"""What one monitor run did, as data: printed by the CLI, returned by the flow, rendered for the
Prefect UI by ``services.run_report``. The flow fills it; nothing here runs anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from alerts.deliver import DeliveryReport
from alerts.digest import DigestReport
from models.base import utcnow
from services.source_report import SourceReport


@dataclass(slots=True)
class RunSummary:
    """What one monitor run did: printed by the CLI and published as Prefect artifacts."""

    sources: list[SourceReport] = field(default_factory=list)
    started_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None
    alerts: DeliveryReport = field(default_factory=DeliveryReport)
    not_due: list[str] = field(default_factory=list)
    next_due: datetime | None = None
    """The earliest time a source of ``not_due`` is due (adaptive runs)."""
    overdue_events: list[int] = field(default_factory=list)
    health_notices: list[str] = field(default_factory=list)
    digests: DigestReport = field(default_factory=DigestReport)

    @property
    def totals(self) -> dict[str, int]:
        return {
            "sources_polled": len(self.sources),
            "not_modified": sum(1 for s in self.sources if s.status == "not_modified"),
            "failed_sources": sum(1 for s in self.sources if s.status == "failed"),
            "items_seen": sum(s.items_seen for s in self.sources),
            "new_items": sum(s.new_items for s in self.sources),
            "duplicates_dropped": sum(s.duplicates for s in self.sources),
            "new_events": sum(s.new_events for s in self.sources),
            "overdue_events": len(self.overdue_events),
            "alerts_queued": sum(s.alerts_queued for s in self.sources),
            "alerts_sent": self.alerts.sent,
            "alerts_failed": self.alerts.failed,
            "alerts_retrying": self.alerts.retrying,
            "digests_sent": self.digests.sent,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "totals": self.totals,
            "sources": [s.as_dict() for s in self.sources],
            "alert_errors": self.alerts.errors + self.digests.errors,
            "not_due": self.not_due,
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "health_notices": self.health_notices,
        }


def not_due_line(summary: dict[str, Any]) -> str:
    """How many sources were not due and when the next one is (or "" when all were due), e.g.
    "3 sources not due; next at 2026-12-07 06:00:03Z (in 1 h 45 min): a, b, c"."""
    ids = summary.get("not_due") or []
    if not ids:
        return ""
    line = f"{len(ids)} source{'s' if len(ids) != 1 else ''} not due"
    if summary.get("next_due"):
        when = datetime.fromisoformat(summary["next_due"]).astimezone(UTC)
        minutes = max(0, round((when - utcnow()).total_seconds() / 60))
        later = f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
        line += f"; next at {when:%Y-%m-%d %H:%M:%S}Z (in {later})"
    shown = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
    return f"{line}: {shown}"


def failure_message(summary: RunSummary) -> str | None:
    """The failed flow run's message, read on the dashboard: "2 of 6 sources failed: a, b"."""
    failed = [s.source_id for s in summary.sources if s.status == "failed"]
    if not failed:
        return None
    shown = ", ".join(failed[:10]) + (f" and {len(failed) - 10} more" if len(failed) > 10 else "")
    return f"{len(failed)} of {len(summary.sources)} sources failed: {shown}"

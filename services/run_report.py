"""The operator's page of a monitor run, and every other bit of Markdown a run publishes: the
summary, the per-source and source-health tables, the latest run's link on its deployment.

One module for it, so the page's shape is decided (and tested) in one place. Rendering is pure
(``render_summary`` takes the run and the ``RunFacts`` read from the store); ``summary_markdown``
and the ``*_markdown`` helpers read those facts first (``models.run_queries``). Text from the web
or an error goes through ``md`` (inert: one line, escaped) and links through ``md_link`` (http
only). The flow publishes what this returns and renders nothing itself.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker

from models import events_repo, run_queries
from models.base import utcnow
from models.db import session_factory
from models.run_queries import AlertCount, NewItemRow
from models.tables import Event
from services.run_summary import RunSummary, failure_message, not_due_line
from services.views import source_health_rows

MAX_ROWS = 50
"""New items listed on the page; the rest are counted (``policywatch items`` lists them all)."""

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md(text: object, limit: int | None = None) -> str:
    """Text from the web or an error, inert in Markdown: one line, special characters escaped
    (a title cannot become a link, an image, a heading or a table cell), cut at ``limit``."""
    line = " ".join(str(text or "").split())
    if limit is not None and len(line) > limit:
        line = line[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", line)


def md_link(title: object, url: str | None) -> str:
    """``[title](url)`` for an http(s) URL (characters that would end the link percent-encoded);
    the escaped title alone otherwise."""
    label = md(title, 110) or "(no title)"
    if not url or urlsplit(url).scheme not in ("http", "https"):
        return label
    safe = "".join(f"%{ord(c):02X}" if c in " ()<>[]|\\\"'`" or ord(c) < 33 else c for c in url)
    return f"[{label}]({safe})"


def second(when: datetime | None) -> str:
    """A time to the second in UTC: ``2026-12-07 04:15:02Z``."""
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return f"{when.astimezone(UTC):%Y-%m-%d %H:%M:%S}Z"


def counted(n: int, noun: str) -> str:
    """ "1 new item", "2 new items": the operator's page reads as sentences."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass(slots=True)
class RunFacts:
    """What the page shows from the store: the run's new items (at most ``MAX_ROWS`` + 1), its
    new events, and its alerts counted by subscriber, channel and status."""

    new_items: list[NewItemRow] = field(default_factory=list)
    new_events: list[Event] = field(default_factory=list)
    alerts: list[AlertCount] = field(default_factory=list)


def run_facts(summary: RunSummary, factory: sessionmaker[Session] | None = None) -> RunFacts:
    """Read the page's facts for this run (only what it will show; timestamps bound as UTC)."""
    factory = factory or session_factory()
    facts = RunFacts()
    sources = [s.source_id for s in summary.sources if s.new_items]
    events = [eid for s in summary.sources for eid in s.new_event_ids]
    with factory() as session:
        if sources:
            facts.new_items = run_queries.new_items_since(session, sources, summary.started_at, MAX_ROWS + 1)
        if events:
            facts.new_events = events_repo.events_by_id(session, events)
        facts.alerts = run_queries.alert_counts_since(session, summary.started_at)
    return facts


def render_new_items(summary: RunSummary, rows: Sequence[NewItemRow]) -> list[str]:
    """The items this run stored, by source: title (a link) and published time."""
    total = sum(s.new_items for s in summary.sources)
    if not total:
        return []
    # A list per source, not a table: a headline wraps in a list item, where a table column of
    # headlines overflowed the 1,280-px page (the UI cuts it off at the right).
    lines = ["", f"## New items ({total})"]
    shown = rows[:MAX_ROWS]
    for k, row in enumerate(shown):
        if k == 0 or shown[k - 1].source_id != row.source_id:
            lines += ["", f"**{md(row.source_id)}**", ""]
        when = f" · {second(row.published)}" if row.published else ""
        lines.append(f"- {md_link(row.title, row.url)}{when}")
    if total > MAX_ROWS:
        lines += ["", f"… and {total - MAX_ROWS} more (`policywatch items`)."]
    return lines


def render_new_events(events: Sequence[Event]) -> list[str]:
    """The run's new events: what the subscribers are about to hear."""
    if not events:
        return []
    lines = ["", f"## New events ({len(events)})", ""]
    lines += ["| type | event | date | place | status |", "|---|---|---|---|---|"]
    for ev in events:
        lines.append(
            f"| {md(ev.type)} | {md(ev.name, 90)} | {md(ev.date)} | {md(ev.location, 40)} | {md(ev.status)} |"
        )
    return lines


def render_alerts(summary: RunSummary, rows: Sequence[AlertCount]) -> list[str]:
    """Alerts queued or sent during this run, by subscriber, channel and status, and why any failed."""
    if not rows and not summary.alerts.errors:
        return []
    lines = ["", "## Alerts", "", "| subscriber | channel | status | alerts |", "|---|---|---|---|"]
    order = {"failed": 0, "pending": 1, "sending": 2, "sent": 3}
    for row in sorted(rows, key=lambda r: order.get(r.status, 9)):
        cells = (md(row.subscriber, 40), md(row.channel, 30), md(row.status), str(row.alerts))
        lines.append(f"| {' | '.join(cells)} |")
    errors = summary.alerts.errors + summary.digests.errors
    if errors:
        lines += ["", "Delivery problems:", ""] + [f"- {md(e, 600)}" for e in errors]
    return lines


def render_summary(summary: RunSummary, facts: RunFacts) -> str:
    """The operator's page: what failed and why first, then what is new, then who was told.
    Columns are short so the page fits a 1,280-pixel screen; long text comes below the tables."""
    t = summary.totals
    failed = [s for s in summary.sources if s.status == "failed"]
    finished = summary.finished_at or utcnow()
    took = max(0, round((finished - summary.started_at).total_seconds()))
    lines = [
        "# AI Policy Watch — monitor run",
        "",
        f"{second(summary.started_at)} → {second(finished)} ({took} s) · "
        + (f"**{len(failed)} of {t['sources_polled']} sources failed** · " if failed else "")
        + f"{t['sources_polled']} polled ({t['not_modified']} unchanged) · "
        f"**{counted(t['new_items'], 'new item')}** · "
        f"{counted(t['duplicates_dropped'], 'duplicate')} dropped · "
        f"**{counted(t['new_events'], 'new event')}** · {counted(t['alerts_sent'], 'alert')} sent"
        + (
            f" · {t['alerts_retrying']} retrying · {t['alerts_failed']} failed"
            if t["alerts_retrying"] or t["alerts_failed"]
            else ""
        ),
    ]
    if failed:
        lines += ["", f"## Failed sources ({len(failed)})", ""]
        for s in failed:
            http = f" (HTTP {s.http_status})" if s.http_status else ""
            lines.append(f"- **{md(s.source_id)}**{http}: {md(s.as_dict().get('error') or 'failed', 1000)}")
    lines += (
        []
        if not summary.sources
        else [
            "",
            "## Sources",
            "",
            "| source | status | HTTP | seen | new | dup | events | alerts |",
            "|---|---|---|---|---|---|---|---|",
        ]
    )
    rank = {"failed": 0, "partial": 1}
    for s in sorted(summary.sources, key=lambda r: rank.get(r.status, 2)):  # stable: sources.yaml order
        lines.append(
            f"| {md(s.source_id)} | {md(s.status)} | {s.http_status or ''} | {s.items_seen} | "
            f"{s.new_items} | {s.duplicates} | {s.new_events} | {s.alerts_queued} |"
        )
    partial = [s for s in summary.sources if s.status != "failed" and s.error]
    if partial:
        lines += [""] + [f"- {md(s.source_id)}: {md(s.as_dict().get('error'), 600)}" for s in partial]
    if summary.not_due:
        lines += ["", not_due_line(summary.as_dict()) + " (adaptive polling)"]  # our own text: ids, times
    lines += render_new_items(summary, facts.new_items)
    lines += render_new_events(facts.new_events)
    lines += render_alerts(summary, facts.alerts)
    if summary.health_notices:
        lines += ["", "## Source health changes", ""] + [f"- {md(n, 600)}" for n in summary.health_notices]
    return "\n".join(lines) + "\n"


def summary_markdown(summary: RunSummary, factory: sessionmaker[Session] | None = None) -> str:
    """The operator's page of this run, its facts read from the store."""
    return render_summary(summary, run_facts(summary, factory))


def new_items_markdown(summary: RunSummary, factory: sessionmaker[Session] | None = None) -> list[str]:
    """The page's "New items" part, read from the store."""
    if not any(s.new_items for s in summary.sources):
        return []
    return render_new_items(summary, run_facts(summary, factory).new_items)


def source_table(summary: RunSummary) -> list[dict[str, Any]]:
    """The per-source table artifact: what an operator scans first comes first (which source, did
    it work, and why not), failed sources first."""
    return [
        {
            "source": s.source_id,
            "status": s.status,
            "error": str(s.as_dict().get("error") or "")[:160],
            "http": s.http_status or "",
            "new_items": s.new_items,
            "duplicates": s.duplicates,
            "new_events": s.new_events,
            "alerts_queued": s.alerts_queued,
            "items_seen": s.items_seen,
            "already_stored": s.already_stored,
            "bytes": s.bytes,
            "kind": s.kind,
        }
        for s in sorted(summary.sources, key=lambda r: r.status != "failed")
    ] or [{"source": "(none)", "status": "no source due"}]


def health_table(factory: sessionmaker[Session] | None = None) -> list[dict[str, Any]]:
    """Every source's health, one table row each (the ``source-health`` artifact)."""
    with (factory or session_factory())() as session:
        return [
            {k: ("" if v is None else v) for k, v in row.items()}
            | {"last_error": (row["last_error"] or "")[:160]}
            for row in source_health_rows(session)
        ]


def health_fingerprint(rows: list[dict[str, Any]]) -> str:
    """What makes source health change: each source's health and error (not its count of failures
    in a row or the times of its last and next poll, which change on every run)."""
    state = [(r["source"], r["health"], r["last_error"]) for r in rows]
    return hashlib.sha256(json.dumps(state, default=str).encode()).hexdigest()[:16]


def health_description(rows: list[dict[str, Any]]) -> str:
    """The health artifact's description; it changes exactly when the health does."""
    return f"Health of every source (published when it changes; state {health_fingerprint(rows)})"


def latest_run_link(run_name: str, summary: RunSummary, artifact_id: object) -> str:
    """The deployment description's link to a run's page, with its outcome."""
    outcome = failure_message(summary) or f"{summary.totals['new_items']} new items, no failure"
    return f"[{md(run_name)}: {md(outcome, 120)}](/artifacts/artifact/{artifact_id})"

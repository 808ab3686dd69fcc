"""Replay the rules over stored items after rules.yaml changed.

Labels and event links are rebuilt from the stored main text; events no item mentions any
more (and that never alerted anyone) are removed. Events that already alerted are never
alerted again (the outbox's unique key), and events the new rules find in old items alert
only when asked: they are old news.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session, sessionmaker

from alerts.outbox import queue_alerts
from alerts.subscriptions import Subscriptions
from models import events_repo, items_repo
from pipeline.classify import classify
from pipeline.intel.rules_schema import Rules
from pipeline.process import classified_text, merge_jurisdictions
from pipeline.types import Classification


@dataclass(slots=True)
class ReclassifyReport:
    items: int = 0
    changed: int = 0
    new_events: int = 0
    removed_events: int = 0
    alerts_queued: int = 0
    changes: list[str] = field(default_factory=list)


def reclassify(
    factory: sessionmaker[Session],
    rules: Rules,
    subs: Subscriptions,
    *,
    alert: bool = False,
    implied: dict[str, list[str]] | None = None,
    batch: int = 500,
) -> ReclassifyReport:
    """Re-run the classifier on every stored item, in batches (one transaction per batch)."""
    report = ReclassifyReport()
    implied = implied or {}
    last_id = 0
    while True:
        with factory.begin() as session:
            items = items_repo.items_after(session, last_id, batch)
            if not items:
                break
            last_id = items[-1].id
            entries: list[tuple[int, Classification]] = []
            for item in items:
                report.items += 1
                cls = classify(item.title, classified_text(item.text), item.published, rules)
                jurisdictions = (
                    merge_jurisdictions(cls.jurisdictions, implied.get(item.source_id, []))
                    if cls.ai_policy
                    else cls.jurisdictions
                )
                if (item.event_type, item.ai_policy, item.jurisdictions) != (
                    cls.event_type,
                    cls.ai_policy,
                    jurisdictions,
                ):
                    report.changed += 1
                    report.changes.append(
                        f"item {item.id}: {item.event_type} -> {cls.event_type}  {item.title[:70]}"
                    )
                item.event_type, item.ai_policy, item.evidence = cls.event_type, cls.ai_policy, cls.evidence
                item.jurisdictions, item.topics = jurisdictions, cls.topics
                # the classification ingest would store (implied jurisdictions included), so an
                # event's parties and identity come out the same on both paths
                entries.append((item.id, replace(cls, jurisdictions=jurisdictions)))
            # The batch's old labels and links go, then the new ones come through the path ingest
            # takes (one decision of event identity and revisions for both).
            ids = [item.id for item in items]
            items_repo.clear_classification(session, ids)
            links = items_repo.link_items(session, entries)
            report.new_events += len(links.new_event_ids)
            if alert:
                report.alerts_queued += queue_alerts(session, links.new_event_ids, subs)
    with factory.begin() as session:
        report.removed_events = events_repo.remove_orphans(session)
    return report

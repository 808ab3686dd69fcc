"""Replay the rules over stored items after rules.yaml changed.

Labels and event links are rebuilt from the stored main text; events no item mentions any
more (and that never alerted anyone) are removed. Events that already alerted are never
alerted again (the outbox's unique key), and events the new rules find in old items alert
only when asked: they are old news.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.outbox import queue_alerts
from alerts.subscriptions import Subscriptions
from models import items_repo
from models.tables import Alert, Event, EventMention, Item, Label
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
            items = session.scalars(
                select(Item).where(Item.id > last_id).order_by(Item.id).limit(batch)
            ).all()
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
            session.execute(delete(Label).where(Label.item_id.in_(ids)))
            session.execute(delete(EventMention).where(EventMention.item_id.in_(ids)))
            links = items_repo.link_items(session, entries)
            report.new_events += len(links.new_event_ids)
            if alert:
                report.alerts_queued += queue_alerts(session, links.new_event_ids, subs)
    with factory.begin() as session:
        orphans = select(Event.id).where(
            ~exists().where(EventMention.event_id == Event.id), ~exists().where(Alert.event_id == Event.id)
        )
        report.removed_events = len(session.scalars(orphans).all())
        session.execute(delete(Event).where(Event.id.in_(orphans)))
    return report

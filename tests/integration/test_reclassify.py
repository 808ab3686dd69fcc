"""Replaying rules over stored items: labels and events rebuilt, old alerts never repeated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update

from alerts.subscriptions import load_subscriptions
from core.sources_config import JsonlSource
from models.db import session_factory
from models.migrate import upgrade
from models.tables import Alert, Event, EventMention, Item
from pipeline.intel.rules_loading import load_rules
from services.ingest import import_items, read_jsonl
from services.reclassify import reclassify

ROWS = [
    {
        "id": "a",
        "title": "EU and Japan to hold fourth Digital Partnership Council in Tokyo",
        "published": "2026-11-16T09:00:00Z",
        "text": "The European Union and Japan will hold the fourth meeting of the EU-Japan Digital "
        "Partnership Council in Tokyo on 9 December 2026. Ministers will discuss artificial intelligence "
        "governance.",
    },
    {
        "id": "b",
        "title": "Next global AI summit to be held in Geneva in 2027",
        "published": "2026-11-20T09:00:00Z",
        "text": "Switzerland will host the next AI summit in Geneva in 2027. Governments will discuss "
        "frontier AI safety and the International AI Safety Report.",
    },
    {
        "id": "c",
        "title": "Commission approves Italian fisheries scheme",
        "published": "2026-11-02T12:00:00Z",
        "text": "The European Commission approved a EUR 120 million Italian scheme for the fisheries sector.",
    },
]
LINES = [json.dumps(row) for row in ROWS]


def test_reclassify_restores_and_does_not_realert(tmp_path: Path) -> None:
    upgrade()
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(LINES) + "\n")
    subs_path = tmp_path / "subs.yaml"
    subs_path.write_text(
        f"subscribers:\n  - name: t\n    channels:\n      - name: f\n        url: pwfile://{tmp_path}/a.txt\n"
    )
    subs = load_subscriptions(subs_path, environ={})
    rules = load_rules()
    factory = session_factory()
    first = import_items(factory, read_jsonl(src), subs, rules, JsonlSource())
    assert first.new_items == 3 and first.alerts_queued == 2
    with factory.begin() as s:  # the store as older rules left it: the summit item unclassified
        summit_item = s.scalar(select(Item.id).where(Item.external_id == "b"))
        s.execute(update(Item).where(Item.id == summit_item).values(event_type="none"))
        s.execute(delete(EventMention).where(EventMention.item_id == summit_item))
        s.execute(delete(Alert))
        s.execute(delete(Event).where(Event.type == "summit"))
        s.execute(update(Alert).values(status="sent"))
    report = reclassify(factory, rules, subs)
    assert (report.items, report.changed, report.new_events) == (3, 1, 1)
    with factory() as s:
        assert s.scalar(select(Item.event_type).where(Item.id == summit_item)) == "summit"
        assert s.scalar(select(func.count()).select_from(Alert)) == 0  # old news: no alert unless asked
    again = reclassify(factory, rules, subs, alert=True)
    assert (again.changed, again.new_events, again.alerts_queued) == (0, 0, 0)  # idempotent


def _snapshot(factory: Any) -> tuple[list[tuple[Any, ...]], list[tuple[int, int]], list[tuple[Any, ...]]]:
    with factory() as s:
        events = [
            (e.id, e.key, e.name, e.date, e.location, e.status, e.revision, e.confidence)
            for e in s.scalars(select(Event).order_by(Event.id))
        ]
        mentions = sorted(s.execute(select(EventMention.event_id, EventMention.item_id)).tuples())
        alerts = sorted(s.execute(select(Alert.event_id, Alert.revision, Alert.status)).tuples())
    return events, mentions, alerts


def test_reclassify_with_unchanged_rules_keeps_every_event_and_alert(tmp_path: Path, store_url: str) -> None:
    """The migration promise: replaying the same rules, even with ``--alert``, is no alert storm.
    Reclassify links through the same set-based path as ingest, so the events ingest made come out
    the same: same ids and keys, no new revision, every mention back, every alert as it was."""
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(LINES) + "\n")
    subs_path = tmp_path / "subs.yaml"
    subs_path.write_text(
        f"subscribers:\n  - name: t\n    channels:\n      - name: f\n        url: pwfile://{tmp_path}/a.txt\n"
    )
    subs = load_subscriptions(subs_path, environ={})
    rules = load_rules()
    factory = session_factory(store_url)
    first = import_items(factory, read_jsonl(src), subs, rules, JsonlSource())
    assert first.alerts_queued == 2
    before = _snapshot(factory)
    assert len(before[0]) == 2 and len(before[2]) == 2
    report = reclassify(factory, rules, subs, alert=True, batch=2)  # two batches: items 1-2, then 3
    assert (report.items, report.changed, report.new_events, report.removed_events) == (3, 0, 0, 0)
    assert report.alerts_queued == 0
    assert _snapshot(factory) == before

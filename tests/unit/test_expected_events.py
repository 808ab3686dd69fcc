"""Expected events: an announced meeting that is reported held moves on (a follow-up), one whose
date passes unreported becomes overdue and is told once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from alerts.deliver import deliver_pending
from alerts.outbox import queue_alerts, queue_follow_ups, queue_overdue
from alerts.subscriptions import load_subscriptions
from models import items_repo, sources_repo
from models.db import session_factory
from models.migrate import upgrade
from models.tables import Alert, Event
from pipeline.text import content_hash
from pipeline.types import Classification, ExtractedEvent, ProcessedItem, RawItem
from services.expected import last_day, mark_overdue

KEY = "dpc_meeting:eu-japan-digital-partnership-council:3"


def report(n: int, status: str, date: str = "2025") -> items_repo.StoreOutcome:
    ev = ExtractedEvent(
        type="dpc_meeting",
        name="EU-Japan Digital Partnership Council",
        key=KEY,
        evidence=f"Report {n}: the third meeting ({status}).",
        ordinal=3,
        date=date,
        location="Tokyo",
        status=status,
    )
    raw = RawItem(
        source_id="src",
        url=f"http://example.org/{n}",
        title=f"Report {n}",
        body=f"Body {n}",
        published=datetime(2025, 1, 1, tzinfo=UTC),
    )
    item = ProcessedItem(
        raw=raw,
        canonical_url=raw.url,
        text=raw.body,
        content_hash=content_hash("", raw.body),
        classification=Classification(True, "dpc_meeting", ["EU", "JP"], [], [], [ev], ev.evidence),
    )
    with session_factory().begin() as s:
        sources_repo.ensure_source(s, "src", "feed", "http://example.org/rss")
        return items_repo.store_items(s, [item])


@pytest.fixture
def subs(tmp_path: Path):  # type: ignore[no-untyped-def]
    upgrade()
    path = tmp_path / "subs.yaml"
    path.write_text(
        "subscribers:\n  - name: desk\n    follow_ups: true\n"
        f"    channels:\n      - name: f\n        url: pwfile://{tmp_path / 'a.txt'}\n"
        "    filters: {series: [EU-Japan]}\n"
    )
    return load_subscriptions(path, environ={})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025", "2025-12-31"),
        ("2025-02", "2025-02-28"),
        ("2024-02", "2024-02-29"),
        ("2025-05-12", "2025-05-12"),
        ("--10-13", None),
        (None, None),
    ],
)
def test_last_day(value: str | None, expected: str | None) -> None:
    day = last_day(value)
    assert (day.isoformat() if day else None) == expected


def test_overdue_once_then_held_is_a_follow_up(subs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    factory = session_factory()
    with time_machine.travel(datetime(2025, 1, 2, tzinfo=UTC), tick=False):
        first = report(1, "upcoming")
    with factory.begin() as s:
        assert queue_alerts(s, first.new_event_ids, subs) == 1
    with time_machine.travel(datetime(2025, 12, 30, tzinfo=UTC), tick=False), factory.begin() as s:
        assert mark_overdue(s) == []  # its year is not over yet
    with time_machine.travel(datetime(2026, 1, 5, tzinfo=UTC), tick=False):
        with factory.begin() as s:
            overdue = mark_overdue(s)
            assert queue_overdue(s, overdue, subs) == 1
        with factory.begin() as s:
            assert mark_overdue(s) == []  # once
    held = report(2, "held")
    assert held.new_event_ids == [] and held.updated_event_ids == first.new_event_ids
    with factory.begin() as s:
        assert queue_follow_ups(s, held.updated_event_ids, subs) == 1
    assert deliver_pending(factory, subs).sent == 3
    with factory() as s:
        event = s.scalars(select(Event)).one()
        kinds = [a.kind for a in s.scalars(select(Alert).order_by(Alert.id))]
    assert event.status == "held" and kinds == ["new", "overdue", "follow_up"]
    text = (tmp_path / "a.txt").read_text()
    assert "Overdue — " in text and "Update — " in text and "Expected but not reported" in text

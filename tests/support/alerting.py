"""One stored event and one subscriber's queued alert, as the alert-delivery tests set them up
(``integration/test_alert_delivery.py``, ``test_channels.py``, ``test_hostile_channels.py``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alerts.outbox import queue_alerts
from alerts.subscriptions import load_subscriptions
from models import items_repo, sources_repo
from models.db import session_factory
from pipeline.text import content_hash
from pipeline.types import Classification, ExtractedEvent, ProcessedItem, RawItem

EVENT = ExtractedEvent(
    type="dpc_meeting",
    name="EU-Japan Digital Partnership Council",
    key="dpc_meeting:eu-japan-digital-partnership-council:4",
    evidence="The fourth meeting <b>will</b> take place in Tokyo & online on 9 December 2026.",
    series="EU-Japan Digital Partnership Council",
    ordinal=4,
    date="2026-12-09",
    location="Tokyo",
    status="upcoming",
)


def store_event(
    url: str,
    title: str,
    source_id: str = "src",
    event: ExtractedEvent = EVENT,
    body: str | None = None,
    outlet: str = "Example Press <Room>",
) -> None:
    """One stored item reporting ``event`` (an EU-Japan council meeting unless told), from a feed
    source named ``outlet``."""
    raw = RawItem(
        source_id=source_id,
        url=url,
        title=title,
        published=datetime(2026, 11, 16, tzinfo=UTC),
        body=body if body is not None else f"Body of {title}",
    )
    cls = Classification(True, "dpc_meeting", ["EU", "JP"], [], [], [event], event.evidence)
    item = ProcessedItem(
        raw=raw, canonical_url=url, text=raw.body, content_hash=content_hash("", raw.body), classification=cls
    )
    with session_factory().begin() as s:
        sources_repo.ensure_source(s, source_id, "feed", "http://example.org/rss", name=outlet)
        items_repo.store_items(s, [item])


def subs_file(tmp_path: Path) -> Path:
    path = tmp_path / "subs.yaml"
    path.write_text(
        "subscribers:\n  - name: team\n    channels:\n      - name: ch\n        url_env: PW_TEST_URL\n"
        "    filters:\n      event_types: [dpc_meeting]\n      jurisdictions: [JP]\n",
        encoding="utf-8",
    )
    return path


def queue(subs_path: Path, env: dict[str, str]) -> int:
    subs = load_subscriptions(subs_path, environ=env)
    with session_factory().begin() as s:
        return queue_alerts(s, [1], subs)

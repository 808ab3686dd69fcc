"""The store's alert and digest statements on SQLite and real PostgreSQL: the guarantees the outbox
and delivery build on, held by the functions that now carry them (``models/alerts_repo.py``) and
the orphan-event clean-up that reclassify calls (``models/events_repo.py``)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from core.vocabulary import AlertKind, AlertStatus, DeliveryMode
from models import alerts_repo, events_repo
from models.base import utcnow
from models.db import session_factory
from models.tables import Alert, Event

LEASE = timedelta(minutes=10)


def _event(session: Session, key: str) -> int:
    event = Event(key=key, type="summit", name=key)
    session.add(event)
    session.flush()
    return event.id


def _queue(session: Session, event_id: int, *, revision: int = 0, mode: str = DeliveryMode.IMMEDIATE) -> bool:
    return alerts_repo.queue_alert(
        session,
        subscriber="team",
        event_id=event_id,
        channel="mail",
        channel_redacted="mailto://***",
        reason="matched",
        kind=AlertKind.NEW,
        revision=revision,
        mode=mode,
    )


def test_an_alert_is_queued_once_per_key(store_url: str) -> None:
    with session_factory(store_url).begin() as s:
        event_id = _event(s, "summit:a")
        assert _queue(s, event_id) is True
        assert _queue(s, event_id) is False  # the same key: ON CONFLICT DO NOTHING
        assert _queue(s, event_id, revision=1) is True  # another revision is another alert
    with session_factory(store_url)() as s:
        alerts = alerts_repo.all_alerts(s)
        assert [(a.event_id, a.revision, a.status) for a in alerts] == [
            (event_id, 0, AlertStatus.PENDING),
            (event_id, 1, AlertStatus.PENDING),
        ]
        assert alerts_repo.alerted_pairs(s, [event_id], AlertKind.NEW) == {("team", event_id)}
        assert alerts_repo.alerted_pairs(s, [event_id], AlertKind.FOLLOW_UP) == set()


def test_a_row_is_claimed_by_one_worker_until_its_lease_ends(store_url: str) -> None:
    factory = session_factory(store_url)
    with factory.begin() as s:
        event_id = _event(s, "summit:b")
        _queue(s, event_id)
        _queue(s, event_id, revision=1, mode=DeliveryMode.DIGEST)
    now = utcnow()
    with factory() as first, factory() as second:
        due = alerts_repo.due_immediate(first, now)
        assert [a.mode for a in due] == [DeliveryMode.IMMEDIATE]  # digest rows wait for their digest
        alert_id = due[0].id
        assert alerts_repo.claim(first, alert_id, now, LEASE) is True
        first.commit()
        assert alerts_repo.claim(second, alert_id, now, LEASE) is False  # the other worker has it
        second.commit()
        assert alerts_repo.due_immediate(second, now) == []
        later = now + LEASE + timedelta(seconds=1)  # the first worker died mid-send
        assert [a.id for a in alerts_repo.due_immediate(second, later)] == [alert_id]
        assert alerts_repo.claim(second, alert_id, later, LEASE) is True
        second.commit()
    with factory() as s:
        row = s.get_one(Alert, alert_id)
        assert (row.status, row.attempts) == (AlertStatus.SENDING, 2)


def test_a_digest_is_opened_once_and_takes_its_period_alerts(store_url: str) -> None:
    factory = session_factory(store_url)
    with factory.begin() as s:
        event_id = _event(s, "summit:c")
        _queue(s, event_id, mode=DeliveryMode.DIGEST)
        _queue(s, event_id, revision=1, mode=DeliveryMode.DIGEST)
        _queue(s, event_id, revision=2)  # immediate: never in a digest
    start = utcnow()
    with factory.begin() as s:
        late = alerts_repo.all_alerts(s)[1]
        late.created_at = start + timedelta(hours=1)  # queued after this period's send time
    with factory.begin() as s:
        digest = alerts_repo.open_digest(s, "team", "mail", start)
        again = alerts_repo.open_digest(s, "team", "mail", start)
        assert again.id == digest.id
        alerts_repo.attach_to_digest(s, digest, start)
        assert [(a.revision, a.digest_id) for a in alerts_repo.digest_alerts(s, digest.id)] == [
            (0, digest.id)
        ]
        other = alerts_repo.open_digest(s, "team", "mail", start + timedelta(days=1))
        assert other.id != digest.id


def test_orphan_events_are_removed_unless_alerted(store_url: str) -> None:
    factory = session_factory(store_url)
    with factory.begin() as s:
        alerted = _event(s, "summit:alerted")
        _event(s, "summit:orphan")
        _queue(s, alerted)
    with factory.begin() as s:
        assert events_repo.remove_orphans(s) == 1
    with factory() as s:
        assert [e.key for e in events_repo.all_events(s)] == ["summit:alerted"]

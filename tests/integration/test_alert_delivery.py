"""Alert delivery through Apprise to real loopback servers: SMTP (aiosmtpd) and a webhook."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from alerts.deliver import deliver_pending
from alerts.subscriptions import load_subscriptions
from models.db import session_factory
from models.migrate import upgrade
from models.tables import Alert, DeliveryAttempt
from testkit.loopback import Receiver, smtp_server
from tests.support.alerting import queue, store_event, subs_file


def test_email_is_multipart_escaped_and_links_to_every_outlet(tmp_path: Path) -> None:
    upgrade()
    store_event("http://example.org/a", "EU & Japan <script>alert(1)</script> to meet")
    store_event("http://other.example.net/b", "Tokyo to host digital council", source_id="other")
    with smtp_server() as (inbox, port):
        env = {
            "PW_TEST_URL": f"mailto://127.0.0.1:{port}?from=watch@example.com&to=team@example.com&format=html"
        }
        assert queue(subs_file(tmp_path), env) == 1
        report = deliver_pending(session_factory(), load_subscriptions(subs_file(tmp_path), environ=env))
        assert report.sent == 1, report.errors
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert "Digital Partnership Council meeting: EU-Japan Digital Partnership Council" in str(msg["Subject"])
    html_part = msg.get_body(preferencelist=("html",))
    text_part = msg.get_body(preferencelist=("plain",))
    assert html_part is not None and text_part is not None
    html = html_part.get_content()
    plain = text_part.get_content()
    assert "&lt;script&gt;" in html and "<script>" not in html  # titles from the web are escaped
    assert "&lt;b&gt;will&lt;/b&gt;" in html and "Tokyo &amp; online" in html
    assert 'href="http://example.org/a"' in html and 'href="http://other.example.net/b"' in html
    assert "Why you got this: You subscribed to event type dpc_meeting; jurisdiction JP." in html
    assert "2026-12-09" in plain and "Tokyo" in plain
    # two outlets reported the meeting: one alert, listing both
    assert "Example Press" in plain and "Tokyo to host digital council" in plain


def test_webhook_down_twice_then_up_delivers_exactly_once(tmp_path: Path) -> None:
    upgrade()
    store_event("http://example.org/a", "EU and Japan to meet")
    with Receiver(statuses=[500, 500, 200]) as hook:
        secret = "SuperSecretToken123"
        env = {"PW_TEST_URL": f"json://127.0.0.1:{hook.port}/hooks/{secret}"}
        subs = load_subscriptions(subs_file(tmp_path), environ=env)
        assert queue(subs_file(tmp_path), env) == 1
        assert queue(subs_file(tmp_path), env) == 0  # queuing again adds nothing
        outcomes = [deliver_pending(session_factory(), subs) for _ in range(4)]
    assert [(o.sent, o.retrying) for o in outcomes] == [(0, 1), (0, 1), (1, 0), (0, 0)]
    assert [status for status, _ in hook.received] == [500, 500, 200]
    body = hook.received[-1][1]
    assert isinstance(body, dict) and "EU-Japan Digital Partnership Council" in body["title"]
    with session_factory()() as s:
        alert = s.scalars(select(Alert)).one()
        assert (alert.status, alert.attempts) == ("sent", 3)
        attempts = s.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).all()
        assert [a.ok for a in attempts] == [False, False, True]
        assert attempts[0].error and "failed" in attempts[0].error
        # the secret never reaches the store
        dump = "\n".join(
            str(row)
            for table in ("alerts", "delivery_attempts", "events", "sources")
            for row in s.execute(text(f"SELECT * FROM {table}"))
        )
        assert secret not in dump and "127.0.0.1" in dump


def test_channel_down_gives_up_after_max_attempts(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    upgrade()
    monkeypatch.setenv("POLICYWATCH_ALERT_MAX_ATTEMPTS", "2")
    store_event("http://example.org/a", "EU and Japan to meet")
    with Receiver(statuses=[503, 503, 503]) as hook:
        env = {"PW_TEST_URL": f"json://127.0.0.1:{hook.port}/x"}
        subs = load_subscriptions(subs_file(tmp_path), environ=env)
        queue(subs_file(tmp_path), env)
        first = deliver_pending(session_factory(), subs)
        second = deliver_pending(session_factory(), subs)
        third = deliver_pending(session_factory(), subs)
    assert (first.retrying, second.failed, third.sent + third.failed) == (1, 1, 0)
    assert any("gave up" in e for e in second.errors)
    assert len(hook.received) == 2

"""What Slack would receive (Apprise's real payload, posted to a loopback receiver), the Atom
feed a subscriber reads, and a grep for secrets across everything a run leaves behind."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from apprise.plugins.slack import NotifySlack
from sqlalchemy import text

from alerts.deliver import deliver_pending
from alerts.feed import subscriber_feed
from alerts.subscriptions import load_subscriptions
from models.db import session_factory
from models.migrate import upgrade
from testkit.loopback import Receiver
from tests.support.alerting import EVENT, queue, store_event, subs_file


@pytest.fixture
def slack_receiver(monkeypatch: pytest.MonkeyPatch) -> Receiver:
    receiver = Receiver()
    monkeypatch.setattr(NotifySlack, "webhook_url", f"http://127.0.0.1:{receiver.port}/services")
    return receiver


def test_slack_payload_is_escaped_linked_and_within_limits(tmp_path: Path, slack_receiver: Receiver) -> None:
    upgrade()
    store_event("http://example.org/a?x=1&y=2", "EU & Japan <b>to meet</b> > expectations")
    env = {"PW_TEST_URL": "slack://T000AAAA/B000BBBB/SecretSlackTokenXYZ123/#ai-policy"}
    with slack_receiver:
        assert queue(subs_file(tmp_path), env) == 1
        report = deliver_pending(session_factory(), load_subscriptions(subs_file(tmp_path), environ=env))
    assert report.sent == 1, report.errors
    status, payload = slack_receiver.received[0]
    assert isinstance(payload, dict)
    body = str(payload.get("text") or "") + "".join(
        str(a.get("text", "")) for a in payload.get("attachments", [])
    )
    # Slack mrkdwn: &, < and > escaped in text; links in Slack's own <url|label> form
    assert "The fourth meeting &lt;b&gt;will&lt;/b&gt; take place in Tokyo &amp; online" in body
    assert (
        "<http://example.org/a?x=1&y=2|EU &amp; Japan &lt;b&gt;to meet&lt;/b&gt; &gt; expectations>" in body
    )
    assert "<b>" not in body and "(Example Press &lt;Room&gt;)" in body
    assert "Why you got this" in body
    assert len(body) <= NotifySlack.body_maxlen
    assert payload.get("channel") == "#ai-policy"


def test_atom_feed_of_a_subscriber(tmp_path: Path) -> None:
    upgrade()
    store_event("http://example.org/a", "EU and Japan to meet")
    subs = load_subscriptions(subs_file(tmp_path), environ={"PW_TEST_URL": "json://127.0.0.1:9/x"})
    sub = subs.subscriber("team")
    assert sub is not None
    with session_factory()() as s:
        xml = subscriber_feed(s, sub)
    root = ET.fromstring(xml)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 1
    entry = entries[0]
    assert (
        entry.findtext("a:id", namespaces=ns)
        == "urn:policywatch:event:dpc_meeting:eu-japan-digital-partnership-council:4"
    )
    assert "EU-Japan Digital Partnership Council" in (entry.findtext("a:title", namespaces=ns) or "")
    link = entry.find("a:link", ns)
    assert link is not None and link.get("href") == "http://example.org/a"
    assert "Tokyo" in (entry.findtext("a:content", namespaces=ns) or "")
    # a subscriber whose filters do not match gets an empty, valid feed
    other = sub.model_copy(update={"filters": sub.filters.model_copy(update={"jurisdictions": ["BR"]})})
    with session_factory()() as s:
        empty = ET.fromstring(subscriber_feed(s, other))
    assert empty.findall("a:entry", ns) == [] and empty.findtext("a:updated", namespaces=ns)


def test_no_secret_in_store_logs_or_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, slack_receiver: Receiver
) -> None:
    """Channels with secrets, one down (errors recorded), one up: grep everything for the secrets."""
    upgrade()
    store_event("http://example.org/a", "EU and Japan to meet")
    secrets = ["SmtpPassw0rdSecret", "SecretSlackTokenXYZ123", "WebhookTokenABCDEF"]
    path = tmp_path / "subs.yaml"
    path.write_text(
        "subscribers:\n  - name: team\n    channels:\n"
        "      - {name: mail, url_env: PW_MAIL}\n      - {name: slack, url_env: PW_SLACK}\n"
        "      - {name: hook, url_env: PW_HOOK}\n"
    )
    env = {
        "PW_MAIL": f"mailto://watch:{secrets[0]}@127.0.0.1:9?from=watch@example.com&to=team@example.com",
        "PW_SLACK": f"slack://T000AAAA/B000BBBB/{secrets[1]}",
        "PW_HOOK": f"json://127.0.0.1:9/hooks/{secrets[2]}?token={secrets[2]}",
    }
    subs = load_subscriptions(path, environ=env)
    with slack_receiver, caplog.at_level("DEBUG"):
        with session_factory().begin() as s:
            from alerts.outbox import queue_alerts

            assert queue_alerts(s, [1], subs) == 3
        report = deliver_pending(session_factory(), subs)
    assert report.sent == 1 and report.retrying == 2

    with session_factory()() as s:
        dump = "\n".join(
            str(row)
            for table in ("alerts", "delivery_attempts", "events", "sources", "items")
            for row in s.execute(text(f"SELECT * FROM {table}"))
        )
    haystacks = {
        "store": dump,
        "logs": caplog.text,
        "report": "\n".join(report.errors),
        "channels": " ".join(c.redacted for c in subs.channels["team"]),
    }
    for where, hay in haystacks.items():
        for secret in secrets:
            assert secret not in hay, f"{secret} leaked into {where}"
    assert "127.0.0.1:9" in dump  # the errors are still useful: they name the endpoint


# --- a hostile item through the real renderers: Slack and a Markdown webhook -----------------------

PINGS = ("<!channel>", "<!here>", "<@U123ABC>", "<https://evil.example/phish|Click to verify>")
FAKE_LINE = "- [Fake outlet](https://evil.example/x)"


def store_hostile_event() -> None:
    """An item whose title, outlet, event name, place and evidence all carry Slack pings, a
    disguised link and a CR/LF that would start a fake line of its own."""
    event = replace(
        EVENT,
        name="EU-Japan Digital Partnership Council <!channel>",
        evidence="The fourth meeting <https://evil.example/phish|Click to verify> will take place <!here>.",
        location="Tokyo <@U123ABC>",
    )
    title = f"EU & Japan {' '.join(PINGS)} to meet\r\n{FAKE_LINE}"
    store_event(
        "http://example.org/a",
        title,
        event=event,
        body="Body of a hostile item",
        outlet="Outlet <!here> & co",
    )


def test_slack_payload_of_a_hostile_item_has_no_live_ping_or_link(
    tmp_path: Path, slack_receiver: Receiver
) -> None:
    upgrade()
    store_hostile_event()
    env = {"PW_TEST_URL": "slack://T000AAAA/B000BBBB/SecretSlackTokenXYZ123/#ai-policy"}
    with slack_receiver:
        assert queue(subs_file(tmp_path), env) == 1
        report = deliver_pending(session_factory(), load_subscriptions(subs_file(tmp_path), environ=env))
    assert report.sent == 1, report.errors
    _status, payload = slack_receiver.received[0]
    assert isinstance(payload, dict)
    attachment = payload["attachments"][0]
    body, title = str(attachment["text"]), str(attachment["title"])
    # Slack parses <...> as a mention or a link: the only one left is our own link to the item
    assert re.findall(r"<([^|>]*)", body) == ["http://example.org/a"], body
    assert "<" not in title and ">" not in title
    # every field escaped once, the way Slack documents (no &amp;lt;: it would show as "&lt;")
    for field in ("&lt;!channel&gt;", "&lt;!here&gt;", "&lt;@U123ABC&gt;"):
        assert field in body
    assert "&lt;https://evil.example/phish|Click to verify&gt;" in body
    assert "EU &amp; Japan" in body and "(Outlet &lt;!here&gt; &amp; co)" in body
    assert "Where: Tokyo &lt;@U123ABC&gt;" in body
    assert "&amp;lt;" not in body and "&amp;amp;" not in body
    assert "&lt;!channel&gt;" in title
    # the CR/LF in the title is folded: no fake line
    assert "\r" not in body
    assert not any(line.lstrip("•- ").startswith("[Fake outlet]") for line in body.splitlines())


def test_markdown_webhook_of_a_hostile_item_has_no_fake_line_or_link(tmp_path: Path) -> None:
    upgrade()
    store_hostile_event()
    receiver = Receiver()
    env = {"PW_TEST_URL": f"json://127.0.0.1:{receiver.port}/hook?format=markdown"}
    with receiver:
        assert queue(subs_file(tmp_path), env) == 1
        report = deliver_pending(session_factory(), load_subscriptions(subs_file(tmp_path), environ=env))
    assert report.sent == 1, report.errors
    _status, payload = receiver.received[0]
    assert isinstance(payload, dict)
    message, title = str(payload["message"]), str(payload["title"])
    lines = message.splitlines()
    assert "\r" not in message and "\n" not in title and "\r" not in title
    assert not any(line.startswith(FAKE_LINE) for line in lines), message
    # one outlet line, one link: the item's own; the injected link text is escaped, not live
    outlets = [line for line in lines if line.startswith("- ")]
    assert len(outlets) == 1 and outlets[0].startswith("- [EU & Japan \\<!channel\\>")
    assert re.findall(r"\]\(<([^>]*)>\)", message) == ["http://example.org/a"]
    assert "\\[Fake outlet\\](https://evil.example/x)" in outlets[0]

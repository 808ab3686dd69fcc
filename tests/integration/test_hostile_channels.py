"""One hostile item through every channel, asserted on the real payload (issue 13).

The same stored item and event go out on Slack (Apprise's payload captured on a loopback
receiver), email (the MIME message aiosmtpd received), a Markdown webhook (the JSON body a
loopback receiver got) and the Atom feed (``policywatch feed`` run as a user runs it, the file
parsed by feedparser). The item is an old row, as a version before the ingest filters stored it:
its link is ``javascript:alert(1)`` and its title carries ESC and another C0 control.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import feedparser
import pytest
from apprise.plugins.slack import NotifySlack
from sqlalchemy import text

from alerts.deliver import deliver_pending
from alerts.subscriptions import load_subscriptions
from models.db import session_factory
from models.migrate import upgrade
from pipeline.types import ExtractedEvent
from testkit.loopback import Receiver, smtp_server
from tests.support.alerting import queue, store_event, subs_file
from tests.support.paths import PW

SCRIPT = "<script>alert(1)</script>"
FAKE_LINK = "[Fake](https://evil.example/x)"
EVIL_LINK = "javascript:alert(1)"
TITLE = f"EU <!channel> {SCRIPT} {FAKE_LINK}\r\n- {FAKE_LINK} \x1b[31mred\x1b[0m \x01end"
"""The item's title: a Slack ping, a script, a Markdown link, a CR/LF that would start a fake line,
an ESC sequence and a C0 control."""
EVENT_NAME = f"EU-Japan Digital Partnership Council <!here> {SCRIPT}\r\nBcc: victim@example.com"


def store_hostile_item() -> None:
    event = ExtractedEvent(
        type="dpc_meeting",
        name=EVENT_NAME,
        key="dpc_meeting:eu-japan-digital-partnership-council:4",
        evidence=f"The fourth meeting {SCRIPT} <https://evil.example/phish|Click to verify> in Tokyo.",
        series="EU-Japan Digital Partnership Council",
        ordinal=4,
        date="2026-12-09",
        location="Tokyo <@U123ABC>",
        status="upcoming",
    )
    store_event(
        "http://example.org/a",
        TITLE,
        event=event,
        body="Body of a hostile item",
        outlet="Outlet <!here> & co",
    )
    with session_factory().begin() as s:
        # an old row: stored before ingest dropped non-http(s) links
        s.execute(text("UPDATE items SET url = :u, canonical_url = :u"), {"u": EVIL_LINK})


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    upgrade()
    store_hostile_item()
    with session_factory()() as s:
        assert s.execute(text("SELECT canonical_url FROM items")).scalar_one() == EVIL_LINK
        assert "\x1b" in s.execute(text("SELECT title FROM items")).scalar_one()
    return subs_file(tmp_path)


def deliver(subs: Path, env: dict[str, str]) -> None:
    assert queue(subs, env) == 1
    report = deliver_pending(session_factory(), load_subscriptions(subs, environ=env))
    assert report.sent == 1, report.errors


# --- each channel: send for real, return what the far end got ------------------------------------


def via_slack(subs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    receiver = Receiver()
    monkeypatch.setattr(NotifySlack, "webhook_url", f"http://127.0.0.1:{receiver.port}/services")
    with receiver:
        deliver(subs, {"PW_TEST_URL": "slack://T000AAAA/B000BBBB/SecretSlackTokenXYZ123/#ai-policy"})
    payload = receiver.received[0][1]
    assert isinstance(payload, dict)
    attachment = payload["attachments"][0]
    return {"body": str(attachment["text"]), "title": str(attachment["title"])}


def via_email(subs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    with smtp_server() as (inbox, port):
        deliver(
            subs,
            {
                "PW_TEST_URL": f"mailto://127.0.0.1:{port}?from=watch@example.com&to=team@example.com&format=html"
            },
        )
    assert len(inbox.messages) == 1
    msg: EmailMessage = inbox.messages[0]
    assert msg["Bcc"] is None, "a CR/LF in the event name added a header"
    html_part = msg.get_body(preferencelist=("html",))
    text_part = msg.get_body(preferencelist=("plain",))
    assert html_part is not None and text_part is not None
    return {"html": html_part.get_content(), "text": text_part.get_content(), "subject": str(msg["Subject"])}


def via_markdown(subs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    receiver = Receiver()
    with receiver:
        deliver(subs, {"PW_TEST_URL": f"json://127.0.0.1:{receiver.port}/hook?format=markdown"})
    payload = receiver.received[0][1]
    assert isinstance(payload, dict)
    return {"message": str(payload["message"]), "title": str(payload["title"])}


def via_atom(subs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    out = tmp_path / "team.atom"
    env = {
        **os.environ,
        "POLICYWATCH_SUBSCRIPTIONS": str(subs),
        "PW_TEST_URL": "json://127.0.0.1:9/unused",
    }
    proc = subprocess.run(
        [str(PW), "feed", "team", "--output", str(out)], capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    raw = out.read_bytes()
    return {"raw": raw.decode("utf-8"), "parsed": feedparser.parse(raw)}


# --- what each must show ---------------------------------------------------------------------------


def check_slack(got: dict[str, str]) -> None:
    body, title = got["body"], got["title"]
    # Slack parses <...> as a mention or a link: none is left, not even the item's (not http)
    assert re.findall(r"<[^>]*>", body) == [], body
    assert "<" not in title and ">" not in title
    assert "&lt;!channel&gt;" in body and "&lt;!here&gt;" in body and "&lt;@U123ABC&gt;" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;https://evil.example/phish|Click to verify&gt;" in body
    assert EVIL_LINK not in body and "javascript:" not in body.lower()
    assert "\r" not in body and not any(line.lstrip("•- ").startswith("[Fake]") for line in body.splitlines())


def check_email(got: dict[str, str]) -> None:
    html, plain, subject = got["html"], got["text"], got["subject"]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:" not in html.lower(), "a javascript: link in the HTML part"
    assert re.findall(r'href="([^"]*)"', html) == []
    assert "javascript:" not in plain.lower(), "a javascript: link in the text part"
    assert "EU <!channel>" in plain  # the title is still there, as text
    assert not any(line.lstrip().startswith(f"- {FAKE_LINK}") for line in plain.splitlines())
    assert "\n" not in subject and "\r" not in subject and "Bcc" in subject  # folded, not a header


def check_markdown(got: dict[str, str]) -> None:
    message, title = got["message"], got["title"]
    assert "\r" not in message and "\n" not in title and "\r" not in title
    assert re.findall(r"(?<!\\)\]\(", message) == [], "a live Markdown link"
    assert "javascript:" not in message.lower()
    assert "\\[Fake\\](https://evil.example/x)" in message
    assert "\\<script\\>alert(1)\\</script\\>" in message
    outlets = [line for line in message.splitlines() if line.startswith("- ")]
    assert len(outlets) == 1 and outlets[0].startswith("- EU \\<!channel\\>"), message


def check_atom(got: dict[str, Any]) -> None:
    raw, parsed = got["raw"], got["parsed"]
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert "\x1b" not in raw and "\x01" not in raw and "\x00" not in raw
    assert "javascript:" not in raw.lower()
    assert "<script>" not in raw  # escaped in the title and (twice) in the HTML content
    (entry,) = parsed.entries
    assert all("javascript:" not in str(link.get("href", "")).lower() for link in entry.get("links", []))
    # the title is plain text: the script is its text, escaped in the XML, never markup
    assert entry.title_detail.type == "text/plain" and SCRIPT in entry.title
    assert re.search(r"<title>[^<]*&lt;script&gt;alert\(1\)&lt;/script&gt;[^<]*</title>", raw)
    assert "\n" not in entry.title and "\r" not in entry.title
    content = entry.content[0].value
    assert "<script" not in content and "javascript:" not in content.lower()


CHANNELS: dict[str, tuple[Callable[..., Any], Callable[[Any], None]]] = {
    "slack": (via_slack, check_slack),
    "email": (via_email, check_email),
    "markdown": (via_markdown, check_markdown),
    "atom": (via_atom, check_atom),
}


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_one_hostile_item_through_every_channel(
    channel: str, hostile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    send, check = CHANNELS[channel]
    check(send(hostile, tmp_path, monkeypatch))


def test_atom_feed_of_a_stored_nul_is_valid_xml(
    hostile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A NUL stored by an older version used to crash ``policywatch feed`` for every subscriber."""
    with session_factory().begin() as s:
        s.execute(text("UPDATE items SET title = title || :nul"), {"nul": "nul\x00here"})
        s.execute(text("UPDATE events SET evidence = evidence || :nul"), {"nul": " nul\x00here"})
    got = via_atom(hostile, tmp_path, monkeypatch)
    check_atom(got)
    assert "nulhere" in got["raw"]

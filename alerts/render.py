"""Alert text: Jinja2 templates (HTML + text for email, Markdown for chat and webhooks).

Templates live in ``alerts/templates/`` so a maintainer can change the wording without
touching code. HTML autoescaping is on: titles and snippets from the web are never markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"

EVENT_TYPE_NAMES = {
    "dpc_meeting": "Digital Partnership Council meeting",
    "summit": "Summit",
    "mou": "Memorandum of understanding",
    "legislation": "Legislation milestone",
    "declaration": "Declaration",
}


@dataclass(frozen=True, slots=True)
class Mention:
    title: str
    url: str
    source: str
    published: str | None


@dataclass(frozen=True, slots=True)
class AlertContent:
    event_type: str
    name: str
    ordinal: int | None
    date: str | None
    location: str | None
    status: str | None
    evidence: str
    reason: str
    mentions: list[Mention]
    kind: str = "new"

    @property
    def type_name(self) -> str:
        return EVENT_TYPE_NAMES.get(self.event_type, self.event_type)

    @property
    def title(self) -> str:
        bits = [self.name]
        if self.date:
            bits.append(self.date)
        if self.location:
            bits.append(self.location)
        prefix = {"follow_up": "Update — ", "overdue": "Overdue — "}.get(self.kind, "")
        return f"[AI Policy Watch] {prefix}{self.type_name}: " + " · ".join(bits)


@dataclass(frozen=True, slots=True)
class Bodies:
    """One message in the three renderings; the channel picks the one it displays best."""

    html: str
    markdown: str
    text: str
    slack: str
    """Slack's own mrkdwn (``<url|label>`` links): Apprise's legacy Slack mode posts it as is, escaped."""


def _slack_label(value: str) -> str:
    """A link label inside ``<url|label>``: '|' and '>' would end it early."""
    return value.replace("|", "/").replace(">", "›").replace("<", "‹")


def _env(autoescape: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]) if autoescape else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["slack_label"] = _slack_label
    return env


def render_html(alert: AlertContent) -> str:
    return _env(True).get_template("alert.html").render(a=alert)


def render_text(alert: AlertContent) -> str:
    return _env(False).get_template("alert.txt").render(a=alert)


def render_markdown(alert: AlertContent) -> str:
    return _env(False).get_template("alert.md").render(a=alert)


def render_slack(alert: AlertContent) -> str:
    return _env(False).get_template("alert.slack").render(a=alert)


def render_digest(title: str, groups: dict[str, dict[str, list[AlertContent]]], count: int) -> Bodies:
    """A digest: events grouped by type, then by jurisdiction, with counts."""
    ctx = {"title": title, "groups": groups, "count": count}
    return Bodies(
        html=_env(True).get_template("digest.html").render(**ctx),
        markdown=_env(False).get_template("digest.md").render(**ctx),
        text=_env(False).get_template("digest.txt").render(**ctx),
        slack=_env(False).get_template("digest.slack").render(**ctx),
    )

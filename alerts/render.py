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
        return f"[AI Policy Watch] {self.type_name}: " + " · ".join(bits)


def _env(autoescape: bool) -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]) if autoescape else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(alert: AlertContent) -> str:
    return _env(True).get_template("alert.html").render(a=alert)


def render_text(alert: AlertContent) -> str:
    return _env(False).get_template("alert.txt").render(a=alert)


def render_markdown(alert: AlertContent) -> str:
    return _env(False).get_template("alert.md").render(a=alert)

"""Alert text: Jinja2 templates (HTML + text for email, Markdown for chat and webhooks).

Templates live in ``alerts/templates/`` so a maintainer can change the wording without
touching code. Titles and snippets from the web are never markup, in every format: HTML
autoescaping is on; Slack fields go through ``slack`` / ``slack_link`` (Slack's own escaping),
Markdown fields through ``md`` / ``md_link``, text fields through ``line``; each folds line
breaks, so a title cannot add a line of its own. A link is a link only when it is http(s)
(``is web_url`` in the templates, ``slack_link`` / ``md_link``): an old stored row's
``javascript:``, ``data:`` or ``file:`` link shows as its title alone, never as a target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.vocabulary import HEADINGS, AlertKind
from pipeline.urls import is_web_url

TEMPLATES = Path(__file__).resolve().parent / "templates"


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
    kind: str = AlertKind.NEW

    @property
    def type_name(self) -> str:
        return HEADINGS.get(self.event_type, self.event_type)

    @property
    def title(self) -> str:
        bits = [self.name]
        if self.date:
            bits.append(self.date)
        if self.location:
            bits.append(self.location)
        prefixes: dict[str, str] = {AlertKind.FOLLOW_UP: "Update — ", AlertKind.OVERDUE: "Overdue — "}
        prefix = prefixes.get(self.kind, "")
        return one_line(f"[AI Policy Watch] {prefix}{self.type_name}: " + " · ".join(bits))


@dataclass(frozen=True, slots=True)
class Bodies:
    """One message in the three renderings; the channel picks the one it displays best."""

    html: str
    markdown: str
    text: str
    slack: str
    """Slack's own mrkdwn: every field escaped (``slack_text``), links built as ``<url|label>``
    (``slack_link``); posted exactly as rendered (see alerts.deliver)."""


_LINE_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
_LINK_BREAKERS = re.compile(r"[\s|<>]")
_MARKDOWN_SPECIAL = re.compile(r"[\\\[\]<>]")


def one_line(value: object) -> str:
    """A field on one line: CR/LF (and the other line breaks) folded into a space, so a title
    or an evidence sentence cannot add a fake line (a fake outlet, a fake link) to a message."""
    return _LINE_BREAKS.sub(" ", str(value))


def slack_escape(value: object) -> str:
    """Slack's own escaping (api.slack.com/reference/surfaces/formatting#escaping): ``&``, ``<``
    and ``>`` as entities, so ``<!channel>``, ``<@U123>`` or ``<https://evil|Click>`` in a
    title or a sentence stays text and never becomes a mention or a disguised link."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(value: object) -> str:
    """A field of a Slack message: on one line, escaped (see ``slack_escape``)."""
    return slack_escape(one_line(value))


def _link_target(url: str) -> str:
    """The URL with what would end a ``<url|label>`` or ``(<url>)`` early percent-encoded."""
    return _LINK_BREAKERS.sub(lambda m: quote(m.group()), url.strip())


def slack_link(url: str, label: object) -> str:
    """``<url|label>`` for an http(s) URL; the label alone for any other (never a live
    ``javascript:`` or ``file:`` link)."""
    text = slack_text(label)
    return f"<{_link_target(url)}|{text}>" if is_web_url(url) else text


def markdown_text(value: object) -> str:
    """A field of a Markdown message: on one line, with the characters that open a link, an
    image or an autolink (``[ ] < >``, and the backslash itself) backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\g<0>", one_line(value))


def markdown_link(url: str, label: object) -> str:
    """``[label](<url>)`` for an http(s) URL; the label alone for any other."""
    text = markdown_text(label)
    return f"[{text}](<{_link_target(url)}>)" if is_web_url(url) else text


def _env(autoescape: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]) if autoescape else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        line=one_line,
        slack=slack_text,
        slack_link=slack_link,
        md=markdown_text,
        md_link=markdown_link,
    )
    env.tests["web_url"] = is_web_url  # a link is rendered as a link only when http(s)
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

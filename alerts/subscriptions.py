"""Subscribers, their channels and filters (the subscriptions file), and event matching.

Apprise URLs carry secrets (SMTP passwords, webhook tokens), so the file names an environment
variable per channel and never holds the URL itself; only the local sinks (a file, the
console), which carry no secret, may be written inline.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import apprise
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from alerts.redact import display_url, protect
from alerts.sinks import LOCAL_SCHEMES, register_local_sinks
from core.vocabulary import EVENT_TYPES, EventType
from core.yamlconf import ConfigError, duplicates, load_yaml, validate_file


class ChannelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,60}$")
    url_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    """Environment variable holding the Apprise URL (email, Slack, Teams, webhook, ...)."""
    url: str | None = None
    """Only for local sinks without secrets: ``pwfile://PATH`` or ``pwconsole://``."""
    optional: bool = False
    """An optional channel whose variable is unset is skipped instead of failing start-up."""

    @model_validator(mode="after")
    def _one_url(self) -> ChannelConfig:
        if bool(self.url_env) == bool(self.url):
            raise ValueError("give exactly one of url_env (an environment variable) or url (local sink)")
        if self.url and not self.url.startswith(tuple(f"{s}://" for s in LOCAL_SCHEMES)):
            raise ValueError(
                "inline url is only allowed for local sinks (pwfile://, pwconsole://); "
                "put Apprise URLs with secrets in an environment variable and name it in url_env"
            )
        return self


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_types: list[EventType] = Field(default_factory=lambda: list(EVENT_TYPES))
    jurisdictions: list[str] = Field(default_factory=list)
    """Any of these (empty: any jurisdiction)."""
    series: list[str] = Field(default_factory=list)
    """Case-insensitive substrings of the event's series/name (empty: any)."""
    keywords: list[str] = Field(default_factory=list)
    min_confidence: float = Field(default=0.7, ge=0.0, le=1.0)
    """Background mentions of past events score lower; 0.7 keeps alerts to the news itself."""


class DigestSchedule(BaseModel):
    """When a digest subscriber hears from us: daily or weekly, at a local time."""

    model_config = ConfigDict(extra="forbid")

    every: Literal["daily", "weekly"] = "daily"
    at: str = Field(default="08:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    timezone: str = "UTC"
    weekday: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = "monday"
    send_empty: bool = False
    """Send a one-line 'nothing new' digest when the period had no events."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Europe/Brussels)"
            ) from None
        return value


class Subscriber(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9_.@-]{1,100}$")
    channels: list[ChannelConfig] = Field(min_length=1)
    filters: Filters = Field(default_factory=Filters)
    mode: Literal["immediate", "digest"] = "immediate"
    digest: DigestSchedule = Field(default_factory=DigestSchedule)
    follow_ups: bool = False
    """Also alert when an event already reported gains a date, a place or a status."""


class Operators(BaseModel):
    """The operator's own channels, for source health (failing or silent sources)."""

    model_config = ConfigDict(extra="forbid")
    channels: list[ChannelConfig] = Field(default_factory=list)
    failing_runs: int = Field(default=3, ge=1)


class SubscriptionsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subscribers: list[Subscriber] = Field(default_factory=list)
    operators: Operators = Field(default_factory=Operators)


@dataclass(frozen=True, slots=True)
class Channel:
    """A channel ready to send: its secret URL stays in memory, only the redacted form is shown."""

    subscriber: str
    name: str
    url: str
    redacted: str


@dataclass(frozen=True, slots=True)
class EventView:
    """The fields of a stored event that filters look at."""

    type: str
    name: str
    series: str | None
    jurisdictions: list[str]
    confidence: float
    evidence: str


def match(sub: Subscriber, event: EventView) -> str | None:
    """Return the 'why you got this' line when the event passes the subscriber's filters."""
    f = sub.filters
    if event.type not in f.event_types:
        return None
    reasons = [f"event type {event.type}"]
    if f.jurisdictions:
        hit = [j for j in f.jurisdictions if j in event.jurisdictions]
        if not hit:
            return None
        reasons.append("jurisdiction " + ", ".join(hit))
    if f.series:
        hay = f"{event.series or ''} {event.name}".casefold()
        hit = [s for s in f.series if s.casefold() in hay]
        if not hit:
            return None
        reasons.append("series " + ", ".join(hit))
    if f.keywords:
        hay = f"{event.name} {event.evidence}".casefold()
        hit = [k for k in f.keywords if k.casefold() in hay]
        if not hit:
            return None
        reasons.append("keyword " + ", ".join(hit))
    if event.confidence < f.min_confidence:
        return None
    return "You subscribed to " + "; ".join(reasons) + "."


def redact(url: str) -> str:
    """Apprise's own privacy rendering of a URL (passwords and tokens masked)."""
    register_local_sinks()
    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        scheme = url.split("://", 1)[0] if "://" in url else "?"
        return f"{scheme}://(unparseable URL hidden)"
    if url.startswith("pwfile://"):
        return url  # a local file path carries no secret and tells the operator where to look
    return display_url(url, str(plugin.url(privacy=True)))


@dataclass(frozen=True, slots=True)
class Subscriptions:
    path: Path
    subscribers: list[Subscriber]
    channels: dict[str, list[Channel]]
    """Resolved channels per subscriber name (optional channels with no URL left out)."""
    operators: list[Channel] = field(default_factory=list)
    failing_runs: int = 3

    def subscriber(self, name: str) -> Subscriber | None:
        return next((s for s in self.subscribers if s.name == name), None)


def _duplicate_names(
    path: Path, data: object, node: yaml.Node | None, parsed: SubscriptionsFile
) -> list[str]:
    """Subscriber names, and channel names within one owner, must be unique: alerts are keyed
    by them, so a repeated subscriber got the other one's alerts and only the last of two
    same-named channels received. Each repeat is named at its own line."""
    subs = ((("subscribers", i, "name"), sub.name) for i, sub in enumerate(parsed.subscribers))
    problems = duplicates(path, data, node, subs, "subscriber name")
    owners: list[tuple[tuple[str | int, ...], list[ChannelConfig]]] = [
        (("subscribers", i), sub.channels) for i, sub in enumerate(parsed.subscribers)
    ]
    owners.append((("operators",), parsed.operators.channels))
    for loc, configs in owners:
        names = (((*loc, "channels", ci, "name"), ch.name) for ci, ch in enumerate(configs))
        problems += duplicates(path, data, node, names, "channel name")
    return problems


def load_subscriptions(path: Path, environ: dict[str, str] | None = None) -> Subscriptions:
    """Validate the file and resolve every channel now, so a bad URL fails before any fetch."""
    env = os.environ if environ is None else environ
    data, node = load_yaml(path)
    parsed = validate_file(path, SubscriptionsFile, data, node)
    register_local_sinks()
    channels: dict[str, list[Channel]] = {}
    problems = _duplicate_names(path, data, node, parsed)
    from core.yamlconf import _node_line  # the line of a field, for errors found after validation

    def resolve(
        owner: str, configs: list[ChannelConfig], loc: tuple[str | int, ...], label: str
    ) -> list[Channel]:
        resolved: list[Channel] = []
        for ci, ch in enumerate(configs):
            line = _node_line(node, (*loc, "channels", ci))
            where = f"{path}:{line}: {label}.channels[{ci}]({ch.name})"
            url = ch.url or env.get(ch.url_env or "", "")
            if not url:
                if not ch.optional:
                    problems.append(f"{where}: environment variable {ch.url_env} is not set")
                continue
            if ch.url and ch.url.startswith("pwfile://") and not ch.url.startswith("pwfile:///"):
                # relative sink paths are relative to the subscriptions file's folder
                url = "pwfile://" + str((path.parent / ch.url[len("pwfile://") :]).resolve())
            protect(url)  # before Apprise sees it: its own log lines cannot show this URL's secrets
            if apprise.Apprise.instantiate(url, suppress_exceptions=True) is None:
                problems.append(f"{where}: {ch.url_env or 'url'} is not a valid Apprise URL ({redact(url)})")
                continue
            resolved.append(Channel(subscriber=owner, name=ch.name, url=url, redacted=redact(url)))
        return resolved

    for si, sub in enumerate(parsed.subscribers):
        channels[sub.name] = resolve(
            sub.name, sub.channels, ("subscribers", si), f"subscribers[{si}]({sub.name})"
        )
    operators = resolve("operators", parsed.operators.channels, ("operators",), "operators")
    if problems:
        raise ConfigError("\n".join(problems))
    return Subscriptions(
        path=path,
        subscribers=list(parsed.subscribers),
        channels=channels,
        operators=operators,
        failing_runs=parsed.operators.failing_runs,
    )

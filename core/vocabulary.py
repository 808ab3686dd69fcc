"""The project's words, written once: event types, event and alert statuses, label kinds.

Each is a ``StrEnum``, so a member *is* its string ("summit" == EventType.SUMMIT): the values
are what the store holds, what rules files and subscriptions name and what the CLI prints, and
they never change here without a migration. Every list of these words elsewhere is derived from
this module (the enums' order is the order reports list them)."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class EventType(StrEnum):
    """The events a subscriber can follow, in the order reports list them.

    A ``StrEnum``: each member is its string ("dpc_meeting"), so it compares equal to the type
    written in rules files, subscriptions and the store."""

    DPC_MEETING = "dpc_meeting"
    SUMMIT = "summit"
    MOU = "mou"
    LEGISLATION = "legislation"
    DECLARATION = "declaration"


EVENT_TYPES: Final[tuple[EventType, ...]] = tuple(EventType)
"""Every event type, in the order reports list them."""

NONE: Final = "none"
"""The primary label of an item that reports none of the events (off-topic, opinion, context)."""

CLASSES: Final[tuple[str, ...]] = (*(t.value for t in EVENT_TYPES), NONE)
"""Every primary label the model can give (plain strings, as the model file stores them)."""

TITLES: Final[dict[str, str]] = {
    EventType.DPC_MEETING: "Digital Partnership Council meeting",
    EventType.SUMMIT: "Summit",
    EventType.MOU: "MoU",
    EventType.LEGISLATION: "Legislation milestone",
    EventType.DECLARATION: "Declaration",
    NONE: "No event",
}
"""How an event found without a named series is named ("EU-Japan Digital Partnership Council
meeting", "MoU: ...")."""

HEADINGS: Final[dict[str, str]] = {
    **{t: TITLES[t] for t in EVENT_TYPES},
    EventType.MOU: "Memorandum of understanding",
}
"""How an alert heads each type ("[AI Policy Watch] Summit: ...")."""


class EventStatus(StrEnum):
    """Where an event stands (``events.status``): found in its report's tense and keywords
    (``rules/status.yaml``), or ``overdue`` once an upcoming event's date passed unreported."""

    UPCOMING = "upcoming"
    HELD = "held"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"
    OVERDUE = "overdue"


class LabelKind(StrEnum):
    """What a stored label says about an item (``labels.kind``; ``policywatch explain`` lists them)."""

    AI_POLICY = "ai_policy"
    JURISDICTION = "jurisdiction"
    TOPIC = "topic"
    EVENT_TYPE = "event_type"
    FEATURE = "feature"
    """One of the model's weightiest features toward the item's event type."""


class AlertKind(StrEnum):
    """Why an alert row exists (``alerts.kind``, part of its unique key)."""

    NEW = "new"
    """The first alert of an event."""
    FOLLOW_UP = "follow_up"
    """The event gained a detail (date, place, ordinal, status): its revision went up."""
    OVERDUE = "overdue"
    """An expected event's date passed with no report that it was held."""


class DeliveryMode(StrEnum):
    """How a subscriber gets alerts (``alerts.mode``, a subscriber's ``mode``)."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"


class AlertStatus(StrEnum):
    """An outbox row's life: pending -> sending (claimed, with a lease) -> sent | failed."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    """Given up after the maximum number of attempts."""


class DigestStatus(StrEnum):
    """A digest row: pending until sent; ``empty`` when its period had nothing to send."""

    PENDING = "pending"
    SENT = "sent"
    EMPTY = "empty"


class HealthState(StrEnum):
    """A source's health as operators hear of it (``sources.health``, ``sources health``)."""

    OK = "ok"
    FAILING = "failing"
    SILENT = "silent"


class PollStatus(StrEnum):
    """What one source did in one run (a row of the run summary, ``SourceReport.status``)."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    """HTTP 304: nothing changed since the last poll."""
    PARTIAL = "partial"
    """Some items were read, and an error cut the rest short."""
    FAILED = "failed"

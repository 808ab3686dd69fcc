"""The event types, written once: every list of types in the project is derived from here."""

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

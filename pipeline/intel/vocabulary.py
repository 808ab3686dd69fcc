"""The event types, written once: every list of types in the project is derived from here."""

from __future__ import annotations

from typing import Final, Literal

EventType = Literal["dpc_meeting", "summit", "mou", "legislation", "declaration"]

EVENT_TYPES: Final[tuple[EventType, ...]] = ("dpc_meeting", "summit", "mou", "legislation", "declaration")
"""The events a subscriber can follow, in the order reports list them."""

NONE: Final = "none"
"""The primary label of an item that reports none of the events (off-topic, opinion, context)."""

CLASSES: Final[tuple[str, ...]] = (*EVENT_TYPES, NONE)
"""Every primary label the model can give."""

TITLES: Final[dict[str, str]] = {
    "dpc_meeting": "Digital Partnership Council meeting",
    "summit": "Summit",
    "mou": "MoU",
    "legislation": "Legislation milestone",
    "declaration": "Declaration",
    NONE: "No event",
}
"""How subscribers read each type."""

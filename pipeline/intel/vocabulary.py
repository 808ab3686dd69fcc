"""Re-export of ``core.vocabulary``, where the event types now live with the project's other words.

The classifier's modules keep importing the types from here, so the classifier can change without
touching every import; new code imports ``core.vocabulary``."""

from core.vocabulary import CLASSES, EVENT_TYPES, HEADINGS, NONE, TITLES, EventType

__all__ = ["CLASSES", "EVENT_TYPES", "HEADINGS", "NONE", "TITLES", "EventType"]

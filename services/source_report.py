"""What one source did in one run: counted by every stage of ``services.ingest``, stored by
``services.storing``, shown in the run summary (``services.run_report``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from core.vocabulary import PollStatus
from pipeline.urls import mask_secrets


@dataclass(slots=True)
class SourceReport:
    """What one source did in one run: the row of the operator's run summary."""

    source_id: str
    kind: str
    status: PollStatus = PollStatus.OK
    http_status: int | None = None
    bytes: int = 0
    items_seen: int = 0
    new_items: int = 0
    duplicates: int = 0
    already_stored: int = 0
    new_events: int = 0
    updated_events: int = 0
    alerts_queued: int = 0
    unsafe_links: int = 0
    """Items dropped because their link is not http(s) (``javascript:``, ``file:``, ``data:``)."""
    filtered: int = 0
    """Items dropped by the source's ``include``/``exclude`` filters in sources.yaml."""
    error: str | None = None
    new_event_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The summary row; a URL's credentials (``?api_key=…``) are masked in its error."""
        row = asdict(self)
        if self.error:
            row["error"] = mask_secrets(self.error)
        return row

    def add_error(self, note: str) -> None:
        """Add a note to the report's error, after any already there."""
        self.error = f"{self.error}; {note}" if self.error else note

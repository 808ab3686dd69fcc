"""What the CLI and the demo print: the consoles, tables that fit the terminal, a run's summary,
and text from the web or from a user made inert before Rich prints it.

Rich reads ``[...]`` as markup: a stored title with ``[/]`` crashes the view (MarkupError)
and one with ``[bold]`` or ``[link=...]`` restyles it. A terminal reads ESC sequences: a title
with ``\\x1b[2J`` would clear the operator's screen. Ingest strips control characters now, but
rows stored before that may still carry them, so every view cleans again at print time.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.text import strip_unsafe_chars


def plain(value: object) -> str:
    """``value`` as a string safe to put inside Rich markup or a table cell: no control
    characters, no bidi overrides, and every ``[`` that could open a tag escaped."""
    if value is None:
        return ""
    return escape(strip_unsafe_chars(str(value)))


# Printed text is often the web's (titles, errors, redirect targets): no ``:emoji:`` codes, so
# a title cannot turn into pictures; markup in such text is escaped with ``plain``.
out = Console(emoji=False)
# soft_wrap: error sentences and URLs stay on one line (greppable, copyable)
err = Console(stderr=True, soft_wrap=True, emoji=False)


TOKEN_COLUMNS = frozenset(
    {"id", "source", "kind", "tier", "enabled", "fixture", "status", "HTTP", "seen", "new", "dup", "events"}
    | {"alerts", "type", "event_type", "date", "published", "attempts", "event_id", "failures", "ordinal"}
    | {"last polled", "last ok", "last new", "next poll"}
)
"""Columns whose every value is one token (an id, a status, a count, a date): shown whole, never
wrapped mid-word (``not_modifie/d``); the text columns beside them give way, at word breaks."""
HEADERS = {"jurisdictions": "juris.", "item_ids": "items", "consecutive_failures": "failures"}


def add_column(table: Table, name: str) -> None:
    """A column that reads well in 80 terminal columns (see ``TOKEN_COLUMNS``). Dates with a
    time wrap at the space between them; a URL or a word longer than its column is folded."""
    header = HEADERS.get(name, name)
    if name in TOKEN_COLUMNS:
        table.add_column(header, no_wrap=True, overflow="ellipsis")
    else:
        table.add_column(header, overflow="fold")


def print_fitted(table: Table, optional: tuple[str, ...], wants: dict[str, int], hint: str) -> None:
    """Print ``table`` in the terminal's width: while its token columns and the text columns at
    their wanted widths (``wants``, else 10) do not fit, leave out the next ``optional`` column
    (by header), and say so under the table (unless the column was empty)."""
    from rich.text import Text

    def width(col: Any) -> int:
        cells = [col.header, *col.cells]
        return max(Text.from_markup(c).cell_len if isinstance(c, str) else len(str(c)) for c in cells)

    def needed() -> int:
        return 1 + sum(
            3 + (width(c) if c.no_wrap else min(width(c), wants.get(str(c.header), 10)))
            for c in table.columns
        )

    left_out = []
    for header in optional:
        if needed() <= out.width:
            break
        index = next((i for i, c in enumerate(table.columns) if c.header == header), None)
        if index is not None:
            dropped = table.columns.pop(index)
            if any(str(cell).strip() for cell in dropped.cells):
                left_out.append(header)  # an empty column goes without a word
    if left_out:
        table.caption = f"left out at {out.width} columns: {', '.join(left_out)} ({hint})"
    out.print(table)


def print_summary(summary: dict[str, Any], heading: str) -> None:
    t = summary["totals"]
    out.print(f"\n[bold]{plain(heading)}[/]")
    table = Table(show_header=True, header_style="bold")
    for col in ("source", "status", "HTTP", "seen", "new", "dup", "events", "alerts", "error"):
        add_column(table, col)
    for s in summary["sources"]:
        table.add_row(
            plain(s["source_id"]),
            plain(s["status"]),
            str(s["http_status"] or ""),
            str(s["items_seen"]),
            str(s["new_items"]),
            str(s["duplicates"]),
            str(s["new_events"]),
            str(s["alerts_queued"]),
            plain((s["error"] or "")[:80]),
        )
    errors = any(s["error"] for s in summary["sources"])
    print_fitted(table, ("error", "HTTP"), {"error": 24}, "errors below" if errors else "widen the terminal")
    if not any(c.header == "error" for c in table.columns):  # left out for width: each one whole
        for s in summary["sources"]:
            if s["error"]:
                out.print(f"{plain(s['source_id'])}: {plain(s['error'])}", highlight=False, soft_wrap=True)
    out.print(
        f"sources polled: {t['sources_polled']} ({t['not_modified']} unchanged, HTTP 304; "
        f"{t['failed_sources']} failed) | new items: {t['new_items']} | duplicates dropped: "
        f"{t['duplicates_dropped']} | events found: {t['new_events']} | alerts sent: {t['alerts_sent']}"
        + (f" | alerts retrying: {t['alerts_retrying']}" if t["alerts_retrying"] else "")
        + (f" | alerts failed: {t['alerts_failed']}" if t["alerts_failed"] else "")
    )
    for e in summary.get("alert_errors", []):
        err.print(f"  alert problem: {plain(e)}", highlight=False)

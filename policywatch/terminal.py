"""Text from the web or from a user, made inert before the CLI prints it with Rich.

Rich reads ``[...]`` as markup: a stored title with ``[/]`` crashes the view (MarkupError)
and one with ``[bold]`` or ``[link=...]`` restyles it. A terminal reads ESC sequences: a title
with ``\\x1b[2J`` would clear the operator's screen. Ingest strips control characters now, but
rows stored before that may still carry them, so every view cleans again at print time.
"""

from __future__ import annotations

from rich.markup import escape

from pipeline.text import strip_unsafe_chars


def plain(value: object) -> str:
    """``value`` as a string safe to put inside Rich markup or a table cell: no control
    characters, no bidi overrides, and every ``[`` that could open a tag escaped."""
    if value is None:
        return ""
    return escape(strip_unsafe_chars(str(value)))

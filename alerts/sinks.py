"""Local Apprise channels: a file and the console, for the offline demo and for operators.

They are registered with Apprise's ``@notify`` decorator, so they go through exactly the same
delivery path (and failure handling) as email, Slack or a webhook.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from apprise.decorators import notify

LOCAL_SCHEMES = ("pwfile", "pwconsole")
_registered = False


def _file_sink(
    body: str, title: str, notify_type: str, meta: dict[str, Any], *args: Any, **kwargs: Any
) -> bool:
    """Append the alert to a text file (one block per alert)."""
    # Apprise normalises pwfile:///abs/path into host + fullpath; the path is always absolute.
    path = Path("/" + unquote(str(meta.get("host") or "")) + unquote(str(meta.get("fullpath") or "")))
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"=== {stamp} | {title}\n{body.rstrip()}\n\n")
    return True


def _console_sink(body: str, title: str, notify_type: str, *args: Any, **kwargs: Any) -> bool:
    print(f"\n[alert] {title}\n{body.rstrip()}\n")
    return True


def register_local_sinks() -> None:
    global _registered
    if _registered:
        return
    notify(on="pwfile", name="Policy Watch file sink")(_file_sink)
    notify(on="pwconsole", name="Policy Watch console sink")(_console_sink)
    _registered = True

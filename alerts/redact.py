"""Keep channel secrets out of logs, the store, artifacts and error messages.

Apprise's ``url(privacy=True)`` masks passwords and known token fields, but not every
plugin treats a path segment as secret (a generic webhook's ``/hooks/<token>``), so we also
mask every credential, long path segment and query value of the original URL.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

MASK = "****"


def secrets_of(url: str) -> list[str]:
    """Substrings of a channel URL that may be secret, longest first."""
    try:
        parts = urlsplit(url)
        password, username = parts.password, parts.username
    except ValueError:
        return [url]
    found = [url]
    if password:
        found += [password, unquote(password)]
    if username:
        found += [username, unquote(username)]
    found += [seg for seg in parts.path.split("/") if len(seg) >= 6]
    found += [v for _k, v in re.findall(r"([^&=?]+)=([^&]+)", parts.query) if len(v) >= 6]
    return sorted({s for s in found if s}, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """``text`` with every secret-looking part of ``url`` masked."""
    for secret in secrets_of(url):
        text = text.replace(secret, MASK)
    return text


def display_url(url: str, apprise_private: str | None) -> str:
    """A short, safe rendering of a channel for people: scheme, host, masked path, no query."""
    base = (apprise_private or url).split("?", 1)[0]
    for secret in secrets_of(url):
        if secret != url:
            base = base.replace(secret, MASK)
    return base

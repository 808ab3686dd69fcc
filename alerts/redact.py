"""Keep channel secrets out of logs, the store, artifacts and error messages.

Apprise's ``url(privacy=True)`` masks passwords and known token fields, but not every
plugin treats a path segment as secret (a generic webhook's ``/hooks/<token>``), so we also
mask every credential, long path segment and query value of the original URL.
"""

from __future__ import annotations

import logging
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


class _SecretFilter(logging.Filter):
    """Masks channel secrets in log records: Apprise logs full URLs at DEBUG level."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken log call is not ours to fix; leave it alone
            return True
        if any(secret in message for secret in self.secrets):
            for secret in sorted(self.secrets, key=len, reverse=True):
                message = message.replace(secret, MASK)
            record.msg, record.args = message, ()
        return True


_FILTER = _SecretFilter()


# Apprise logs full URLs at DEBUG; requests' urllib3 logs every request line with its path.
_LOGGERS = ("apprise", "urllib3.connectionpool", "httpx", "httpcore")


def protect(url: str) -> None:
    """Register a channel URL's secrets with the log filter of every logger that could print it."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    _FILTER.secrets.update(s for s in secrets_of(url) if len(s) >= 6)

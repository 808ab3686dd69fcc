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


_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{0,30}://[^\s'\"<>]*")


def mask_urls(text: str) -> str:
    """``text`` with every URL in it reduced to its scheme and host, the rest masked.

    For Apprise's own log lines ("Could not load E-Mail URL: mailto://user:pass@"): the URL
    they name is usually one that failed to load, a malformed one whose secrets were never
    registered with ``protect``; and Apprise's own "p...s" masking still shows two characters.
    """
    return _URL.sub(lambda m: _masked_url(m.group(0)), text)


def _masked_url(url: str) -> str:
    """Scheme, host (when it reads as a host name, not a token) and port; everything else masked."""
    scheme = url.split("://", 1)[0]
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:  # a bad port or IPv6 literal: nothing in it can be trusted to be harmless
        return f"{scheme}://{MASK}"
    shown = host if host and ("." in host or ":" in host or host == "localhost") else MASK
    netloc = (f"{MASK}@" if "@" in parts.netloc else "") + shown + (f":{port}" if port and host else "")
    path = f"/{MASK}" if parts.path.strip("/") else parts.path
    return f"{scheme}://{netloc}{path}" + (f"?{MASK}" if parts.query else "")


class _SecretFilter(logging.Filter):
    """Masks channel secrets in log records: Apprise logs full URLs at DEBUG level, and the
    URL of a channel it cannot load at ERROR level (on stderr wherever logging is set up)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # boundary: a broken log call is logging's to report (handleError), not ours
            return True
        masked = self._mask(message, every_url=record.name.split(".")[0] == "apprise")
        if masked != message:
            record.msg, record.args = masked, ()
        return True

    def _mask(self, message: str, every_url: bool) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret in message:
                message = message.replace(secret, MASK)
        # Only Apprise's URLs are all channel URLs; httpx's are feeds the operator needs to see.
        return mask_urls(message) if every_url else message


_FILTER = _SecretFilter()


# Apprise logs full URLs at DEBUG; requests' urllib3 logs every request line with its path.
_LOGGERS = ("apprise", "urllib3.connectionpool", "httpx", "httpcore")


def guard_logs() -> None:
    """Attach the filter to every logger that could print a channel URL (idempotent)."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def protect(url: str) -> None:
    """Register a channel URL's secrets with the log filter of every logger that could print it."""
    guard_logs()
    _FILTER.secrets.update(s for s in secrets_of(url) if len(s) >= 6)


guard_logs()  # at import: whoever loads channels through this package is covered from the first line

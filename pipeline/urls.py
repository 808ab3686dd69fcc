"""Canonical URLs: the first layer of identity (the same article reached by different links).

Only web links are ever fetched, stored or shown: a ``file:``, ``data:`` or ``javascript:``
link on a hostile page would otherwise read a local file or put a script behind a title.
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urlsplit

from courlan import normalize_url

# register_secret is re-exported: callers mask and register through one module
from core.secrets import register_secret as register_secret
from core.secrets import registered_secrets

WEB_SCHEMES = frozenset({"http", "https"})
"""The only schemes fetched, stored as an item's link or rendered as a link."""
PLACEHOLDER_PREFIX = "urn:policywatch:"
"""The link ``import`` gives a line without ``url``: an identity, never fetched or linked."""


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host, whatever the scheme's case."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


def is_item_link(url: str) -> bool:
    """An item may be stored under this link: a web URL, or import's own placeholder."""
    return is_web_url(url) or url.strip().startswith(PLACEHOLDER_PREFIX)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, sorted query, tracking parameters and fragment dropped.

    courlan (trafilatura's URL library) knows the tracking parameters (utm_*, fbclid, gclid,
    mc_cid, ...); we add fragment removal because ``#section`` never names another article.
    """
    url = url.strip()
    if not url:
        return url
    try:
        normalized = normalize_url(url)
    except ValueError:
        normalized = url
    return urldefrag(normalized)[0]


SECRET_PARAMS = (
    "api_key",
    "apikey",
    "key",
    "token",
    "access_token",
    "secret",
    "password",
    "sig",
    "signature",
)
"""Query parameters whose value is a credential (also with a prefix: ``x-api-key``, ``auth_token``)."""
SECRET_MASK = "****"
_SECRET_NAMES = "|".join(re.escape(p) for p in sorted(SECRET_PARAMS, key=len, reverse=True))
_SECRET_QUERY = re.compile(
    rf"(?P<name>[?&;](?:[\w.-]{{0,40}}[_.-])?(?:{_SECRET_NAMES})=)[^&#;\s'\"<>)\]]*", re.IGNORECASE
)
_USERINFO_PASSWORD = re.compile(r"(?P<user>://[^/\s:@'\"<>]*:)[^/\s@'\"<>]+@")


def mask_secrets(text: str) -> str:
    """``text`` (an error message, a summary line) with the secrets of every URL in it masked:
    the value of a credential query parameter (``?api_key=…``, ``&token=…``, ``&sig=…``), a
    ``user:password@`` password, and any value registered with ``register_secret``. The rest
    of the URL stays, so the error still names the source."""
    for secret in registered_secrets():
        if secret in text:
            text = text.replace(secret, SECRET_MASK)
    if "=" not in text and "@" not in text:
        return text
    text = _SECRET_QUERY.sub(lambda m: m.group("name") + SECRET_MASK, text)
    return _USERINFO_PASSWORD.sub(lambda m: m.group("user") + SECRET_MASK + "@", text)

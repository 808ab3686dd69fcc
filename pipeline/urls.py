"""Canonical URLs: the first layer of identity (the same article reached by different links)."""

from __future__ import annotations

from urllib.parse import urldefrag

from courlan import normalize_url


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

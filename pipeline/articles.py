"""The enrich stage's network half: the article page behind each new feed entry, for a source
with ``fetch_articles`` (a feed that carries only a teaser). ``pipeline.stages.enrich`` then
reads the pages' main text.

It runs before the store is opened, never inside it: the store's transaction holds no network
wait, and a slow site cannot keep a write lock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from core.sources_config import FeedSource
from pipeline.fetch import FetchError, fetch, make_client
from pipeline.text import decode_html
from pipeline.types import LinkedItem

PageGate = Callable[[str], AbstractContextManager[object]]
"""What a source's article pages on one host are fetched under (the flow's per-host politeness)."""


@dataclass(slots=True)
class ArticlePages:
    """The pages fetched, by item link, and the errors of those that failed (the item then keeps
    the feed's own text)."""

    html: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def fetch_article_pages(
    items: Sequence[LinkedItem], source: FeedSource, page_gate: PageGate | None = None
) -> ArticlePages:
    """Each item's page, decoded; a page that fails is named in ``errors`` and left out.

    Pages are fetched one after the other, host by host, each host's under ``page_gate(url)``
    (held for all of that host's pages): they are requests to a site like the feed's own, and
    the per-host limits count them too. The source's size and time caps and its
    ``private_network`` allowance apply to every page, as to the feed."""
    pages = ArticlePages()
    by_host: dict[str, list[str]] = {}
    for item in items:
        by_host.setdefault((urlsplit(item.raw.url).hostname or "").lower(), []).append(item.raw.url)
    with make_client(source.timeout_seconds, private_network=source.private_network) as client:
        for urls in by_host.values():
            with page_gate(urls[0]) if page_gate is not None else nullcontext():
                for url in urls:
                    try:
                        page = fetch(
                            client, url, max_bytes=source.max_bytes, deadline_seconds=source.timeout_seconds
                        )
                    except FetchError as exc:
                        pages.errors.append(str(exc))
                        continue
                    if page.body:  # the spiders' charset reader: a wrong header must not garble the page
                        pages.html[url] = decode_html(page.body, page.headers.get("content-type"))
    return pages

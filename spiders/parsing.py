"""Pure parsing functions behind the generic spiders: bytes/text/JSON in, RawItem-shaped dicts out.

Nothing here touches Scrapy's engine, so tests call these directly on stored fixtures and a
site that changes its markup is debugged without running a crawl. The spiders only decide
which URL to fetch next.

Dates: every ``published`` value is an ISO-8601 string with an offset; a date without a zone
is taken as UTC (WordPress ``date_gmt``, ``<time datetime="2026-10-03">``).
"""

from __future__ import annotations

import gzip
import html as html_lib
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict
from urllib.parse import quote, urldefrag, urljoin

from lxml import etree
from parsel import Selector, SelectorList
from w3lib.url import add_or_replace_parameters

from core.sources_config import JsonApiFields, JsonApiPagination, ListingSelectors
from pipeline.published import parse_published
from pipeline.published import to_iso as to_iso  # re-exported: the spiders' and tests' name
from pipeline.text import decode_html as decode_html  # re-exported, as above
from pipeline.text import extract_article, html_to_text
from pipeline.urls import is_web_url
from spiders.items import ItemFields, LinkHint

# --------------------------------------------------------------------------- text, dates, charsets
# One text path for every way a page arrives (see pipeline.text): the charset reader, the
# HTML-to-text function and the date parser are the shared ones, not copies.

_WS = re.compile(r"\s+")
fragment_text = html_to_text


def clean_text(value: str | None) -> str:
    """Collapse whitespace and unescape entities: listing titles come with newlines and ``&amp;``."""
    return _WS.sub(" ", html_lib.unescape(value or "")).strip()


# --------------------------------------------------------------------------- selectors


def select(sel: Selector | SelectorList[Selector], query: str) -> SelectorList[Selector]:
    """CSS, or XPath when the query starts with '/' or '(' (as documented in sources.yaml)."""
    q = query.strip()
    return sel.xpath(q) if q.startswith(("/", "(", "./")) else sel.css(q)


def _node_text(node: Selector) -> str:
    if isinstance(node.root, str):
        return clean_text(node.root)
    return clean_text(" ".join(node.xpath(".//text()").getall()))


def _node_date(node: Selector) -> str | None:
    if not isinstance(node.root, str):
        for attr in ("datetime", "content"):
            value = node.attrib.get(attr)
            if value and (iso := to_iso(value)):
                return iso
    return to_iso(_node_text(node))


def _relative(node: Selector, query: str, levels: int = 3) -> Selector | None:
    """First match of ``query`` inside the link node or, failing that, in its nearest ancestors.

    Listings put the title inside the ``<a>`` (kantei.go.jp) or beside it in the same
    ``<li>``/``<div>`` (most Drupal views); looking up a few levels covers both without a
    second selector syntax.
    """
    current: Selector | None = node
    for _ in range(levels + 1):
        if current is None:
            return None
        q = query.strip()
        if q.startswith("/"):  # absolute XPath would escape the row; make it relative
            q = "." + q
        found = select(current, q)
        if found:
            return found[0]
        parents = current.xpath("..")
        current = parents[0] if parents else None
    return None


@dataclass
class ListingSpec:
    """The listing selectors the parser needs (mirrors ``core.sources_config.ListingSelectors``)."""

    links: str
    title: str | None = None
    date: str | None = None
    next_page: str | None = None
    max_pages: int = 1
    article_title: str | None = None
    article_date: str | None = None
    article_body: str | None = None

    @classmethod
    def of(cls, value: SpecLike) -> ListingSpec:
        """Accept a ListingSpec, a pydantic ListingSelectors or a plain mapping."""
        if isinstance(value, ListingSpec):
            return value
        data: dict[str, Any] = dict(value) if isinstance(value, Mapping) else value.model_dump()
        return cls(**data)


SpecLike = ListingSpec | ListingSelectors | Mapping[str, str | int | None]
"""What the listing parsers take as selectors: the source's own ``ListingSelectors``, a
``ListingSpec`` or a plain mapping of the same names (tests, the scaffold)."""


def web_link(base_url: str, href: str) -> str | None:
    """The absolute http(s) URL an ``href`` names, without fragment; None for any other scheme
    (``file:``, ``data:``, ``JavaScript:``, ``tel:``, ...), in any case, or a malformed one."""
    try:
        url = urldefrag(urljoin(base_url, href.strip()))[0]
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    return url if is_web_url(url) else None


def listing_links(
    page: str | Selector, base_url: str, spec: SpecLike, rejected: list[str] | None = None
) -> list[LinkHint]:
    """Article links on a listing page, in page order, deduplicated, with title/date hints.

    ``spec.links`` may select ``<a>`` elements or href strings (``a::attr(href)``); the
    optional ``title``/``date`` selectors are evaluated relative to each link (see _relative).
    Only http(s) links are kept: the others are appended to ``rejected`` when it is given.
    """
    selectors = ListingSpec.of(spec)
    sel = page if isinstance(page, Selector) else Selector(text=page, base_url=base_url)
    out: list[LinkHint] = []
    seen: set[str] = set()
    for node in select(sel, selectors.links):
        href = node.root if isinstance(node.root, str) else node.attrib.get("href", "")
        href = href.strip()
        if not href or href.startswith("#"):
            continue
        url = web_link(base_url, href)
        if url is None:
            if rejected is not None:
                rejected.append(href)
            continue
        if url in seen:
            continue
        seen.add(url)
        title = ""
        published = None
        if not isinstance(node.root, str):
            title = _node_text(node)
            if selectors.title and (found := _relative(node, selectors.title)) is not None:
                title = _node_text(found)
            if selectors.date and (found := _relative(node, selectors.date)) is not None:
                published = _node_date(found)
        out.append({"url": url, "title": title, "published": published})
    return out


def next_page_url(page: str | Selector, base_url: str, query: str | None) -> str | None:
    """Absolute http(s) URL of the next listing page, or None when there is none (or no selector)."""
    if not query:
        return None
    sel = page if isinstance(page, Selector) else Selector(text=page, base_url=base_url)
    for node in select(sel, query):
        href = node.root if isinstance(node.root, str) else node.attrib.get("href", "")
        if href and href.strip() and (url := web_link(base_url, href)) is not None:
            return url
    return None


# --------------------------------------------------------------------------- article pages


def _html_lang(sel: Selector) -> str | None:
    lang = sel.xpath("/html/@lang").get() or sel.xpath("/html/@xml:lang").get()
    return lang.strip() or None if lang else None


def parse_article(
    page: str,
    url: str,
    *,
    source_id: str = "",
    spec: SpecLike | None = None,
    hint: Mapping[str, object] | None = None,
    language: str | None = None,
    keep_html: bool = False,
) -> ItemFields:
    """One article page (already decoded text) → a RawItem-shaped dict.

    Main text, title and date come from ``pipeline.text.extract_article``, the one trafilatura
    wrapper, so a page fetched by a spider and by the feed path extracts to the same text and
    hashes alike (the feed path calls it through ``pipeline.stages.main_text``). Precedence
    for title/date: per-source article selectors, then the listing/sitemap hint (explicit
    markup), then trafilatura. ``html`` is kept only when asked
    or when no main text was found, so JSON lines stay small but nothing is lost.
    """
    hint = hint or {}
    sel = Selector(text=page or "<html></html>", base_url=url)
    doc = extract_article(page, url)
    body = doc.text
    title = clean_text(doc.title)
    published = to_iso(doc.date)
    summary = clean_text(doc.description)
    if hint.get("title"):
        title = clean_text(str(hint["title"]))
    if hinted := hint.get("published"):
        published = to_iso(hinted if isinstance(hinted, str | datetime) else str(hinted)) or published
    if not title:
        title = clean_text(sel.xpath("//title/text()").get())
    if spec is not None:
        selectors = ListingSpec.of(spec)
        if selectors.article_title and (nodes := select(sel, selectors.article_title)):
            title = _node_text(nodes[0]) or title
        if selectors.article_date and (nodes := select(sel, selectors.article_date)):
            published = _node_date(nodes[0]) or published
        if selectors.article_body and (nodes := select(sel, selectors.article_body)):
            body = "\n".join(fragment_text(n.get()) for n in nodes).strip() or body
    return {
        "source_id": source_id,
        "url": url,
        "title": title,
        "published": published,
        "summary": summary,
        "body": body,
        "html": page if (keep_html or not body) else "",
        "guid": None,
        "language": language or _html_lang(sel),
    }


# --------------------------------------------------------------------------- WordPress REST API

WP_FIELDS = "id,date_gmt,link,title,content,excerpt,modified_gmt"


def wp_posts_url(site_or_api_url: str, *, per_page: int = 20, after: str | None = None, page: int = 1) -> str:
    """The posts endpoint for a site root or an explicit ``/wp-json/...`` URL, with our query."""
    base = site_or_api_url
    if "/wp-json/" not in base and "rest_route=" not in base:
        base = base.rstrip("/") + "/wp-json/wp/v2/posts"
    params = {"per_page": str(per_page), "_fields": WP_FIELDS, "orderby": "date", "order": "desc"}
    if after:
        params["after"] = after
    if page > 1:
        params["page"] = str(page)
    return add_or_replace_parameters(base, params)


def wp_after_param(after: str, margin_hours: float = 24.0) -> str:
    """The ``after=`` value to send for "newest stored date" ``after``.

    WordPress compares ``after`` with the post's *local* date, while we store UTC; moving
    the bound back by a margin (default a day, more than any UTC offset) means no post is
    missed, at the cost of a few re-fetched posts that dedup drops.
    """
    dt = parse_published(after)
    if dt is None:
        raise ValueError(f"after={after!r} is not a date")
    dt = dt.astimezone(UTC).replace(tzinfo=None) - timedelta(hours=margin_hours)
    return dt.isoformat(timespec="seconds")


def _rendered(value: object) -> str:
    if isinstance(value, Mapping):
        value = value.get("rendered", "")
    return str(value or "")


def parse_wp_post(post: Mapping[str, object], source_id: str = "", language: str | None = None) -> ItemFields:
    """One ``/wp/v2/posts`` object → RawItem-shaped dict (title unescaped, date_gmt as UTC)."""
    date = post.get("date_gmt") or post.get("date")
    return {
        "source_id": source_id,
        "url": str(post.get("link") or ""),
        "title": clean_text(fragment_text(_rendered(post.get("title")))),
        "published": to_iso(str(date)) if date else None,
        "summary": fragment_text(_rendered(post.get("excerpt"))),
        "body": "",
        "html": _rendered(post.get("content")),
        "guid": str(post["id"]) if post.get("id") not in (None, "") else None,
        "language": language,
        "categories": _wp_terms(post),
    }


def _wp_terms(post: Mapping[str, object]) -> list[str]:
    """Category and tag names of a post fetched with ``_embed`` (``_embedded["wp:term"]``)."""
    embedded = post.get("_embedded")
    groups = embedded.get("wp:term") if isinstance(embedded, Mapping) else None
    names: list[str] = []
    for group in groups if isinstance(groups, list) else []:
        for term in group if isinstance(group, list) else []:
            name = clean_text(fragment_text(str(term.get("name") or ""))) if isinstance(term, Mapping) else ""
            if name and name not in names:
                names.append(name)
    return names


def parse_wp_posts(data: object, source_id: str = "", language: str | None = None) -> list[ItemFields]:
    """A posts response (a list, or a single post object) → items; posts without a link are skipped.

    ``data`` is decoded JSON of any shape: what is not a post is passed over, so it is ``object``
    (checked here), not ``Any`` (trusted)."""
    posts = data if isinstance(data, list) else [data] if isinstance(data, Mapping) else []
    items = [parse_wp_post(p, source_id, language) for p in posts if isinstance(p, Mapping)]
    return [i for i in items if i["url"]]


# --------------------------------------------------------------------------- sitemaps

_GZIP_MAGIC = b"\x1f\x8b"


def maybe_gunzip(body: bytes, max_size: int = 50 * 1024 * 1024) -> bytes:
    """Gunzip ``.xml.gz`` sitemaps (served as files, not Content-Encoding), capped against bombs."""
    if not body.startswith(_GZIP_MAGIC):
        return body
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
        data = fh.read(max_size + 1)
    if len(data) > max_size:
        raise ValueError(f"gunzipped sitemap larger than {max_size} bytes")
    return data


class _SitemapKeys(TypedDict):
    loc: str
    lastmod: str | None


class SitemapEntry(_SitemapKeys, total=False):
    """One ``<url>`` or ``<sitemap>`` of a sitemap; a Google News sitemap adds the ``news:``
    title, publication date and language."""

    title: str
    published: str | None
    language: str | None


@dataclass
class SitemapDoc:
    kind: str
    """``urlset``, ``sitemapindex`` or ``invalid``."""
    entries: list[SitemapEntry] = field(default_factory=list)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_sitemap(body: bytes) -> SitemapDoc:
    """A sitemap, sitemap index or Google News sitemap (gzip or not) → entries.

    Each entry: ``loc``, ``lastmod`` (ISO or None); news sitemaps add ``title``,
    ``published`` and ``language`` from ``news:news``. The XML parser neither resolves
    entities nor touches the network.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, remove_comments=True)
    try:
        root = etree.fromstring(maybe_gunzip(body).strip(), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return SitemapDoc("invalid")
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        return SitemapDoc("invalid")
    entries: list[SitemapEntry] = []
    for node in root:
        if _local(node.tag) not in ("url", "sitemap"):
            continue
        entry: SitemapEntry = {"loc": "", "lastmod": None}
        for child in node:
            name = _local(child.tag)
            if name == "loc":
                entry["loc"] = (child.text or "").strip()
            elif name == "lastmod":
                entry["lastmod"] = to_iso(child.text)
            elif name == "news":
                for sub in child.iter():
                    sub_name = _local(sub.tag)
                    if sub_name == "title":
                        entry["title"] = clean_text(sub.text)
                    elif sub_name == "publication_date":
                        entry["published"] = to_iso(sub.text)
                    elif sub_name == "language":
                        entry["language"] = clean_text(sub.text) or None
        if entry["loc"]:
            entries.append(entry)
    return SitemapDoc(_local(root.tag), entries)


def recent_entries(
    entries: Iterable[SitemapEntry],
    *,
    now: datetime,
    max_age_days: int,
    url_filter: str | None = None,
) -> list[SitemapEntry]:
    """Entries newer than ``now - max_age_days`` (news date, else lastmod) that match ``url_filter``.

    An entry with no date at all is kept: small sites often omit lastmod, and dedup will
    drop what we already have.
    """
    cutoff = now - timedelta(days=max_age_days)
    pattern = re.compile(url_filter) if url_filter else None
    kept: list[SitemapEntry] = []
    for entry in entries:
        if pattern is not None and not pattern.search(str(entry.get("loc", ""))):
            continue
        when = parse_published(entry.get("published") or entry.get("lastmod"))
        if when is not None and when < cutoff:
            continue
        kept.append(entry.copy())
    return kept


# --------------------------------------------------------------------------- JSON APIs


def dotted_get(data: object, path: str | None) -> object:
    """Follow ``a.b.0.c`` through dicts and lists; None when any step is missing. Empty path → data.

    Decoded JSON in, one of its values out: ``object``, not ``Any``, so every caller checks the
    kind of value it got (an API that sends a list where a string was declared is common)."""
    if not path:
        return data
    current = data
    for part in path.split("."):
        if isinstance(current, Mapping):
            current = current.get(part)
        elif isinstance(current, list) and part.lstrip("-").isdigit():
            index = int(part)
            current = current[index] if -len(current) <= index < len(current) else None
        else:
            return None
        if current is None:
            return None
    return current


def json_date(value: object, date_format: str | None = None) -> str | None:
    """An API's date as ISO-8601 with an offset (no zone → UTC), read with the declared format:
    a strptime format, ``iso``, ``epoch`` (seconds) or ``epoch_ms``; guessed when none is
    declared. None when the value does not fit the format."""
    if value in (None, ""):
        return None
    if date_format is None:
        return to_iso(str(value))
    try:
        if date_format in ("epoch", "epoch_ms"):
            if not isinstance(value, str | int | float):  # float() of anything else: TypeError
                return None
            seconds = float(value) / (1000 if date_format == "epoch_ms" else 1)
            return datetime.fromtimestamp(seconds, UTC).isoformat()
        text = str(value).strip()
        dt = datetime.fromisoformat(text) if date_format == "iso" else datetime.strptime(text, date_format)
    except (ValueError, TypeError, OverflowError, OSError):
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.isoformat()


_TEMPLATE_FIELD = re.compile(r"\{([^{}]*)\}")


def expand_url_template(template: str, record: object) -> str | None:
    """``https://www.regulations.gov/document/{id}`` with each ``{dotted.path}`` read from the
    record and URL-quoted (a value cannot add a path or a query); None when a value is missing."""
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        found = dotted_get(record, match.group(1).strip())
        if found in (None, "") or isinstance(found, Mapping | list):
            missing = True
            return ""
        return quote(str(found).strip(), safe="")

    url = _TEMPLATE_FIELD.sub(value, template)
    return None if missing else url


def _categories(value: object) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [clean_text(str(v)) for v in values if isinstance(v, str | int | float) and str(v).strip()]


def parse_json_api(
    data: object,
    fields: JsonApiFields | Mapping[str, str | None],
    source_id: str = "",
    language: str | None = None,
    base_url: str = "",
    url_template: str | None = None,
) -> list[ItemFields]:
    """Records under ``fields.list`` → items using the declared dotted paths (title, url, date,
    text, id, category). ``url_template`` builds the public page URL from the record's fields
    (an API's own ``self`` link is rarely the page a reader wants)."""
    spec: dict[str, Any] = dict(fields) if isinstance(fields, Mapping) else fields.model_dump()
    records = dotted_get(data, spec.get("list"))
    if isinstance(records, Mapping):
        records = [records]
    if not isinstance(records, list):
        records = []
    items: list[ItemFields] = []
    for record in records:
        url: object
        if url_template:
            url = expand_url_template(url_template, record)
        else:
            url = dotted_get(record, spec["url"]) if spec.get("url") else None
        if not url or isinstance(url, Mapping | list):
            continue
        text = dotted_get(record, spec.get("text")) if spec.get("text") else None
        date = dotted_get(record, spec.get("date")) if spec.get("date") else None
        guid = dotted_get(record, spec.get("id")) if spec.get("id") else None
        category = dotted_get(record, spec.get("category")) if spec.get("category") else None
        items.append(
            {
                "source_id": source_id,
                "url": urljoin(base_url, str(url)) if base_url else str(url),
                "title": clean_text(str(dotted_get(record, spec["title"]) or "")),
                "published": json_date(date, spec.get("date_format")),
                "summary": fragment_text(str(text)) if text else "",
                "body": "",
                "html": "",
                "guid": str(guid) if guid not in (None, "") else None,
                "language": language,
                "categories": _categories(category) if category is not None else [],
            }
        )
    return items


def _falsy_flag(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("false", "0", "no", "")
    return value is False or value == 0


def json_api_next_url(
    url: str, data: object, pagination: JsonApiPagination | None, page: int, records: int
) -> str | None:
    """The URL of the page after page number ``page`` (1 = the first request), or None to stop.

    ``pagination`` is the source's ``JsonApiPagination`` (None: one page). Stops after
    ``max_pages``, at a page with no records, when ``has_more`` reads false, and when the
    cursor or next URL is missing. The caller stops on a URL it has already fetched."""
    if pagination is None or page >= pagination.max_pages or records == 0:
        return None
    if pagination.has_more and _falsy_flag(dotted_get(data, pagination.has_more)):
        return None
    kind = pagination.type
    if kind == "next_url":
        nxt = dotted_get(data, pagination.next_url)
        return urljoin(url, nxt.strip()) if isinstance(nxt, str) and nxt.strip() else None
    size = pagination.size or 0  # the schema requires a size for offsets
    if kind == "page":
        value: object = pagination.start + page
    elif kind == "offset":
        if records < size:
            return None
        value = pagination.start + page * size
    else:
        value = dotted_get(data, pagination.cursor)
        if value in (None, "") or isinstance(value, Mapping | list | bool):
            return None
    return str(add_or_replace_parameters(url, {str(pagination.param): str(value)}))

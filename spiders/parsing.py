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
from typing import Any
from urllib.parse import urldefrag, urljoin

from dateutil import parser as date_parser
from lxml import etree
from lxml import html as lxml_html
from parsel import Selector, SelectorList
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding
from w3lib.url import add_or_replace_parameters

from pipeline.urls import is_web_url

# --------------------------------------------------------------------------- text and dates

_WS = re.compile(r"\s+")
_CJK_DATE = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
_JP_ERA = re.compile(r"(令和|平成)\s*(\d{1,2}|元)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DOTTED = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{2,4}\b")
_ERA_OFFSET = {"令和": 2018, "平成": 1988}
_SINGLE_BYTE = {"cp1252", "latin_1", "iso8859_1", "ascii", "iso8859_15", "cp1250", "cp1251"}
_SENTINEL = datetime(1900, 1, 1)


def clean_text(value: str | None) -> str:
    """Collapse whitespace and unescape entities: listing titles come with newlines and ``&amp;``."""
    return _WS.sub(" ", html_lib.unescape(value or "")).strip()


def fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment (WordPress excerpt/content), one line per block element."""
    if not fragment or "<" not in fragment:
        return clean_text(fragment)
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return clean_text(re.sub(r"<[^>]+>", " ", fragment))
    for bad in root.xpath(".//script|.//style"):
        bad.drop_tree()
    for block in root.xpath(".//p|.//br|.//li|.//h1|.//h2|.//h3|.//h4|.//div|.//tr"):
        block.tail = "\n" + (block.tail or "")
    lines = (_WS.sub(" ", line).strip() for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _cjk_date(text: str) -> datetime | None:
    """``2026年5月12日``, ``2026년 5월 12일`` and Japanese era dates (``令和8年5月12日``, on .go.jp)."""
    try:
        if era := _JP_ERA.search(text):
            year = 1 if era[2] == "元" else int(era[2])
            return datetime(_ERA_OFFSET[era[1]] + year, int(era[3]), int(era[4]))
        if match := _CJK_DATE.search(text):
            return datetime(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return None


def to_iso(value: str | datetime | None) -> str | None:
    """Normalise a date string or datetime to ISO-8601 with an offset (naive → UTC); None if unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        text = clean_text(str(value))
        cjk = _cjk_date(text)
        if cjk is not None:
            dt = cjk
        else:
            # Dotted dates (10.05.2026) are day-first wherever they are used; slashes stay US-style.
            dayfirst = bool(_DOTTED.match(text))
            try:
                dt = date_parser.parse(text, default=_SENTINEL, dayfirst=dayfirst)
            except (ValueError, OverflowError):
                if len(text) > 80:  # fuzzy parsing of a paragraph invents dates
                    return None
                try:
                    dt = date_parser.parse(text, default=_SENTINEL, dayfirst=dayfirst, fuzzy=True)
                except (ValueError, OverflowError):
                    return None
            if dt.year == _SENTINEL.year:  # the parser invented the year: not a date we trust
                return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.isoformat()


def _as_datetime(value: str | None) -> datetime | None:
    iso = to_iso(value)
    return datetime.fromisoformat(iso) if iso else None


# --------------------------------------------------------------------------- encodings


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    resolved = resolve_encoding(name)
    return resolved.lower() if resolved else None


def decode_html(body: bytes, content_type: str | bytes | None = None) -> str:
    """Decode an HTML body, surviving wrong charset headers.

    Order: BOM; UTF-8 when the bytes are valid UTF-8 (a strong signal); multi-byte charsets
    declared in the page or the header (Shift_JIS, EUC-KR, GB18030…); single-byte declared
    charsets (they decode any bytes, so they go last); then detection. Each candidate must
    decode strictly. A header saying ``utf-8`` or ``ISO-8859-1`` over a Shift_JIS page is
    common on older government servers; trusting it would feed mojibake to trafilatura.
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        return body[len(bom) :].decode(bom_encoding, errors="replace")
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    header = _codec(http_content_type_encoding(content_type)) if content_type else None
    declared = _codec(html_body_declared_encoding(body))
    ordered = ["utf-8"]
    ordered += [c for c in (declared, header) if c and c not in _SINGLE_BYTE]
    ordered += [c for c in (declared, header) if c and c in _SINGLE_BYTE]
    for codec in dict.fromkeys(ordered):
        try:
            return body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes  # only for undeclared, non-UTF-8 pages

    best = from_bytes(body).best()
    if best is not None:
        return str(best)
    return body.decode(header or declared or "utf-8", errors="replace")


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
    """The listing selectors the parser needs (mirrors ``policywatch.sources_config.ListingSelectors``)."""

    links: str
    title: str | None = None
    date: str | None = None
    next_page: str | None = None
    max_pages: int = 1
    article_title: str | None = None
    article_date: str | None = None
    article_body: str | None = None

    @classmethod
    def of(cls, value: Any) -> ListingSpec:
        """Accept a ListingSpec, a pydantic ListingSelectors or a plain mapping."""
        if isinstance(value, ListingSpec):
            return value
        data = value.model_dump() if hasattr(value, "model_dump") else dict(value)
        return cls(**data)


def web_link(base_url: str, href: str) -> str | None:
    """The absolute http(s) URL an ``href`` names, without fragment; None for any other scheme
    (``file:``, ``data:``, ``JavaScript:``, ``tel:``, ...), in any case, or a malformed one."""
    try:
        url = urldefrag(urljoin(base_url, href.strip()))[0]
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    return url if is_web_url(url) else None


def listing_links(
    page: str | Selector, base_url: str, spec: Any, rejected: list[str] | None = None
) -> list[dict[str, Any]]:
    """Article links on a listing page, in page order, deduplicated, with title/date hints.

    ``spec.links`` may select ``<a>`` elements or href strings (``a::attr(href)``); the
    optional ``title``/``date`` selectors are evaluated relative to each link (see _relative).
    Only http(s) links are kept: the others are appended to ``rejected`` when it is given.
    """
    spec = ListingSpec.of(spec)
    sel = page if isinstance(page, Selector) else Selector(text=page, base_url=base_url)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for node in select(sel, spec.links):
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
            if spec.title and (found := _relative(node, spec.title)) is not None:
                title = _node_text(found)
            if spec.date and (found := _relative(node, spec.date)) is not None:
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

_DATE_PARAMS = {"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


def _html_lang(sel: Selector) -> str | None:
    lang = sel.xpath("/html/@lang").get() or sel.xpath("/html/@xml:lang").get()
    return lang.strip() or None if lang else None


def parse_article(
    page: str,
    url: str,
    *,
    source_id: str = "",
    spec: Any = None,
    hint: Mapping[str, Any] | None = None,
    language: str | None = None,
    keep_html: bool = False,
) -> dict[str, Any]:
    """One article page (already decoded text) → a RawItem-shaped dict.

    Main text, title and date come from trafilatura (the same precision-leaning options as
    ``pipeline.text.extract_main_text`` so a page fetched by a spider and by the feed path
    hashes alike). Precedence for title/date: per-source article selectors, then the
    listing/sitemap hint (explicit markup), then trafilatura. ``html`` is kept only when asked
    or when no main text was found, so JSON lines stay small but nothing is lost.
    """
    import trafilatura  # ~0.3 s to import: only crawls that fetch article pages pay for it

    hint = hint or {}
    sel = Selector(text=page or "<html></html>", base_url=url)
    doc = None
    if page.strip():
        doc = trafilatura.bare_extraction(
            page,
            url=url,
            include_comments=False,
            include_tables=True,
            favor_precision=True,
            with_metadata=True,
            date_extraction_params=_DATE_PARAMS,
        )
    body = ((getattr(doc, "text", None) or "") if doc is not None else "").strip()
    title = clean_text(getattr(doc, "title", None) or "") if doc is not None else ""
    published = to_iso(getattr(doc, "date", None)) if doc is not None else None
    summary = clean_text(getattr(doc, "description", None) or "") if doc is not None else ""
    if hint.get("title"):
        title = clean_text(str(hint["title"]))
    if hint.get("published"):
        published = to_iso(hint["published"]) or published
    if not title:
        title = clean_text(sel.xpath("//title/text()").get())
    if spec is not None:
        spec = ListingSpec.of(spec)
        if spec.article_title and (nodes := select(sel, spec.article_title)):
            title = _node_text(nodes[0]) or title
        if spec.article_date and (nodes := select(sel, spec.article_date)):
            published = _node_date(nodes[0]) or published
        if spec.article_body and (nodes := select(sel, spec.article_body)):
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
    dt = _as_datetime(after)
    if dt is None:
        raise ValueError(f"after={after!r} is not a date")
    dt = dt.astimezone(UTC).replace(tzinfo=None) - timedelta(hours=margin_hours)
    return dt.isoformat(timespec="seconds")


def _rendered(value: Any) -> str:
    if isinstance(value, Mapping):
        value = value.get("rendered", "")
    return str(value or "")


def parse_wp_post(
    post: Mapping[str, Any], source_id: str = "", language: str | None = None
) -> dict[str, Any]:
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
    }


def parse_wp_posts(data: Any, source_id: str = "", language: str | None = None) -> list[dict[str, Any]]:
    """A posts response (a list, or a single post object) → items; posts without a link are skipped."""
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


@dataclass
class SitemapDoc:
    kind: str
    """``urlset``, ``sitemapindex`` or ``invalid``."""
    entries: list[dict[str, Any]] = field(default_factory=list)


def _local(tag: Any) -> str:
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
    entries: list[dict[str, Any]] = []
    for node in root:
        if _local(node.tag) not in ("url", "sitemap"):
            continue
        entry: dict[str, Any] = {"loc": "", "lastmod": None}
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
    entries: Iterable[Mapping[str, Any]],
    *,
    now: datetime,
    max_age_days: int,
    url_filter: str | None = None,
) -> list[dict[str, Any]]:
    """Entries newer than ``now - max_age_days`` (news date, else lastmod) that match ``url_filter``.

    An entry with no date at all is kept: small sites often omit lastmod, and dedup will
    drop what we already have.
    """
    cutoff = now - timedelta(days=max_age_days)
    pattern = re.compile(url_filter) if url_filter else None
    kept: list[dict[str, Any]] = []
    for entry in entries:
        if pattern is not None and not pattern.search(str(entry.get("loc", ""))):
            continue
        when = _as_datetime(entry.get("published") or entry.get("lastmod"))
        if when is not None and when < cutoff:
            continue
        kept.append(dict(entry))
    return kept


# --------------------------------------------------------------------------- JSON APIs


def dotted_get(data: Any, path: str | None) -> Any:
    """Follow ``a.b.0.c`` through dicts and lists; None when any step is missing. Empty path → data."""
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


def parse_json_api(
    data: Any, fields: Any, source_id: str = "", language: str | None = None, base_url: str = ""
) -> list[dict[str, Any]]:
    """Records under ``fields.list`` → items using the declared dotted paths (title, url, date, text, id)."""
    spec = fields.model_dump() if hasattr(fields, "model_dump") else dict(fields)
    records = dotted_get(data, spec.get("list"))
    if isinstance(records, Mapping):
        records = [records]
    items: list[dict[str, Any]] = []
    for record in records or []:
        url = dotted_get(record, spec["url"])
        if not url:
            continue
        text = dotted_get(record, spec.get("text")) if spec.get("text") else None
        date = dotted_get(record, spec.get("date")) if spec.get("date") else None
        guid = dotted_get(record, spec.get("id")) if spec.get("id") else None
        items.append(
            {
                "source_id": source_id,
                "url": urljoin(base_url, str(url)) if base_url else str(url),
                "title": clean_text(str(dotted_get(record, spec["title"]) or "")),
                "published": to_iso(str(date)) if date else None,
                "summary": fragment_text(str(text)) if text else "",
                "body": "",
                "html": "",
                "guid": str(guid) if guid not in (None, "") else None,
                "language": language,
            }
        )
    return items

"""The one text path: bytes of a page to text, main text from HTML, and the normalised text
used for identity.

Every way an item arrives (a site spider, the feed path with ``fetch_articles``, ``policywatch
import``) goes through these functions and no others: ``decode_html`` (the charset reader),
``extract_article`` (the trafilatura wrapper), ``html_to_text`` (the HTML-to-text function) and
``pipeline.published.parse_published`` (the date parser). That is what makes one page, seen
two ways, get one canonical URL and one content hash, so it is stored once.

trafilatura removes navigation, promos, comment boxes and cookie/adblock banners; that is
what makes two outlets' copies of one syndicated story hash the same.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
import unicodedata
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+", re.UNICODE)

_UNSAFE_CHARS: dict[int, str | None] = {
    **dict.fromkeys([*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]),
    0x0B: " ",  # vertical tab and form feed separate words (text from PDFs): a space keeps them apart
    0x0C: " ",
}
"""C0 controls but tab, newline and carriage return; bidi embeddings, overrides and isolates."""


def strip_unsafe_chars(text: str) -> str:
    """``text`` without control characters (NUL, ESC, ...) and bidi overrides.

    The web sends them and nothing needs them: PostgreSQL refuses NUL in a text column (and with
    it the whole batch), ESC sequences reach an operator's terminal, XML 1.0 (Atom) cannot carry
    them, and a bidi override makes a title read differently from what it says. One linear pass
    (``str.translate``); tab, newline and carriage return stay.
    """
    return text.translate(_UNSAFE_CHARS)


# --------------------------------------------------------------------------- the charset reader

_SINGLE_BYTE = {"cp1252", "latin_1", "iso8859_1", "ascii", "iso8859_15", "cp1250", "cp1251"}


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


# --------------------------------------------------------------------------- the trafilatura wrapper

_DATE_PARAMS = {"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


@dataclass(frozen=True, slots=True)
class ArticleText:
    """What trafilatura reads from an article page: main text and metadata ('' when absent)."""

    text: str = ""
    title: str = ""
    date: str = ""
    description: str = ""
    author: str = ""
    sitename: str = ""

    def meta(self) -> dict[str, str]:
        return {k: v for k in ("title", "date", "author", "sitename") if (v := getattr(self, k))}


def extract_article(page_html: str, url: str | None = None) -> ArticleText:
    """Main text and metadata of an article page: the only trafilatura call in the project.

    Precision-leaning options; the headline is dropped from the top of the text when the page
    repeats it there (some templates do, others do not), so two copies of one story, and one
    page fetched by a spider and by the feed path, extract to the same text.
    """
    if not page_html.strip():
        return ArticleText()
    import trafilatura  # here, not at the top: the CLI's views import this module for its cleaning only

    doc = trafilatura.bare_extraction(
        page_html,
        url=url,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        with_metadata=True,
        date_extraction_params=_DATE_PARAMS,
    )
    if doc is None:
        return ArticleText()
    fields = {
        k: str(getattr(doc, k, None) or "") for k in ("title", "date", "description", "author", "sitename")
    }
    text = (getattr(doc, "text", None) or "").strip()
    first, _sep, rest = text.partition("\n")
    if fields["title"] and normalize_for_hash(first) == normalize_for_hash(fields["title"]):
        text = rest.strip()
    return ArticleText(text=text, **fields)


def extract_main_text(page_html: str, url: str | None = None) -> tuple[str, dict[str, str]]:
    """Return (main text, metadata: title/date/author when found) of an article page."""
    article = extract_article(page_html, url)
    return article.text, article.meta()


# --------------------------------------------------------------------------- the HTML-to-text function


def html_to_text(fragment: str) -> str:
    """Plain text of HTML (feed content:encoded and titles, WordPress content.rendered, a
    selected article body): entities decoded, scripts and styles dropped, one line per block
    element, whitespace collapsed within lines."""
    if not fragment or "<" not in fragment:
        return _lines(html_lib.unescape(fragment or ""))
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):  # junk lxml will not parse: strip the tags
        return _lines(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)))
    for bad in root.xpath(".//script|.//style"):
        bad.drop_tree()
    for block in root.xpath(".//p|.//br|.//li|.//h1|.//h2|.//h3|.//h4|.//div|.//tr"):
        block.tail = "\n" + (block.tail or "")
    return _lines(root.text_content())


def _lines(text: str) -> str:
    """Non-blank lines, each with its whitespace collapsed."""
    lines = (_WS.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


html_fragment_to_text = html_to_text
"""The name the feed path used; the same function."""


def fold(text: str) -> str:
    """Case- and accent-folded: 'März' meets 'marz', 'Séoul' meets 'seoul' (names in a lookup)."""
    if text.isascii():  # nothing to decompose; ASCII case-folds as it lower-cases
        return text.lower()
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def normalize_for_hash(text: str) -> str:
    """Case-, accent-, punctuation- and whitespace-insensitive form of a text."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(text))


def content_hash(title: str, text: str) -> str:
    """Exact-duplicate key: the normalised main text (the title when there is no text)."""
    basis = normalize_for_hash(text) or normalize_for_hash(title)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()

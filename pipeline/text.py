"""Main text from HTML, and the normalised text used for identity.

trafilatura removes navigation, promos, comment boxes and cookie/adblock banners; that is
what makes two outlets' copies of one syndicated story hash the same.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
import unicodedata

from lxml import html as lxml_html

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


def extract_main_text(page_html: str, url: str | None = None) -> tuple[str, dict[str, str]]:
    """Return (main text, metadata: title/date/author when found) of an article page."""
    if not page_html.strip():
        return "", {}
    import trafilatura  # here, not at the top: the CLI's views import this module for its cleaning only

    doc = trafilatura.bare_extraction(
        page_html,
        url=url,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        with_metadata=True,
    )
    if doc is None:
        return "", {}
    meta = {k: str(v) for k in ("title", "date", "author", "sitename") if (v := getattr(doc, k, None))}
    text = (getattr(doc, "text", None) or "").strip()
    # Some templates repeat the headline inside the article body and others do not; drop it so
    # two outlets' copies of one story extract to the same text.
    first, _sep, rest = text.partition("\n")
    if meta.get("title") and normalize_for_hash(first) == normalize_for_hash(meta["title"]):
        text = rest.strip()
    return text, meta


def html_fragment_to_text(fragment: str) -> str:
    """Plain text of a content fragment (feed content:encoded, WordPress content.rendered)."""
    if not fragment or "<" not in fragment:
        return html_lib.unescape(fragment or "").strip()
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # lxml raises several types on junk; fall back to tag stripping
        return html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).strip()
    for bad in root.xpath(".//script|.//style"):
        bad.drop_tree()
    for block in root.xpath(".//p|.//br|.//li|.//h1|.//h2|.//h3|.//h4|.//div"):
        block.tail = "\n" + (block.tail or "")
    text = root.text_content()
    lines = (_WS.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def fold(text: str) -> str:
    """Case- and accent-folded: 'März' meets 'marz', 'Séoul' meets 'seoul' (names in a lookup)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def normalize_for_hash(text: str) -> str:
    """Case-, accent-, punctuation- and whitespace-insensitive form of a text."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(text))


def content_hash(title: str, text: str) -> str:
    """Exact-duplicate key: the normalised main text (the title when there is no text)."""
    basis = normalize_for_hash(text) or normalize_for_hash(title)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()

"""Where an item's lead starts: right after its headline, wherever the page puts the headline.

A feed item is its headline and lead. A scraped page often opens with boilerplate instead
(language links, menus, a breadcrumb, a dateline) and repeats its headline below it; the
first sentences of such a page are no lead, and what they say (a menu's "Summit", a
sidebar's date) is not the item's news. So the lead is taken after the headline when the
headline is found near the top of the page; else the text is read from its start, as before.
"""

from __future__ import annotations

import re

HEADLINE_PROBE_CHARS = 60
"""The headline's opening, looked for in the page (a page may shorten or extend its end)."""
HEADLINE_MIN_CHARS = 20
"""A shorter headline ("Press release", "News") may be found anywhere and tells nothing."""
HEADLINE_WITHIN_CHARS = 3000
HEADLINE_WITHIN_SENTENCES = 15
"""How far down a page its headline may come after boilerplate."""


def _probe(title: str) -> str | None:
    title = " ".join(title.split())
    return title[:HEADLINE_PROBE_CHARS] if len(title) >= HEADLINE_MIN_CHARS else None


def body_after_headline(title: str, body: str) -> str:
    """``body`` from the line after the headline, when the headline comes after some boilerplate
    (the body itself otherwise; a body that opens with the headline is the caller's to trim)."""
    probe = _probe(title)
    if probe is None:
        return body
    at = body.find(probe, 1, HEADLINE_WITHIN_CHARS)
    if at <= 0:
        return body
    end = body.find("\n", at + len(probe))
    return body[end:].lstrip() if end > 0 else body[at + len(probe) :].lstrip()


def sentences_after_headline(title: str, sentences: list[str]) -> list[str]:
    """The sentences after the headline, when a page repeats its headline below boilerplate;
    the sentences as they are when it does not (or opens with it)."""
    probe = _probe(title)
    if probe is None:
        return sentences
    for i, sentence in enumerate(sentences[:HEADLINE_WITHIN_SENTENCES]):
        if probe in sentence:
            return sentences[i + 1 :] if i > 0 else sentences
    return sentences


CAPTION = re.compile(
    r"^\(?(?:FILE\s+PHOTO|PHOTO|Photo|Image|Foto|Caption|Photographer|Credit)s?\s*[:：|]"
    r"|\b(?:REUTERS|AFP|Getty\s+Images|Bloomberg|EPA|Yonhap|Xinhua)\s*/"
    r"|/\s*(?:REUTERS|AFP|File\s+Photo)\b"
    r"|\((?:Photo(?:grapher)?|Image)\s*:"
    r"|\[\s*사진\s*=|사진\s*=|写真[:：=]|图片来源|圖片來源"
    # a wire photo's credit line: "2024.7.1/뉴스1 ⓒ News1 ... 기자", "(c) Yonhap", "© AFP"
    r"|[ⓒ©]\s*\w|/\s*(?:뉴스1|연합뉴스|뉴시스)\b",
)
"""A photo's caption or credit ("FILE PHOTO: ... on June 27, 2024", "(Photographer: ...)",
"REUTERS/...", "[사진=과기정통부]"): it dates and places the photograph, not the news."""


def without_captions(sentences: list[str]) -> list[str]:
    """The sentences that are not a photo's caption or credit."""
    return [s for s in sentences if not CAPTION.search(s)]

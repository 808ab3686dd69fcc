"""An item as the model sees it: cue families by zone (headline, lead, body) and in combination.

Why these features: an event type is said by the headline and the lead ("...sign MoU on AI",
"...Digital Partnership Council held in Brussels"); the body mostly gives context and history.
So every family is a feature per zone, and pairs of families that occur together in the headline
(a summit word with a declaration word) or in headline + lead are features too: the model learns
that "declaration" beside "adopt" outweighs "summit", which no first-match rule can. The first
event noun of the headline (its head) and its last (its tail) are features of their own. Script
and length stand in for language and shape, which a feed does not always declare.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.intel.cues import Cues, Zone
from pipeline.intel.lead import body_after_headline

LEAD_CHARS = 350
"""About what an RSS item carries after its headline: the first one to three sentences."""
BODY_CHARS = 2500
"""Further down a page is boilerplate, related stories and history: not the item's own event."""
FEED_SHAPED_CHARS = 700

HEAD_FAMILIES = (
    "summit",
    "ministerial",
    "council",
    "digital_partnership",
    "mou",
    "agreement",
    "law",
    "bill",
    "exec_order",
    "treaty",
    "declaration",
    "joint_statement",
    "resolution",
    "code_principles",
    "meeting",
    "dialogue",
    "forum_expo",
    "partnership",
)
"""Families that name an event; the first of them in the headline is the headline's head."""
_HEAD_RANK = {name: rank for rank, name in enumerate(HEAD_FAMILIES)}

ABSENCE_FAMILIES = ("ai", "digital", "gov")
"""Families whose absence is telling: a summit with no AI or digital word anywhere is another summit."""

_LABELLER_NOTE = re.compile(r"\s*\((?:from URL slug|short description[^)]*)\)\s*$", re.IGNORECASE)
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_NON_LATIN = re.compile(r"[\u0400-\u04ff\u0600-\u06ff\u0900-\u097f]")


@dataclass(frozen=True, slots=True)
class Zones:
    title: str
    lead: str
    body: str


def zones(title: str, text: str) -> Zones:
    """Headline, lead and body; a text that repeats the headline first does not count it twice."""
    title = _LABELLER_NOTE.sub("", " ".join((title or "").split()))
    body = (text or "").strip()
    if title and body[: len(title)] == title:
        body = body[len(title) :].lstrip()
    else:
        body = body_after_headline(title, body)
    return Zones(title, body[:LEAD_CHARS], body[LEAD_CHARS:BODY_CHARS])


def script(text: str) -> str:
    """ja / ko / zh / other / latin, from the characters alone (cheap, and enough for a feature)."""
    sample = text[:400]
    if _KANA.search(sample):
        return "ja"
    if _HANGUL.search(sample):
        return "ko"
    if _HAN.search(sample):
        return "zh"
    if _NON_LATIN.search(sample):
        return "other"
    return "latin"


def _candidates(n: int, scanned: list[Zone]) -> Iterable[int]:
    """The families (ascending, as the features are written) that may occur in some zone: one
    that RE2 rules out of every zone adds no feature, so it is not asked of each zone."""
    if any(zone.hits is None for zone in scanned):
        return range(n)
    return sorted(set().union(*(zone.hits for zone in scanned if zone.hits is not None)))


def _tail_of_headline(title: str, found: list[str], cues: Cues) -> str | None:
    """The last event noun of the headline: "The G7 Ministerial Meeting's Joint Statement",
    "Ministerial Meeting on Technology and Digital: G7 Joint Statement" are reports of the
    statement, not of the meeting that the first noun names (on train, leave-series-out
    macro-F1 0.787 -> 0.790, and 0.753 -> 0.772 as if no series were named)."""
    if len(found) < 2:
        return found[0] if found else None
    # Where two end together ("digital partnership", "partnership"), the more specific family
    # (listed first in HEAD_FAMILIES) is the noun.
    ends = [
        (max((m.end() for m in cues.pattern[name].finditer(title)), default=-1), -_HEAD_RANK[name], name)
        for name in found
    ]
    return max(ends)[2]


def item_features(title: str, text: str, cues: Cues) -> dict[str, float]:
    """The feature dict of one item (names are stable: the model's weights are keyed by them)."""
    z = zones(title, text)
    f: dict[str, float] = {}
    in_title: list[str] = []
    in_top: list[str] = []
    heads: dict[str, tuple[int, str]] = {}
    # The matcher gives exactly what each family's pattern gives (search, findall), much faster.
    m = cues.matcher
    zt = m.zone(z.title) if z.title else None
    zl = m.zone(z.lead) if z.lead else None
    zb = m.zone(z.body) if z.body else None
    families = cues.families
    for k in _candidates(len(families), [zone for zone in (zt, zl, zb) if zone is not None]):
        name = families[k][0]
        hit_t = m.search(k, zt) if zt else None
        hit_l = m.search(k, zl) if zl else None
        if hit_t:
            f["T:" + name] = 1.0
            in_title.append(name)
        if hit_l:
            f["L:" + name] = 1.0
        if hit_t or hit_l:
            f["TL:" + name] = 1.0
            in_top.append(name)
        if zb:
            n = m.count(k, zb, 5)
            if n:
                f["B:" + name] = n / 5
        if name in HEAD_FAMILIES:
            for zone, hit in (("T", hit_t), ("L", hit_l)):
                if hit and (zone not in heads or hit.start() < heads[zone][0]):
                    heads[zone] = (hit.start(), name)
    for name in ABSENCE_FAMILIES:
        if not any(f"{z}:{name}" in f for z in ("T", "L", "B")):
            f["absent:" + name] = 1.0
    for zone, (_pos, name) in heads.items():
        f[f"head{zone}:{name}"] = 1.0
    tail = _tail_of_headline(z.title, [n for n in in_title if n in HEAD_FAMILIES], cues)
    if tail:
        f["tailT:" + tail] = 1.0
    for i, a in enumerate(in_title):
        for b in in_title[i + 1 :]:
            f[f"TT:{min(a, b)}&{max(a, b)}"] = 1.0
    for i, a in enumerate(in_top):
        for b in in_top[i + 1 :]:
            f[f"TLx:{min(a, b)}&{max(a, b)}"] = 1.0
    f["script:" + script(z.title + " " + z.lead)] = 1.0
    f["shape:" + ("feed" if len(text or "") < FEED_SHAPED_CHARS else "page")] = 1.0
    return f

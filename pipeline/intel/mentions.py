"""Mentions of events in one sentence: named series first, generic triggers after, with their slots.

Overlapping mentions keep the longest, so "Colorado AI Act" is not read as the EU AI Act.
Attributes (ordinal, date, place, status) are read from the clause around the mention, so
"signed in May 2022 and the third meeting has been scheduled for 2025 in Tokyo" gives 2025.
"""

from __future__ import annotations

import re

from pipeline.intel.candidates import Doc, Mention
from pipeline.intel.clause_dates import pick_date
from pipeline.intel.event_keys import party_label
from pipeline.intel.event_names import GENERIC_SUMMIT, law_identifier, proper_name_before
from pipeline.intel.ordinals import find_ordinal
from pipeline.intel.places import find_place
from pipeline.intel.rules_schema import Rules, Series
from pipeline.intel.sentence_index import clause_around, clip, jurisdiction_spans
from pipeline.intel.status import find_status
from pipeline.intel.vocabulary import EventType


def _raw_series(text: str, rules: Rules) -> list[tuple[int, int, Series]]:
    fast = rules.fast
    series = fast.series
    return [
        (m.start(), m.end(), series[k][0])
        for k in fast.series_candidates(text)
        for m in series[k][1].guided.finditer(text)
        if m.end() > m.start()
    ]


def series_matches(found: list[tuple[int, int, Series]]) -> list[tuple[int, int, Series]]:
    """Series mentions of one sentence, overlaps resolved: longest first, named before generic."""
    found = list(found)
    found.sort(key=lambda t: (-(t[1] - t[0]), t[2].generic))
    kept: list[tuple[int, int, Series]] = []
    for st, en, s in found:
        if all(en <= a or st >= b for a, b, _ in kept):
            kept.append((st, en, s))
    return sorted(kept, key=lambda t: t[0])


def _zones(length: int, starts: list[int]) -> list[tuple[int, int]]:
    """Each mention owns the sentence from its start to the next mention; the first also owns the lead-in."""
    out = []
    for i, st in enumerate(starts):
        out.append((0 if i == 0 else st, starts[i + 1] if i + 1 < len(starts) else length))
    return out


_BACKGROUND = re.compile(
    r"\b(?:following|after|since|builds?\s+(?:up)?on|building\s+(?:up)?on|built\s+(?:up)?on|follows|followed"
    r"|in\s+the\s+wake\s+of|on\s+the\s+heels\s+of|successor\s+to|follow-up\s+to|in\s+line\s+with"
    r"|(?:made|agreed|adopted|launched|announced|reached|endorsed|pledged|struck|secured|set\s+out|unveiled)\s+at"
    r"|previous|prior|preceding|last\s+year[’']s|earlier)"
    r"\s+(?:(?:the|a|an|this|that|its|their|on\s+the)\s+)?(?:[\w’'&().-]+\s+){0,4}$",
    re.IGNORECASE,
)
_OWN_UPCOMING = re.compile(r"^[^,;]{0,60}\b(?:will|to\s+be\s+held|scheduled|upcoming|next)\b", re.IGNORECASE)


def _is_background(text: str, start: int) -> bool:
    """Is the mention at ``start`` introduced as a past reference ("following the ...", "made at the ...")?"""
    before = text[max(0, start - 60) : start]
    cut = max(before.rfind(","), before.rfind(";"), before.rfind("("))
    return bool(_BACKGROUND.search(before[cut + 1 :] if cut >= 0 else before))


def _vetoed(
    type_: str, sentence: str, rules: Rules, title: str, cache: dict[tuple[int, str], bool] | None = None
) -> bool:
    """Does a hard negative veto a ``type_`` mention here? ``cache``: per-item memo of (negative, text)."""
    for k, (vetoes, on_title, pattern, unless) in enumerate(rules.fast.vetoes):
        if type_ not in vetoes:
            continue
        target = title if on_title else sentence
        if cache is None:
            hit = bool(pattern.search(target) and not (unless and unless.search(target)))
        else:
            got = cache.get((k, target))
            if got is None:
                got = bool(pattern.search(target) and not (unless and unless.search(target)))
                cache[(k, target)] = got
            hit = got
        if hit:
            return True
    return False


def _parties(doc: Doc, idx: int, text: str, start: int, end: int, prior: list[str]) -> list[str]:
    """Jurisdictions a mention is between: right before the trigger, else in its sentence, else earlier."""
    spans = jurisdiction_spans(text, doc.rules) if idx < 0 else doc.juris[idx]
    near = [c for s, e, c in spans if start - 45 <= s < start]
    codes = list(dict.fromkeys(near))
    if len(codes) < 2:
        sent_codes = list(dict.fromkeys(c for _, _, c in sorted(spans, key=lambda t: abs(t[0] - start))))
        for c in sent_codes:
            if c not in codes and len(codes) < 2:
                codes.append(c)
    if len(codes) < 2 and prior:
        for c in prior:
            if c not in codes and len(codes) < 2:
                codes.append(c)
    return codes[:2]


def _multilateral(parties: list[str], rules: Rules) -> bool:
    """Is one of the parties a group or body (the G7, the OECD, ASEAN) rather than a country or
    the EU? A council is between two governments (LABELLING.md)."""
    return any((j := rules.jurisdiction(code)) is not None and j.kind == "body" for code in parties)


def _public_party(doc: Doc, idx: int, text: str) -> bool:
    """Is a government body a party (an MoU between two companies is business news, not policy)?

    A public actor in the sentence settles it; a company cue without one rules it out; else a
    public actor in the previous sentence, or two jurisdictions ("France and India signed..."), or
    an intergovernmental body (the G7, the OECD).
    """
    fast = doc.rules.fast
    if fast.actor is not None and fast.actor.search(text):
        return True
    if fast.company is not None and fast.company.search(text):
        return False
    prev = doc.sentences[idx - 1] if idx > 0 else doc.title
    if fast.actor is not None and fast.actor.search(prev):
        return True
    spans = doc.juris[idx] if idx >= 0 else jurisdiction_spans(text, doc.rules)
    codes = {c for _, _, c in spans}
    # two governments, or an intergovernmental body ("the G7's digital ministers")
    return len(codes) >= 2 or _multilateral(list(codes), doc.rules)


def _names_the_document(title: str, end: int) -> bool:
    """Does the headline end with this declaration (bar a bracket or a dash): is it the title
    under which the declaration itself is published?"""
    rest = title[end:].strip()
    return not rest or rest[0] in "(（[【|:-–—"


_OWNED = re.compile(
    r"\s*(?:['’]s?)?\s*(?:(?:own|new|national|first|landmark|draft|proposed|planned|comprehensive|domestic"
    r"|the|its|version\s+of|equivalent\s+of)\s+){0,3}$|\s*(?:の|版の?|판|의)?\s*$",
    re.IGNORECASE,
)
"""What stands between a jurisdiction and a law it owns: "Japan's AI Act", "Italy's own AI Act",
"the Italian AI Act", "台湾のAI基本法", "대만의 AI 기본법"."""
_ENACTS = re.compile(
    r"\b(?:legislat\w*|lawmakers?|parliament\w*|senate|congress|assembly|diet|president|governor|government"
    r"|cabinet|pass(?:es|ed)?|approv(?:es|ed)|adopt(?:s|ed)|enact(?:s|ed)|sign(?:s|ed)?|issu(?:es|ed)"
    r"|promulgat\w*|vot(?:es|ed))\b|国会|議会|立法院|政府|総統|大統領|국회|의회|정부|대통령",
    re.IGNORECASE,
)
"""Words between a jurisdiction and a law that make that jurisdiction the law's maker: "Taiwan's
legislature passes AI Basic Act", "Philippine President signs executive order on AI"."""
ENACTS_WINDOW = 60
"""Characters before a law's mention searched for its maker."""


def _generic_law(rules: Rules) -> Series | None:
    """The generic trigger for a law (``legislation_generic``): another jurisdiction's law named
    with a curated law's words is read as that trigger reads it."""
    return next((x for x in rules.series if x.generic and x.type == EventType.LEGISLATION), None)


def law_of_another_jurisdiction(
    text: str, spans: list[tuple[int, int, str]], start: int, own: list[str]
) -> str | None:
    """The jurisdiction whose law a curated law's words name here, when it is not the curated
    one: "Taiwan's legislature passes AI Basic Act" is Taiwan's, not Korea's AI Basic Act.

    The curated law stays when one of its own parties is named in the sentence ("Japan welcomes
    the EU AI Act") or when nothing makes another jurisdiction the law's owner or maker: "Korean
    firms prepare as AI Act takes effect" is still the EU's. Another jurisdiction owns it when
    only a possessive or an adjective stands between them ("Japan's AI Act"), or makes it when a
    legislature, a leader or an enacting verb does ("Philippine President signs executive order")."""
    if any(code in own for _, _, code in spans):
        return None
    before = [(e, code) for a, e, code in spans if e <= start and start - a <= ENACTS_WINDOW]
    for e, code in reversed(before):
        between = text[e:start]
        if _OWNED.fullmatch(between) or _ENACTS.search(between):
            return code
    return None


def mentions_in(doc: Doc, idx: int, text: str, prior_parties: dict[str, list[str]]) -> list[Mention]:
    rules = doc.rules
    out: list[Mention] = []
    raw = doc.series[idx] if idx >= 0 else _raw_series(text, rules)
    matches = series_matches(raw)
    bounds = _zones(len(text), [st for st, _, _ in matches])
    for (start, end, s), (z0, z1) in zip(matches, bounds, strict=True):
        if _vetoed(s.type, text, rules, doc.title, doc.veto_cache):
            doc.vetoed.setdefault(s.type, []).append(idx)
            continue
        if s.needs_ai:
            # A generic summit/law/declaration needs AI itself nearby: "digital economy" talk at an ASEAN
            # summit does not make it an AI summit.
            if idx >= 0:
                core = doc.core_ai or doc.ai
                near = any(core[max(0, idx - 1) : idx + 2])
            else:
                # The headline's neighbour is its lead ("New York's RAISE Act signed into law" says
                # what it regulates in the next sentence); the per-sentence flags are read only when
                # a sentence names a series, so the lead is asked directly.
                near = bool(doc.sentences) and rules.fast.core_ai.search(doc.sentences[0]) is not None
            if not (near or rules.fast.core_ai.search(text)):
                continue
        if s.needs_actor and not _public_party(doc, idx, text):
            continue
        parties = list(s.parties)
        name = s.name
        if s.generic or "{" in s.name:
            parties = _parties(doc, idx, text, start, end, prior_parties.get(s.type, []))
            if s.type == EventType.DPC_MEETING and len(parties) == 1 and parties[0] != "EU":
                parties = ["EU", parties[0]]
            if s.type == EventType.DPC_MEETING and _multilateral(parties, rules):
                continue  # the G7's digital ministers meeting is a ministerial (a summit), not a council
            named = next(
                (
                    x
                    for x in rules.series
                    if not x.generic and x.type == s.type and x.parties and set(x.parties) == set(parties)
                ),
                None,
            )
            if named is not None and s.type == EventType.DPC_MEETING:
                name, s = named.name, named
            elif "{name}" in s.name:
                proper = proper_name_before(text, start, end)
                if proper and sum(1 for w in text[start:end].split() if w.islower() and len(w) > 3) > 0:
                    proper = None  # a clause, not a name: "Il G7 si riunisce a Villa Erba per..."
                if s.type == EventType.SUMMIT and _multilateral(parties, rules):
                    # a group's ministerial with no name in title case: "G7 ministerial meeting"
                    fallback = f"{party_label(parties, rules)} ministerial meeting".strip()
                elif s.type == EventType.SUMMIT:
                    fallback = GENERIC_SUMMIT
                else:
                    fallback = f"{party_label(parties, rules)} joint statement".strip()
                name = proper or fallback
            else:
                label = party_label(parties, rules)
                name = s.name.replace("{parties}", label).strip()
        elif s.type == EventType.LEGISLATION and s.parties:
            spans = jurisdiction_spans(text, rules) if idx < 0 else doc.juris[idx]
            other = law_of_another_jurisdiction(text, spans, start, s.parties)
            prior = prior_parties.get(s.type, [])
            if other is None and idx >= 0 and not spans and prior and not set(prior) & set(s.parties):
                # "Taiwan's parliament passes AI law. Lawmakers passed the AI basic act...": a
                # sentence naming no jurisdiction is about the law the headline or text named before
                other = prior[0]
            if other:
                # another jurisdiction's law: what the generic law trigger would make of it, so that
                # its name, key and series are not the curated law's ("Taiwan AI law", no series)
                parties = [other]
                name = f"{party_label(parties, rules)} AI law"
                s = _generic_law(rules) or s
        # Attributes come from this mention's zone of the sentence: "host the next AI summit in Geneva
        # in 2027, following the AI Impact Summit in New Delhi" gives Geneva/2027 to the first mention
        # and New Delhi to the second, never 2027 to the AI Impact Summit.
        ztext, zstart = text[z0:z1], start - z0
        background = _is_background(text, start)
        clause, off = clause_around(ztext, zstart)
        anchor = zstart - off
        ordinal = find_ordinal(clause, anchor)
        if ordinal is None and s.type in (EventType.DPC_MEETING, EventType.SUMMIT):
            # "... signed in May 2022 and the third meeting has been scheduled for 2025": the meeting clause.
            whole = find_ordinal(ztext, zstart)
            if whole is not None:
                clause, off = clause_around(ztext, whole[1])
                anchor, ordinal = whole[1] - off, whole
        status = find_status(clause, rules, anchor) or find_status(ztext, rules, zstart)
        if background and status != "postponed" and not _OWN_UPCOMING.search(clause[anchor:]):
            status = "held"  # "following the AI Impact Summit", "commitments made at the Seoul summit"
        skip_in_force = s.type == EventType.LEGISLATION and doc.skip_in_force
        day = pick_date(
            clause,
            anchor,
            doc.published,
            status,
            skip_in_force=skip_in_force,
            delayed=doc.delay and skip_in_force,
        )
        zone_places = clip(doc.places[idx], z0, len(ztext)) if idx >= 0 and doc.places else None
        place = find_place(
            clause, rules, anchor, None if zone_places is None else clip(zone_places, off, len(clause))
        ) or find_place(ztext, rules, zstart, zone_places)
        cue_rx = rules.fast.type_cue[s.type]
        cue = bool(cue_rx and cue_rx.search(text))
        if rules.fast.attribute_cues[s.type] and (ordinal or day or place):
            cue = True
        if idx < 0 and s.type == EventType.DECLARATION and _names_the_document(text, end):
            cue = True  # the headline is the text's own title: "G20 Ministerial Declaration", "閣僚宣言"
        out.append(
            Mention(
                series=s,
                type=s.type,
                sent=idx,
                pos=start,
                text=text,
                name=name,
                parties=parties,
                explicit=True,
                has_cue=cue,
                ordinal=ordinal[0] if ordinal else None,
                date=day,
                location=place,
                status=status,
                boiler=idx >= 0 and doc.boiler[idx],
                background=background,
                ident=law_identifier(text, start, end) if s.key_from == "mention" else None,
            )
        )
        if parties:
            prior_parties[s.type] = parties
    return out

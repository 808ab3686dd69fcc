"""Event extraction: which meetings, summits, MoUs, laws and declarations an item reports.

Why it works this way:

* Mentions come from the rules (named series first, generic triggers after;
  ``pipeline.intel.mentions``).
* A mention becomes an event only with a concrete cue in its sentence (a meeting verb,
  "signed", "entered into force", or an ordinal/date/place): "a Digital Partnership Council
  will address these concerns" is talk about a council, not a meeting.
* "The summit", "the third meeting", "this declaration" refer back to a recent event of the
  same type (anaphora); a series named again without cues supports its event.
* The event key is deterministic (``pipeline.intel.event_keys``).
* Salience (``score``) is a sum of explainable weights from the rules
  (``pipeline.intel.scoring``); the primary event type of an item is the best-scoring event, not
  a fixed priority of types.
"""

from __future__ import annotations

from datetime import date, datetime

from pipeline.intel.candidates import (
    Doc,
    Event,
    Mention,
    Namesakes,
    attach,
    attach_to,
    is_background_event,
)
from pipeline.intel.clause_dates import pick_date
from pipeline.intel.event_keys import to_extracted
from pipeline.intel.mentions import mentions_in, series_matches
from pipeline.intel.milestones import reports_delay, skips_in_force_date
from pipeline.intel.ordinals import find_ordinal
from pipeline.intel.places import find_place
from pipeline.intel.rules_schema import Rules, Series
from pipeline.intel.scoring import (
    blocked,
    compatible,
    has_proper,
    long_past,
    mention_weight,
    specific,
    title_names,
)
from pipeline.intel.sentence_index import Sentences, clause_around, clip
from pipeline.intel.status import find_status
from pipeline.intel.vocabulary import EventType
from pipeline.types import ExtractedEvent


def extract(doc: Doc) -> list[Event]:
    """Find, validate, merge and score the events of one item."""
    rules, sc = doc.rules, doc.rules.scoring
    prior: dict[str, list[str]] = {}
    title_mentions = mentions_in(doc, -1, doc.title, prior) if doc.title else []
    events: list[Event] = []
    namesakes: Namesakes = {}
    pending: list[Mention] = []
    for idx, sent in enumerate(doc.sentences):
        found = mentions_in(doc, idx, sent, prior)
        for m in found:
            generic_ref = m.series.generic and m.series.type != EventType.DPC_MEETING and not has_proper(m)
            if m.has_cue and not generic_ref:
                attach(events, m, namesakes)
            else:
                pending.append(m)
        types_here = {m.type for m in found}
        for type_, hits in doc.anaphora.items():
            hit = hits.get(idx)
            if hit is not None and type_ not in types_here:
                # The reference only reads attributes between the surrounding named mentions: in "the
                # arrangement builds on ... the AI Seoul Summit in May 2024" the date is the summit's.
                starts = [st for st, _, _ in series_matches(doc.series[idx])]
                z0 = max((st for st in starts if st <= hit.start()), default=0)
                z1 = min((st for st in starts if st > hit.start()), default=len(sent))
                clause, off = clause_around(sent[z0:z1], hit.start() - z0)
                off += z0
                clause = sent[off : off + len(clause)]
                anchor = hit.start() - off
                ordinal = find_ordinal(clause, anchor)
                status = find_status(clause, rules, anchor)
                pending.append(
                    Mention(
                        series=rules.series[0],
                        type=type_,
                        sent=idx,
                        pos=hit.start(),
                        text=sent,
                        name="",
                        parties=[],
                        explicit=False,
                        ordinal=ordinal[0] if ordinal else None,
                        status=status,
                        date=pick_date(clause, anchor, doc.published, status),
                        location=find_place(clause, rules, anchor, clip(doc.places[idx], off, len(clause))),
                        boiler=doc.boiler[idx],
                    )
                )
    # References: a generic "the summit" or a series named again without cues joins a nearby event.
    for m in pending:
        if blocked(doc, m, events):
            continue
        cands = [e for e in events if e.type == m.type]
        if m.explicit and not m.series.generic:
            named = [e for e in cands if e.series.id == m.series.id or e.name == m.name]
            if named:
                m.explicit = False
                m.has_cue = False
                attach_to(named, m)
                continue
        near = [e for e in cands if e.distance(m.sent) <= sc.anaphora_window]
        if m.explicit and not m.series.generic:
            # "SB 53" is never a reference to "SB 1047": a named series only joins its own or a generic event.
            near = [e for e in near if e.series.generic]
        if m.explicit and m.has_cue and m.series.generic:
            # "the next AI summit in Geneva in 2027, following the AI Impact Summit": a generic mention with
            # its own date/place does not merge into a past (background) event or one held elsewhere/when.
            near = [e for e in near if not is_background_event(e) and compatible(m, e)]
        if not near and m.explicit and m.has_cue and m.series.generic and not has_proper(m):
            # "Nations agree ... as Seoul summit closes" atop a report that names the Seoul
            # Declaration and the AI Seoul Summit further down: an unnamed mention is the item's one
            # named event of its type, wherever the text names it, not a second, nameless event.
            named = [e for e in cands if e.name != m.name and not is_background_event(e) and compatible(m, e)]
            near = named if len(named) == 1 else []
        if near:
            if m.ordinal and any(e.ordinal == m.ordinal for e in near):
                near = [e for e in near if e.ordinal == m.ordinal]
            elif m.ordinal and all(e.ordinal for e in near):
                continue
            m.explicit = False
            attach_to(near, m)
        elif m.explicit and m.has_cue:
            attach(events, m, namesakes)
    for ev in events:
        explicit = [m for m in ev.mentions if m.explicit]
        if not explicit:
            continue
        ev.score = sum(mention_weight(m, rules) for m in ev.mentions)
        if any(m.sent < sc.early_sentences for m in ev.mentions):
            ev.score += sc.early
        # The title names this event, or uses the type's generic word ("summit") for it.
        same = [t for t in title_mentions if t.type == ev.type and title_names(t, ev, events)]
        ev.title_hit = bool(same)
        ev.title_cue = any(t.has_cue for t in same)
        if ev.type == EventType.DPC_MEETING:
            # A council's meetings are numbered one way (第2回, the second meeting); a summit's
            # headline counts the series ("제4차 AI 정상회의") or the name ("the first AI Impact
            # Summit") for one edition: its headline does not number it over its mentions.
            ev.title_ordinal = next((t.ordinal for t in same if t.ordinal), None)
        if ev.title_hit:
            ev.score += sc.title
        factor = rules.fast.prior[ev.type]
        if ev.type == EventType.MOU and len(ev.parties) <= 1:
            factor *= sc.domestic_mou_factor
        ev.weighted = ev.score * factor
    # Title mentions with cues and no body event still describe one (short news items).
    for t in title_mentions:
        known = any(e.type == t.type and title_names(t, e, events) for e in events)
        if t.has_cue and not known:
            ev = Event(type=t.type, name=t.name, series=t.series, parties=t.parties, mentions=[t])
            ev.score = mention_weight(t, rules) + sc.title
            ev.weighted = ev.score * rules.fast.prior[t.type]
            ev.title_hit = ev.title_cue = True
            events.append(ev)
    for ev in events:
        ev.background = not ev.title_hit and (is_background_event(ev) or long_past(ev, doc.published))
        # A past event named in passing is context, not the item's news: it never becomes the primary.
        ev.eligible = ev.score >= sc.min_primary and specific(ev, rules) and not ev.background
    return [e for e in events if e.score > 0]


def extract_events(
    title: str,
    sentences: list[str] | Sentences,
    published: datetime | date | None,
    rules: Rules,
    juris: list[list[tuple[int, int, str]]] | None = None,
    ai: list[bool] | None = None,
) -> tuple[list[ExtractedEvent], list[Event]]:
    """Public entry: events of one item (most salient first) plus the scored internals for classify."""
    sents = sentences if isinstance(sentences, Sentences) else Sentences(sentences)
    pub = published.date() if isinstance(published, datetime) else published
    series: list[list[tuple[int, int, Series]]] = [[] for _ in sents.items]
    # Only the series whose required words the item contains (the others match nowhere), in order.
    fast = rules.fast
    for k in fast.series_with_factors(sents.factors(fast.index)):
        s, rx = fast.series[k]
        for i, m in sents.matches(rx):
            if m.end() > m.start():
                series[i].append((m.start(), m.end(), s))
    # Before references are resolved, only a sentence's series mention makes an event (a headline's
    # come after), and a reference ("the summit") joins an event of its type or nothing. So with no
    # series of a type in any sentence, that type's references are inert and not looked for; with
    # none at all, no sentence's boilerplate, core-AI words or places are ever read either.
    types = {s.type for found in series for _start, _end, s in found}
    n = len(sents.items)
    boiler, inside = [], False
    starts = sents.flags(rules.fast.boiler) if rules.fast.boiler and types else [False] * n
    for flag in starts:
        inside = inside or flag
        boiler.append(inside)
    doc = Doc(
        title=title,
        sentences=sents.items,
        published=pub,
        rules=rules,
        juris=juris if juris is not None else sents.jurisdictions(rules),
        ai=ai if ai is not None else sents.flags(rules.fast.ai),
        core_ai=sents.flags(rules.fast.core_ai) if types else [False] * n,
        boiler=boiler,
        series=series,
        places=sents.places(rules) if types else [[] for _ in range(n)],
        skip_in_force=skips_in_force_date(title),
        delay=reports_delay(title),
        anaphora={
            type_: sents.first_matches(ana)
            for type_, ana in rules.fast.type_ana.items()
            if ana is not None and type_ in types
        },
    )
    # Past references (background) sort after the item's own events whatever their raw salience.
    events = sorted(extract(doc), key=lambda e: (e.background, -e.weighted))
    return [to_extracted(e, pub, rules) for e in events], events

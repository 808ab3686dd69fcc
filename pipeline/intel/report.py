"""Everything ``policywatch eval`` reports on a labelled file, beside the keyword baseline.

Event type (per class, macro-F1, confusion), the same by language and by shape, slots (date and
place precision and recall against the labelled event), identity on labelled pairs (a same-story
pair must share its primary event key; a pair of two events must not) and the first-match keyword
alert on the same items. Plain data in, a JSON-able dict out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.evaluate import evaluate
from pipeline.intel.baseline import keyword_alert
from pipeline.intel.corpus import LabelledItem
from pipeline.intel.identity import Identity, identity_of, same_event
from pipeline.intel.vocabulary import NONE
from pipeline.text import fold
from pipeline.types import Classification


@dataclass(frozen=True, slots=True)
class Scored:
    item: LabelledItem
    result: Classification


def _date_ok(pred: str, gold: str) -> bool:
    """Same date, or one the other's month or year: '2024-04' is right, not precise, for 2024-04-30."""
    return pred.startswith(gold) or gold.startswith(pred)


def _place_ok(pred: str, gold: str) -> bool:
    """The same city, whatever its accents ('Brasilia' is 'Brasília'), or one inside the other's name."""
    p, g = fold(pred), fold(gold)
    return p in g or g in p


def slot_scores(scored: Sequence[Scored]) -> dict[str, dict[str, float | int]]:
    """Precision: of the slots we gave for a correctly typed event, how many are right. Recall: of
    the labelled slots of events we typed correctly, how many we gave right."""
    out: dict[str, dict[str, float | int]] = {}
    for slot, ok in (("date", _date_ok), ("location", _place_ok)):
        given = right = labelled = found = 0
        for s in scored:
            gold_ev = s.item.event or {}
            if s.item.event_type == NONE or s.result.event_type != s.item.event_type:
                continue
            ev = s.result.events[0] if s.result.events else None
            pred = getattr(ev, slot) if ev else None
            gold = gold_ev.get(slot)
            if pred:
                given += 1
                right += bool(gold) and ok(str(pred), str(gold))
            if gold:
                labelled += 1
                found += bool(pred) and ok(str(pred), str(gold))
        out[slot] = {
            "given": given,
            "precision": round(right / given, 4) if given else 0.0,
            "labelled": labelled,
            "recall": round(found / labelled, 4) if labelled else 0.0,
        }
    return out


def read_pairs(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _identity(s: Scored) -> Identity | None:
    if not s.result.events:
        return None
    published = date.fromisoformat(s.item.published[:10]) if s.item.published else None
    return identity_of(s.result.events[0], s.result.jurisdictions, published, s.item.title)


def identity_scores(scored: Sequence[Scored], pairs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Pairs whose two items are both in ``scored`` and at least one reports an event: same-story
    pairs whose primary events the store would take as one (``same_event``), and different-event
    pairs it would (wrongly) merge. Pairs of two look-alikes with no event have nothing to share."""
    by_id = {s.item.id: s for s in scored}
    same = shared = diff = merged = 0
    for p in pairs:
        a, b = by_id.get(p["a"]), by_id.get(p["b"])
        if a is None or b is None or NONE == a.item.event_type == b.item.event_type:
            continue
        ia, ib = _identity(a), _identity(b)
        one = ia is not None and ib is not None and same_event(ia, ib)
        if p["same_story"]:
            same += 1
            shared += one
        else:
            diff += 1
            merged += one
    return {
        "same_story_pairs": same,
        "same_story_shared": round(shared / same, 4) if same else 0.0,
        "different_event_pairs": diff,
        "different_event_merged": merged,
    }


def _group(scored: Sequence[Scored], key: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Scored]] = {}
    for s in scored:
        groups.setdefault(getattr(s.item, key), []).append(s)
    return {name: _brief(members) for name, members in sorted(groups.items(), key=lambda kv: -len(kv[1]))}


def _brief(members: Sequence[Scored]) -> dict[str, Any]:
    gold = [s.item.event_type for s in members]
    rep = evaluate(gold, [s.result.event_type for s in members])
    base = evaluate(gold, [keyword_alert(s.item.title, s.item.text) for s in members])
    return {
        "n": len(members),
        "macro_f1": rep["macro_f1"],
        "accuracy": rep["accuracy"],
        "baseline_macro_f1": base["macro_f1"],
    }


def report(scored: Sequence[Scored], pairs: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    gold = [s.item.event_type for s in scored]
    non_english = [s for s in scored if s.item.lang != "en"]
    hard_negatives = [s for s in scored if s.item.event_type == NONE]
    return {
        "event_type": evaluate(gold, [s.result.event_type for s in scored]),
        "baseline": evaluate(gold, [keyword_alert(s.item.title, s.item.text) for s in scored]),
        "non_english": _brief(non_english) if non_english else None,
        "by_language": _group(scored, "lang"),
        "by_shape": _group(scored, "shape"),
        "none_items_with_event": sum(1 for s in hard_negatives if s.result.event_type != NONE),
        "slots": slot_scores(scored),
        "identity": identity_scores(scored, pairs),
    }


def render_report(rep: dict[str, Any]) -> str:
    from pipeline.evaluate import render

    ours, base = rep["event_type"], rep["baseline"]
    lines = [render(ours), ""]
    lines.append(
        f"keyword baseline (first match)   macro-F1 {base['macro_f1']:.3f}   accuracy {base['accuracy']:.3f}"
    )
    lines.append("")
    lines.append(f"{'group':<16}{'items':>6}{'macro-F1':>10}{'baseline':>10}{'accuracy':>10}")
    rows = [("non-English", rep["non_english"])] if rep["non_english"] else []
    rows += [(f"lang {k}", v) for k, v in rep["by_language"].items()]
    rows += [(f"shape {k}", v) for k, v in rep["by_shape"].items()]
    for name, r in rows:
        lines.append(
            f"{name:<16}{r['n']:>6}{r['macro_f1']:>10.3f}{r['baseline_macro_f1']:>10.3f}{r['accuracy']:>10.3f}"
        )
    lines.append("")
    lines.append(f"'none' items given an event: {rep['none_items_with_event']}")
    lines.append("")
    lines.append(f"{'slot':<10}{'given':>7}{'precision':>11}{'labelled':>10}{'recall':>8}")
    for slot, r in rep["slots"].items():
        lines.append(
            f"{slot:<10}{r['given']:>7}{r['precision']:>11.3f}{r['labelled']:>10}{r['recall']:>8.3f}"
        )
    ident = rep["identity"]
    if ident["same_story_pairs"] or ident["different_event_pairs"]:
        lines.append("")
        lines.append(
            f"identity: same-story pairs sharing the primary event {ident['same_story_shared']:.3f} "
            f"of {ident['same_story_pairs']}; different-event pairs merged {ident['different_event_merged']} "
            f"of {ident['different_event_pairs']}"
        )
    return "\n".join(lines)

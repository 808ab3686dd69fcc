"""Leave-series-out: how the model does on events of a series it never saw in training.

New councils, laws and summits appear every month, so the figure that matters is not how well
the model knows the corpus's events but how well it reads an event it was never shown. Whole
series (every report of every EU-Korea council meeting, every edition of one summit) are held
out together from the training splits (``train`` and ``dev``), the model is fitted on the rest
with the shipped settings, and the held-out series are scored. Three ways: with the rules as
shipped, without the named series' proposals, and read again as if no curated series in
``rules.yaml`` named the event (only the generic triggers and the cue families), which is what
an event nobody has written a rule for looks like. ``test`` is not read.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pipeline.evaluate import evaluate
from pipeline.intel.baseline import keyword_alert
from pipeline.intel.corpus import TRAINING_SPLITS, LabelledItem, published_date, read_labelled
from pipeline.intel.rules_schema import Rules
from pipeline.intel.vocabulary import NONE

FOLDS = 5
_EDITION = re.compile(
    r"\b(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|inaugural|(?:19|20)\d{2})\b|\([^)]*\)",
    re.IGNORECASE,
)


def series_of(item: LabelledItem) -> str:
    """The series an item's event belongs to: its labelled name without edition or year
    ("2nd EU–Japan Digital Partnership Council" -> "eu–japan digital partnership council").
    A 'none' item is its own group."""
    name = (item.event or {}).get("name") if item.event_type != NONE else None
    if not name:
        return f"item:{item.id}"
    return f"{item.event_type}:" + " ".join(_EDITION.sub(" ", name.casefold()).split())


def leave_series_out(news: Path, folds: int = FOLDS) -> dict[str, Any]:
    """Grouped cross-validation on the training splits by series; figures for each reading of the rules."""
    from sklearn.model_selection import GroupKFold

    from pipeline.classify import overruled, read
    from pipeline.intel.rules_loading import load_rules
    from pipeline.intel.train import fit_vectors

    rules = load_rules()
    items = [i for split in TRAINING_SPLITS for i in read_labelled(news, split)]
    readings = [read(i.title, i.text, published_date(i), rules) for i in items]
    gold = [i.event_type for i in items]
    groups = [series_of(i) for i in items]
    out: dict[str, Any] = {
        "items": len(items),
        "series": len({g for g in groups if not g.startswith("item:")}),
        "folds": folds,
        "keyword_baseline": evaluate(gold, [keyword_alert(i.title, i.text) for i in items])["macro_f1"],
    }
    generic_rules = without_named_series(rules)
    generic_readings = [read(i.title, i.text, published_date(i), generic_rules) for i in items]
    titles = [r.title for r in readings]
    cases = (
        ("rules_as_shipped", [r.features() for r in readings]),
        ("no_named_series", [r.features(named_series=False) for r in readings]),
        ("generic_rules_only", [r.features() for r in generic_readings]),
    )
    for label, features in cases:
        predicted: list[str] = [NONE] * len(items)
        for train_idx, test_idx in GroupKFold(n_splits=folds).split(features, gold, groups):
            model = fit_vectors([features[k] for k in train_idx], [gold[k] for k in train_idx])
            for k in test_idx:
                predicted[k] = overruled(model.decide(features[k]).label, titles[k], features[k])
        rep = evaluate(gold, predicted)
        out[label] = {"macro_f1": rep["macro_f1"], "accuracy": rep["accuracy"], "per_class": rep["per_class"]}
    return out


def without_named_series(rules: Rules) -> Rules:
    """The rules as if nobody had written a series by name: only the generic triggers (a council,
    a summit, an MoU, a law, a declaration as such events are reported). Read with these, a
    corpus event is what an event no rule names looks like to the classifier: its candidates
    come from the generic triggers alone (``no_named_series`` only drops the named series'
    proposals from the features; a named series' match still hides the generic one under it)."""
    data = rules.model_dump()
    data["series"] = [s for s in data["series"] if s.get("generic")]
    return Rules.model_validate(data)


def render_heldout(rep: dict[str, Any]) -> str:
    lines = [
        f"leave-series-out on {'+'.join(TRAINING_SPLITS)}: {rep['items']} items,"
        f" {rep['series']} series, {rep['folds']} folds",
        f"keyword baseline macro-F1 {rep['keyword_baseline']:.3f}",
    ]
    for label in ("rules_as_shipped", "no_named_series", "generic_rules_only"):
        r = rep[label]
        per = ", ".join(f"{c} {v['f1']:.2f}" for c, v in r["per_class"].items())
        lines.append(f"{label:18} macro-F1 {r['macro_f1']:.3f}  accuracy {r['accuracy']:.3f}  ({per})")
    return "\n".join(lines)

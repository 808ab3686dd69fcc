"""Scoring the classifier against gold labels, for ``policywatch eval`` and the devset test.

Pure functions over label lists so the CLI, CI and notebooks report the same numbers; the
result is a plain dict (JSON-serialisable) so runs can be stored and compared over time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.vocabulary import CLASSES


def evaluate(gold: Sequence[str], pred: Sequence[str], classes: Sequence[str] = CLASSES) -> dict[str, Any]:
    """Per-class precision/recall/F1, macro-F1, accuracy and a confusion matrix (gold -> pred -> n).

    Labels outside ``classes`` are kept as extra classes so a typo in gold data shows up in the
    matrix instead of silently vanishing. A class with no gold and no predicted items is left
    out of the macro average (it says nothing about quality).
    """
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} labels, pred has {len(pred)}")
    labels = list(classes) + sorted({*gold, *pred} - set(classes))
    confusion: dict[str, dict[str, int]] = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, pred, strict=True):
        confusion[g][p] += 1
    per_class: dict[str, dict[str, float | int]] = {}
    f1s = []
    for c in labels:
        tp = confusion[c][c]
        support = sum(confusion[c].values())
        predicted = sum(confusion[g][c] for g in labels)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[c] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": support,
            "predicted": predicted,
        }
        if support or predicted:
            f1s.append(f1)
    correct = sum(confusion[c][c] for c in labels)
    return {
        "n": len(gold),
        "accuracy": round(correct / len(gold), 4) if gold else 0.0,
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "per_class": per_class,
        "confusion": confusion,
    }


def render(report: dict[str, Any]) -> str:
    """A fixed-width text table of an ``evaluate`` report: per-class scores, then the confusion matrix."""
    per_class: dict[str, dict[str, Any]] = report["per_class"]
    names = list(per_class)
    width = max(12, *(len(n) for n in names)) + 1
    lines = [
        f"items {report['n']}   accuracy {report['accuracy']:.3f}   macro-F1 {report['macro_f1']:.3f}",
        "",
    ]
    lines.append(f"{'class':<{width}}{'prec':>7}{'recall':>8}{'f1':>7}{'gold':>6}{'pred':>6}")
    for n in names:
        r = per_class[n]
        lines.append(
            f"{n:<{width}}{r['precision']:>7.3f}{r['recall']:>8.3f}{r['f1']:>7.3f}{r['support']:>6}{r['predicted']:>6}"
        )
    lines += ["", "confusion (rows gold, columns predicted)"]
    short = [n[:6] for n in names]
    lines.append(" " * width + "".join(f"{s:>8}" for s in short))
    for g in names:
        lines.append(f"{g:<{width}}" + "".join(f"{report['confusion'][g][p]:>8}" for p in names))
    return "\n".join(lines)

"""The shipped event-type model: a linear model over cue features (an SVM's weights, its margins
scaled to probabilities; ``pipeline.intel.train``).

Stored as JSON (feature -> one weight per class), not a pickle: it loads in milliseconds without
scikit-learn, cannot run code, diffs readably, and its weights are our own figures (the corpus
texts never enter it). Inference is a sparse dot product and a softmax; training, which needs
scikit-learn, lives in ``pipeline.intel.train``.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from operator import add, itemgetter
from pathlib import Path
from typing import Any

from pipeline.intel.rules_loading import RECHECK_SECONDS, real_path
from pipeline.intel.vocabulary import NONE

DEFAULT_MODEL = Path(__file__).resolve().parent / "event_type_model.json"
_DEFAULT_MODEL = str(DEFAULT_MODEL)
FORMAT = 1


@dataclass(frozen=True, slots=True)
class Decision:
    """The model's call on one item, with what it weighed (for ``policywatch explain``)."""

    label: str
    probability: float
    probabilities: dict[str, float]
    weighed: list[tuple[str, float]] = field(default_factory=list)
    """The features that pushed hardest towards ``label``: (feature, weight x value)."""


@dataclass(frozen=True)
class EventTypeModel:
    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]
    meta: dict[str, Any]

    def decide(self, features: dict[str, float], explain: int = 0) -> Decision:
        n = len(self.bias)
        weight_of = self.weights.get
        known = [(name, w, value) for name, value in features.items() if (w := weight_of(name)) is not None]
        terms = [w if value == 1.0 else tuple(x * value for x in w) for _, w, value in known]  # x * 1.0 is x
        # Each class's score is its bias plus the terms, added one by one in the features' order
        # (as a loop over the features would add them): the same floating-point sums.
        columns = list(zip(*terms, strict=True)) if terms else [()] * n
        scores = [reduce(add, column, b) for b, column in zip(self.bias, columns, strict=True)]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        probs = {c: e / total for c, e in zip(self.classes, exps, strict=True)}
        best = max(range(n), key=scores.__getitem__)
        label = self.classes[best]
        weighed: list[tuple[str, float]] = []
        if explain:
            # Weight towards the chosen class relative to the mean of all classes: what made it win.
            means = self._means()
            contrib = [(name, (w[best] - means[name]) * value) for name, w, value in known]
            # Descending, ties in the features' order (a reversed sort is stable too).
            weighed = sorted(contrib, key=itemgetter(1), reverse=True)[:explain]
        return Decision(label, probs[label], probs, weighed)

    def _means(self) -> dict[str, float]:
        """Each feature's mean weight over the classes (``sum(w) / n``), computed once per model."""
        means: dict[str, float] | None = self.__dict__.get("_mean_weights")
        if means is None:
            n = len(self.classes)
            means = {name: sum(w) / n for name, w in self.weights.items()}
            object.__setattr__(self, "_mean_weights", means)
        return means

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "classes": list(self.classes),
            "bias": [round(b, 6) for b in self.bias],
            "meta": self.meta,
            "weights": {k: [round(x, 6) for x in v] for k, v in sorted(self.weights.items())},
        }


def model_from_json(data: dict[str, Any]) -> EventTypeModel:
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown model format {data.get('format')!r} (this code reads {FORMAT})")
    classes = tuple(data["classes"])
    if NONE not in classes:
        raise ValueError("a model must know the class 'none'")
    return EventTypeModel(
        classes=classes,
        bias=tuple(data["bias"]),
        weights={k: tuple(v) for k, v in data["weights"].items()},
        meta=dict(data.get("meta") or {}),
    )


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int) -> EventTypeModel:
    return model_from_json(json.loads(Path(path).read_text(encoding="utf-8")))


_RECENT: tuple[float, EventTypeModel] | None = None
"""(when checked, model) of the last ``load_model()``: the shipped file is asked whether it changed
at most every ``RECHECK_SECONDS``, as the default rules are (classify asks on every item)."""


def load_model(path: Path | None = None) -> EventTypeModel:
    """The model file (cached per version); the shipped one unless ``path`` is given."""
    global _RECENT
    now = time.monotonic()
    if not path and _RECENT is not None and now - _RECENT[0] < RECHECK_SECONDS:
        return _RECENT[1]
    where = os.fspath(path) if path else _DEFAULT_MODEL
    mtime = os.stat(where).st_mtime_ns
    model = _load(real_path(where), mtime)
    if not path:
        _RECENT = (now, model)
    return model


def save_model(model: EventTypeModel, path: Path | None = None) -> Path:
    path = path or DEFAULT_MODEL
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(model.to_json(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path

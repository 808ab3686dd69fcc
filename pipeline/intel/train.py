"""Fit the event-type model on the corpus's ``train`` and ``dev`` splits, reproducibly
(``policywatch train``).

Hyper-parameters were chosen on ``train`` and ``dev`` (leave-series-out) and are fixed here, so
the same corpus and cues give the same weights (liblinear on sorted features with a fixed seed).
``test`` is never read here. scikit-learn is needed only for this command, not to classify.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.intel.corpus import (
    TRAINING_SPLITS,
    LabelledItem,
    corpus_sha256,
    published_date,
    read_labelled,
    read_seeds,
    seeds_dir,
)
from pipeline.intel.cues import Cues, load_cues
from pipeline.intel.model import EventTypeModel
from pipeline.intel.rules_loading import load_rules
from pipeline.intel.vocabulary import CLASSES, NONE

SEED = 20261207
C = 0.005
"""The SVM's inverse regularisation strength. Chosen by leave-series-out on train (8 random
assignments of whole series to 5 folds) among 0.003, 0.005, 0.01, 0.02: strong regularisation
generalises best to events never seen (confirmed over train+dev on 2026-12-08: 0.830, 0.831,
0.829, 0.824). Against the logistic regression shipped before (C=0.3),
macro-F1 0.757 -> 0.778 held out by series, 0.736 -> 0.754 as if no series were named, better
on every one of the 8 assignments; dev 0.820 -> 0.813 (a single fit)."""
FOLDS = 5
NONE_PRIOR = 0.5
"""Added to the 'none' class's bias after fitting: an alert a subscriber did not need costs more
than a borderline event missed. Chosen by leave-series-out over train+dev (8 random assignments
of series to 5 folds) among 0, 0.25, 0.5, 0.75: macro-F1 0.830, 0.831, 0.831, 0.830 as shipped
(0.831, 0.833, 0.834, 0.834 with the generic triggers alone), all within noise, while the
'none' items given an event fall 50, 46, 43, 39 of 300; 0.5 takes most of that fall at no cost.
(On train alone, with the logistic regression: 0.25 of 0, 0.25, 0.5, 0.75, 1.)"""
SEED_WEIGHT = 2
"""The five founding articles (long scraped pages, labelled by the project) count this many times:
they are the only long pages with a labelled primary among many events. Once each since the
cue verbs of every language were added (2026-12-07): 5 fitted them at the cost of dev (0.775
against 0.786); 0 misreads one of them (a long page about EU-Japan cooperation read as a law).
Twice since the rules' confidence became a feature (2026-12-07, late): once, the Korean page on
the AI Seoul Summit whose ministries also sign an MoU was read as the MoU by a margin of 0.03;
twice reads it as labelled, dev unchanged (0.845)."""


@dataclass(frozen=True)
class Trained:
    model: EventTypeModel
    n_items: int


def fit(items: Sequence[LabelledItem], cues: Cues, meta: dict[str, object]) -> EventTypeModel:
    """The shipped model: ``fit_vectors`` over the items' features as ``classify`` reads them."""
    from pipeline.classify import read

    rules = load_rules()
    features = [read(i.title, i.text, published_date(i), rules).features() for i in items]
    return fit_vectors(features, [i.event_type for i in items], meta)


def fit_vectors(
    features: Sequence[dict[str, float]], labels: Sequence[str], meta: dict[str, object] | None = None
) -> EventTypeModel:
    """A linear SVM, classes balanced (the corpus has three times more 'none'), its margins scaled
    to probabilities (``temperature``), plus ``NONE_PRIOR`` on 'none'. Shipped as one weight per
    feature and class, as a logistic regression would be: ``decide`` is the same dot product."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer

    vec = DictVectorizer(sort=True)
    x = _int32(vec.fit_transform(features))
    y = list(labels)
    clf = _classifier().fit(x, y)
    scale = temperature(x, y)
    order = [list(clf.classes_).index(c) for c in CLASSES if c in clf.classes_]
    coef = np.asarray(clf.coef_)[order] * scale
    names = vec.get_feature_names_out()
    weights = {
        str(name): tuple(float(v) for v in coef[:, j]) for j, name in enumerate(names) if np.any(coef[:, j])
    }
    return EventTypeModel(
        classes=tuple(str(clf.classes_[k]) for k in order),
        bias=tuple(
            float(b) * scale + (NONE_PRIOR if clf.classes_[k] == NONE else 0.0)
            for k, b in zip(order, np.asarray(clf.intercept_)[order], strict=True)
        ),
        weights=weights,
        meta=dict(meta or {}),
    )


def _classifier() -> Any:
    from sklearn.svm import LinearSVC

    return LinearSVC(C=C, class_weight="balanced", random_state=SEED, max_iter=20_000)


def _int32(matrix: Any) -> Any:
    """scikit-learn's liblinear takes 32-bit sparse indices only."""
    import numpy as np

    matrix.indices = matrix.indices.astype(np.int32)
    matrix.indptr = matrix.indptr.astype(np.int32)
    return matrix


TEMPERATURES = tuple(round(0.5 * 1.25**k, 4) for k in range(25))
"""Scales tried for the margins (0.5 to about 106): the one whose softmax best predicts held-out labels."""


def temperature(x: Any, y: list[str]) -> float:
    """The scale that turns the SVM's margins into probabilities: the one with the least log loss
    on out-of-fold margins (5 folds, fixed seed). A subscriber's ``min_confidence`` reads these
    probabilities for events the model decides with no rule's candidate."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    classes = sorted(set(y))
    target = np.array([classes.index(label) for label in y])
    margins = np.zeros((len(y), len(classes)))
    for tr, te in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(np.zeros(len(y)), y):
        clf = _classifier().fit(x[tr], [y[k] for k in tr])
        cols = [classes.index(c) for c in clf.classes_]
        margins[np.ix_(te, cols)] = clf.decision_function(x[te])

    def log_loss(scale: float) -> float:
        z = margins * scale
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-log_p[np.arange(len(y)), target].mean())

    return min(TEMPERATURES, key=log_loss)


def train(news: Path, cues_path: Path | None = None) -> Trained:
    import sklearn

    cues = load_cues(cues_path)
    items = [i for s in TRAINING_SPLITS for i in read_labelled(news, s)]
    n_corpus = len(items)
    folder = seeds_dir()
    seeds = read_seeds(folder) if (folder / "labels.json").is_file() else []
    items += seeds * SEED_WEIGHT
    meta: dict[str, object] = {
        "trained_on": {
            "corpus": "shared/corpus/news/news.jsonl",
            "corpus_sha256": corpus_sha256(news),
            "splits": list(TRAINING_SPLITS),
            "items": n_corpus,
            "seeds": len(seeds),
            "seed_weight": SEED_WEIGHT,
        },
        "cues_sha256": cues.sha256,
        "algorithm": f"scikit-learn {sklearn.__version__} LinearSVC(C={C}, class_weight=balanced),"
        f" margins x temperature, + {NONE_PRIOR} on none",
        "seed": SEED,
    }
    model = fit(items, cues, meta)
    model.meta["dev"] = dev_figures(news, model)
    return Trained(model, len(items))


def dev_figures(news: Path, model: EventTypeModel) -> dict[str, float]:
    """The figures on ``dev``, which a retrain must reproduce (tests/unit/test_event_model.py). The
    model is fitted on ``dev`` too, so they are in-sample: an integrity check, not an estimate
    (leave-series-out and ``test`` are the estimates)."""
    from pipeline.classify import classify
    from pipeline.evaluate import evaluate

    rules = load_rules()
    items = read_labelled(news, "dev")
    pred = [classify(i.title, i.text, published_date(i), rules, model).event_type for i in items]
    rep = evaluate([i.event_type for i in items], pred)
    return {"items": len(items), "macro_f1": rep["macro_f1"], "accuracy": rep["accuracy"]}

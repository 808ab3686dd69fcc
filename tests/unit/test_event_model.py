"""The event-type model against the real corpus: reproducible, stamped, guarded on ``dev`` and by
leave-series-out over train+dev.

These read ``../shared/corpus/news`` in place (its texts are never copied here); without it they
skip and say so. ``test`` is never read by a test: it is for the figures a change reports once.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from core.vocabulary import NONE
from pipeline.classify import classify
from pipeline.evaluate import evaluate
from pipeline.intel.corpus import corpus_sha256, news_path, published_date, read_labelled
from pipeline.intel.cues import load_cues
from pipeline.intel.model import load_model
from tests.support.cases import NEWS_CORPUS_REASON
from tests.support.paths import ROOT

NEWS = news_path()
needs_corpus = pytest.mark.skipif(NEWS is None, reason=NEWS_CORPUS_REASON)

COMMITTED_DEV_MACRO_F1 = 0.936
"""macro-F1 on dev when this model was committed (2026-12-08, end of session); a change may not fall more than
0.02 below it. Since 2026-12-08 the model is fitted on dev too (``TRAINING_SPLITS``), so this is an
in-sample floor: it catches a broken pipeline or rules at odds with the weights, not overfitting.
The held-out guard is leave-series-out below (0.864 on dev when dev was held out)."""


def test_shipped_model_is_stamped_with_the_cues_it_was_trained_with() -> None:
    assert load_model().meta["cues_sha256"] == load_cues().sha256, (
        "rules/cues.yaml changed: run policywatch train"
    )


@needs_corpus
def test_shipped_model_was_trained_on_this_corpus() -> None:
    assert NEWS is not None
    assert load_model().meta["trained_on"]["corpus_sha256"] == corpus_sha256(NEWS), (
        "the corpus changed since the model was trained: run policywatch train"
    )


@needs_corpus
def test_dev_figures_reproduce_and_hold() -> None:
    assert NEWS is not None
    items = read_labelled(NEWS, "dev")
    pred = [classify(i.title, i.text, published_date(i)).event_type for i in items]
    rep = evaluate([i.event_type for i in items], pred)
    assert rep["macro_f1"] == pytest.approx(load_model().meta["dev"]["macro_f1"], abs=1e-4)
    assert rep["macro_f1"] >= COMMITTED_DEV_MACRO_F1 - 0.02
    # Hard negatives (gold none) rarely get an event: at most one in five.
    hard = [p for i, p in zip(items, pred, strict=True) if i.event_type == NONE]
    assert sum(p != NONE for p in hard) <= 0.2 * len(hard)


@needs_corpus
def test_a_retrain_gives_the_shipped_weights() -> None:
    from pipeline.intel.train import train

    assert NEWS is not None
    shipped, again = load_model(), train(NEWS).model
    assert again.classes == shipped.classes
    assert set(again.weights) == set(shipped.weights)
    for name, weights in shipped.weights.items():
        assert again.weights[name] == pytest.approx(weights, abs=1e-4), name


def _shingles(text: str, n: int = 20) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


@needs_corpus
def test_no_corpus_text_is_copied_into_the_project() -> None:
    """No 20-word span of any corpus text (or title) appears in a tracked file of the repo."""
    assert NEWS is not None
    spans: set[str] = set()
    for item in read_labelled(NEWS):
        spans |= _shingles(item.text) | _shingles(item.title)
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    copied = []
    for name in tracked.splitlines():
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 5_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found = _shingles(text) & spans
        if found:
            copied.append((name, next(iter(found))))
    assert not copied, copied[:5]


def test_a_series_is_its_event_without_edition_or_year() -> None:
    from pipeline.intel.corpus import LabelledItem
    from pipeline.intel.heldout import series_of

    def item(name: str | None, event_type: str = "dpc_meeting", id_: str = "x") -> LabelledItem:
        event = {"name": name} if name else None
        return LabelledItem(id_, "train", "", "", None, "en", "feed", event_type, event, [], "")

    assert series_of(item("2nd EU–Japan Digital Partnership Council")) == series_of(
        item("3rd EU–Japan Digital Partnership Council")
    )
    assert series_of(item("AI for Good Global Summit 2023", "summit")) == series_of(
        item("AI for Good Global Summit 2024", "summit")
    )
    assert series_of(item(None, NONE, "a")) != series_of(item(None, NONE, "b"))


@needs_corpus
def test_unseen_series_are_read_well_above_a_keyword_alert() -> None:
    """Whole series held out of the training splits and scored, as if no rule named them (the shape
    of the events that appear every month); 0.730 when this landed (train only), against 0.538 for
    the keyword alert; 0.793, and 0.805 read with the generic triggers alone, on 2026-12-07
    (evening); over train+dev on 2026-12-08: 0.820 and 0.833, keyword 0.550; 0.834 and 0.848 with
    the rules after the model applied (``overruled``), as ``classify`` applies them; 0.837 and
    0.856 at the end of that session."""
    from pipeline.intel.heldout import leave_series_out

    assert NEWS is not None
    rep = leave_series_out(NEWS)
    assert rep["no_named_series"]["macro_f1"] >= 0.82
    assert rep["generic_rules_only"]["macro_f1"] >= 0.83
    for label in ("rules_as_shipped", "no_named_series", "generic_rules_only"):
        assert rep[label]["macro_f1"] >= rep["keyword_baseline"] + 0.2, label

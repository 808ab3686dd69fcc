"""Bounded work per item: what a hostile or broken page can cost the classifier.

No wall-clock assertion: the tests count what the classifier is given and how many lines of
the event extractor run, which is what grows with a long text, on any machine.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Collection
from types import FrameType
from typing import Any

import pytest

import pipeline.process
from pipeline.intel.extraction import extract_events
from pipeline.intel.rules_loading import load_rules
from pipeline.intel.rules_schema import Rules
from pipeline.process import CLASSIFIED_CHARS, process_item
from pipeline.types import Classification, RawItem

MENTIONS = (
    "The EU-Japan Digital Partnership Council will meet in Tokyo to discuss AI governance. ",
    "The third meeting of the EU-Japan Digital Partnership Council will take place on 12 May 2026. ",
    "The summit on AI safety will be held next week, and the summit will resume in Seoul. ",
    "Ministers signed a memorandum of understanding on artificial intelligence. ",
)


def synthetic_text(size: int) -> str:
    """A text of about ``size`` characters naming events in every sentence."""
    block = "".join(MENTIONS)
    return block * (size // len(block) + 1)


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules()


def test_the_classifier_reads_the_capped_text_of_a_1_mb_item(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1 MB item is stored whole, but only its first CLASSIFIED_CHARS characters are classified."""
    seen: list[int] = []
    real = pipeline.process.classify

    def recording(title: str, text: str, *args: Any, **kwargs: Any) -> Classification:
        seen.append(len(text))
        return real(title, text, *args, **kwargs)

    monkeypatch.setattr(pipeline.process, "classify", recording)
    text = synthetic_text(1_000_000)
    item = process_item(RawItem(source_id="s", url="http://example.org/big", title="EU and Japan", body=text))
    assert seen == [CLASSIFIED_CHARS]
    assert item.text == text.strip()
    assert item.classification.events  # the capped text is still read for what it says


EXTRACTOR_MODULES = (
    "candidates",
    "clause_dates",
    "event_keys",
    "event_names",
    "extraction",
    "mentions",
    "ordinals",
    "places",
    "scoring",
    "sentence_index",
    "status",
)
EXTRACTOR_FILES = frozenset(
    importlib.import_module(f"pipeline.intel.{name}").__file__ or "" for name in EXTRACTOR_MODULES
)
"""The event extractor's modules (``pipeline.intel.extraction`` and what it calls)."""


def lines_run(module_files: Collection[str], work: Callable[[], object]) -> int:
    """How many lines of ``module_files`` run during ``work`` (generator expressions included)."""
    count = 0

    def local(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame: FrameType, event: str, arg: object) -> Any:
        return local if frame.f_code.co_filename in module_files else None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        work()
    finally:
        sys.settrace(previous)
    return count


def test_event_extraction_work_grows_linearly_with_mentions(rules: Rules) -> None:
    """Each mention used to be compared with every earlier mention of its event (``_attach``,
    ``min()`` over all of them): twice the text, four times the work. Now twice the text is
    about twice the work."""
    sentences = [s.strip() + "." for s in synthetic_text(120_000).split(". ") if s.strip()]

    def work(n: int) -> int:
        return lines_run(EXTRACTOR_FILES, lambda: extract_events("", sentences[:n], None, rules))

    small, large = work(len(sentences) // 2), work(len(sentences))
    assert large < 2.5 * small, (small, large)


def test_the_story_signature_reads_the_capped_text_too() -> None:
    """A megabyte tail beyond the cap changes nothing: the signature is of the first 50,000
    characters, like classification (near-duplicate pages share their opening anyway)."""
    opening = " ".join(f"word{i % 997} policy council meeting" for i in range(CLASSIFIED_CHARS // 20))
    a = RawItem(source_id="s", url="https://example.org/a", title="T", body=opening + " tail one" * 100_000)
    b = RawItem(source_id="s", url="https://example.org/b", title="T", body=opening + " other end" * 100_000)
    pa, pb = process_item(a), process_item(b)
    assert pa.story_signature is not None and pa.story_signature == pb.story_signature

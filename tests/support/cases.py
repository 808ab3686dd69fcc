"""Test cases on our fixtures and, when ``../shared`` is there, on the real captures: one place
that decides how a case is named and when the real corpus is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import FIXTURES, REAL

NEWS_CORPUS_REASON = "needs the real-news corpus ../shared/corpus/news"
"""The one reason a test may skip for want of ``../shared``: the labelled real news cannot be
written by us (its figures are about real reporting). Everything else runs on ``FIXTURES``."""


def need_news_corpus() -> None:
    """Skip, saying why, unless the labelled real news is there (``POLICYWATCH_CORPUS`` or
    ``../shared/corpus/news``)."""
    from pipeline.intel.corpus import news_path

    if news_path() is None:
        pytest.skip(f"{NEWS_CORPUS_REASON} (or POLICYWATCH_CORPUS naming a folder with news.jsonl)")


def our_case(path: Path, *values: object) -> pytest.ParameterSet:
    """A test case on one of our fixtures (its id says so: ``ours:sources/x.atom``)."""
    return pytest.param(path, *values, id=f"ours:{path.relative_to(FIXTURES).as_posix()}")


def real_cases(name: str, *values: object) -> list[pytest.ParameterSet]:
    """The same test on the real capture ``../shared/corpus/real/NAME``, as an extra case when
    it is there, and no case at all when it is not (never a skip): parsers must hold on real
    pages, and a clone without ``../shared`` still runs every test on our fixtures."""
    path = REAL / name
    return [pytest.param(path, *values, id=f"real:{name}")] if path.is_file() else []

"""Per-source ``include``/``exclude`` filters of sources.yaml, applied on every path.

A feed or an API often carries entries nobody wants (GOV.UK's FCDO feed is mostly travel
advice). The filters drop them by title, URL or category before anything is stored: in the
feed poll and the crawl ingest (the screen stage, ``pipeline.stages.screen``), in every Scrapy crawl
(``spiders.pipelines.SourceFilterPipeline``) and in ``policywatch sources dry-run``, which
shows how many items each pattern dropped.

``exclude`` wins: an item matching any exclude pattern is dropped. Then, when ``include`` has
patterns, an item is kept only if it matches at least one of them. Patterns are regular
expressions searched case-insensitively (``(?-i:...)`` makes part of one case-sensitive),
validated and ReDoS-checked when the sources file is loaded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from core.sources_config import ItemFilter, compiled_pattern
from pipeline.types import RawItem

NO_INCLUDE_MATCH = "include: no pattern matched"


def has_filters(source: object) -> bool:
    """Whether the source entry has ``include`` or ``exclude`` patterns. Any entry will do
    (``object``, read with ``getattr``): a kind without filters, or none at all, keeps everything."""
    return bool(getattr(source, "include", None)) or bool(getattr(source, "exclude", None))


def _values(name: str, title: str, url: str, categories: Sequence[str]) -> Iterable[str]:
    if name == "title":
        return (title,)
    if name == "url":
        return (url,)
    return categories


def _matches(spec: ItemFilter, title: str, url: str, categories: Sequence[str]) -> str | None:
    """The first ``field pattern`` of ``spec`` that matches, or None."""
    for name, pattern in spec.patterns():
        regex = compiled_pattern(pattern)
        if any(regex.search(value or "") for value in _values(name, title, url, categories)):
            return f"{name} {pattern!r}"
    return None


def drop_reason(
    source: object, title: str, url: str, categories: Sequence[str] = (), *, excludes_only: bool = False
) -> str | None:
    """Why the source's filters drop this item (``exclude.url '/foreign-travel-advice/'``), or None
    to keep it. ``excludes_only`` checks the exclude patterns alone: a listing link is checked
    that way before its page is fetched, when the categories are not known yet."""
    exclude: ItemFilter | None = getattr(source, "exclude", None)
    if exclude and (hit := _matches(exclude, title, url, categories)):
        return f"exclude.{hit}"
    include: ItemFilter | None = getattr(source, "include", None)
    if include and not excludes_only and _matches(include, title, url, categories) is None:
        return NO_INCLUDE_MATCH
    return None


@dataclass(slots=True)
class FilterResult:
    kept: list[RawItem]
    dropped: Counter[str] = field(default_factory=Counter)
    """How many items each filter dropped, by reason (``exclude.url '/foreign-travel-advice/'``)."""

    @property
    def dropped_count(self) -> int:
        return sum(self.dropped.values())

    def summary(self) -> str:
        """``2 dropped by exclude.url '/foreign-travel-advice/'; 1 dropped by include: ...``."""
        return "; ".join(f"{n} dropped by {reason}" for reason, n in self.dropped.most_common())


def apply_filters(source: object, items: Iterable[RawItem]) -> FilterResult:
    """The items the source's filters keep, and the count each filter dropped."""
    items = list(items)
    if not has_filters(source):
        return FilterResult(kept=items)
    result = FilterResult(kept=[])
    for item in items:
        reason = drop_reason(source, item.title, item.url, item.categories)
        if reason is None:
            result.kept.append(item)
        else:
            result.dropped[reason] += 1
    return result

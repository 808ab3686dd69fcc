"""The cue families of ``rules/cues.yaml``: how an event is reported, as data.

A family is a list of regular expressions in every language we watch ("summit", "サミット",
"정상회의", "Gipfel"...). The model does not learn which events exist; it learns what the
families, and where they occur, say about the event type. Loading validates the file with the
same file:line:field errors as every other config file.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.regex_syntax import Unsupported
from core.yamlconf import ConfigError, validate_file
from pipeline.intel.patterns import Regex
from pipeline.intel.rules_loading import RECHECK_SECONDS, real_path
from pipeline.intel.sieve import re2, re2_options, relaxed_source

DEFAULT_CUES = Path(__file__).resolve().parent.parent.parent / "rules" / "cues.yaml"
_DEFAULT_CUES = str(DEFAULT_CUES)


class Family(BaseModel):
    model_config = ConfigDict(extra="forbid")
    about: str
    patterns: list[Regex] = Field(min_length=1)


class CueFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    families: dict[str, Family] = Field(min_length=1)


@dataclass(frozen=True)
class Cues:
    """Compiled families: one alternation per family, plus the file's digest (the model is
    stamped with the digest of the cues it was trained with)."""

    families: tuple[tuple[str, re.Pattern[str]], ...]
    about: dict[str, str]
    sha256: str
    matcher: FamilyMatcher = field(init=False, repr=False, compare=False)
    """The same families, found fast (``item_features`` uses it; results are the patterns')."""
    pattern: dict[str, re.Pattern[str]] = field(init=False, repr=False, compare=False)
    """Each family's pattern by name, built once with the families."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "matcher", FamilyMatcher([rx for _, rx in self.families]))
        object.__setattr__(self, "pattern", dict(self.families))


def compile_families(raw: CueFile, digest: str) -> Cues:
    compiled = tuple(
        (name, re.compile("|".join(f"(?:{p.pattern})" for p in fam.patterns), re.IGNORECASE))
        for name, fam in raw.families.items()
    )
    return Cues(compiled, {name: fam.about for name, fam in raw.families.items()}, digest)


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int) -> Cues:
    raw = validate_file(Path(path), CueFile)
    return compile_families(raw, hashlib.sha256(Path(path).read_bytes()).hexdigest())


_RECENT: tuple[float, Cues] | None = None
"""(when checked, cues) of the last ``load_cues()``: the shipped file is asked whether it changed
at most every ``RECHECK_SECONDS``, as the default rules are (classify asks on every item)."""


def load_cues(path: Path | None = None) -> Cues:
    """The cue families (cached per file version); ConfigError names file, line and field."""
    global _RECENT
    now = time.monotonic()
    if not path and _RECENT is not None and now - _RECENT[0] < RECHECK_SECONDS:
        return _RECENT[1]
    where = os.fspath(path) if path else _DEFAULT_CUES
    try:
        mtime = os.stat(where).st_mtime_ns
    except OSError:
        raise ConfigError(f"{Path(where)}: file not found") from None
    cues = _load(real_path(where), mtime)
    if not path:
        _RECENT = (now, cues)
    return cues


# ----------------------------------------------------------------------------- fast matcher

# Every family is looked for in the headline, the lead and the body. RE2 reports in one linear
# pass which of all the families may occur (``pipeline.intel.sieve`` translates each family into
# a relaxed RE2 pattern that matches wherever Python's could). Every hit RE2 proposes is then
# confirmed by the family's own Python pattern, anchored at that position, so hits, positions and
# counts are Python's exactly.


@dataclass(slots=True)
class Zone:
    """One text as the matcher scans it: the families RE2 says may occur (None: ask Python)."""

    text: str
    data: bytes
    ascii: bool
    hits: frozenset[int] | None


class FamilyMatcher:
    """``search`` and ``count`` for each family, exactly as its Python pattern gives them."""

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        self.py = patterns
        self.sieve: list[Any] = [None] * len(patterns)
        self._set: Any = None
        self._set_family: list[int] = []
        self._always: frozenset[int] = frozenset(range(len(patterns)))
        if re2 is None:  # pragma: no cover - google-re2 is a dependency; Python alone stays exact
            return
        options = re2_options()
        sieve_set = re2.Set.SearchSet(options)
        # Matches every text: a Set whose automaton failed (out of memory) reports nothing, and
        # the missing sentinel then sends the text to Python instead of dropping its families.
        self._set_family.append(-1)
        sieve_set.Add("")
        always = []
        for k, rx in enumerate(patterns):
            try:
                source = relaxed_source(rx)
                compiled = re2.compile(source, options)
                if compiled.search(b"") is not None:
                    raise Unsupported("may match the empty string")
                sieve_set.Add(source)
            except (Unsupported, re2.error):
                always.append(k)
                continue
            self.sieve[k] = compiled
            self._set_family.append(k)
        sieve_set.Compile()
        self._set = sieve_set
        self._always = frozenset(always)

    def zone(self, text: str) -> Zone:
        if self._set is None:
            return Zone(text, b"", True, None)
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: RE2 reads UTF-8 only
            return Zone(text, b"", True, None)
        found = self._set.Match(data) or ()
        if 0 not in found:
            return Zone(text, data, len(data) == len(text), None)
        fam = self._set_family
        return Zone(text, data, len(data) == len(text), frozenset(fam[i] for i in found if i) | self._always)

    def search(self, k: int, zone: Zone) -> re.Match[str] | None:
        """``pattern.search(zone.text)`` of family ``k``."""
        if zone.hits is None or self.sieve[k] is None:
            return self.py[k].search(zone.text)
        if k not in zone.hits:
            return None
        return self._search_from(k, zone, 0)

    def count(self, k: int, zone: Zone, limit: int) -> int:
        """``min(len(pattern.findall(zone.text)), limit)`` of family ``k``."""
        if zone.hits is None or self.sieve[k] is None:
            return min(len(self.py[k].findall(zone.text)), limit)
        if k not in zone.hits:
            return 0
        n, pos = 0, 0
        while n < limit:
            hit = self._search_from(k, zone, pos)
            if hit is None:
                break
            if hit.end() == hit.start():  # cannot happen (the sieve never matches ""); be exact anyway
                return min(len(self.py[k].findall(zone.text)), limit)
            n, pos = n + 1, hit.end()
        return n

    def _search_from(self, k: int, zone: Zone, pos: int) -> re.Match[str] | None:
        """``pattern.search(text, pos)``: RE2 proposes the leftmost start where the family may
        match; Python's pattern, anchored there (seeing the text before it), confirms it or
        the next start is tried. A start RE2 skips is one where Python's pattern cannot match."""
        sieve, rx, text, data = self.sieve[k], self.py[k], zone.text, zone.data
        at = pos if zone.ascii else len(text[:pos].encode("utf-8"))
        while True:
            m = sieve.search(data, at)
            if m is None:
                return None
            b = m.start()
            start = b if zone.ascii else len(data[:b].decode("utf-8"))
            hit = rx.match(text, start)
            if hit is not None:
                return hit
            if start >= len(text):
                return None
            at = b + (1 if zone.ascii else len(text[start].encode("utf-8")))

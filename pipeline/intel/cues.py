"""The cue families of ``rules/cues.yaml``: how an event is reported, as data.

A family is a list of regular expressions in every language we watch ("summit", "サミット",
"정상회의", "Gipfel"...). The model does not learn which events exist; it learns what the
families, and where they occur, say about the event type. Loading validates the file with the
same file:line:field errors as every other config file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pipeline.rules import Regex
from policywatch.yamlconf import ConfigError, validate_file

DEFAULT_CUES = Path(__file__).resolve().parent.parent.parent / "rules" / "cues.yaml"


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


def load_cues(path: Path | None = None) -> Cues:
    """The cue families (cached per file version); ConfigError names file, line and field."""
    path = path or DEFAULT_CUES
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise ConfigError(f"{path}: file not found") from None
    return _load(str(path.resolve()), mtime)

"""Loading the rules: which file or folder, validated once and cached by path and modification time.

The shipped rules are a folder, one file per concern (``rules/events.yaml``, ``rules/series.yaml``,
``rules/jurisdictions.yaml`` ...), read as one ``Rules``; a project may keep them all in one
``rules.yaml`` instead (``policywatch init`` writes one). Either way, an error names the file,
line and field.

A pipeline run compiles its rules once; worker processes load the very version the run loaded
(``load_rules_as``), so a rules file edited during a run never mixes two rule versions.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from core.settings import NOT_RULES, RULES_DIR, pointed_folder, rule_files
from core.yamlconf import ConfigError, validate_file, validate_files
from pipeline.intel.rules_schema import Rules

_CACHE: dict[tuple[str, int], Rules] = {}


def default_rules_path() -> Path:
    """``./rules.yaml`` when present (an operator's override), else the shipped rules folder."""
    local = Path("rules.yaml")
    if local.is_file():
        return local
    return RULES_DIR


_SHIPPED_RULES = str(RULES_DIR)
_REAL_PATHS: dict[tuple[str, str], str] = {}


def real_path(path: str) -> str:
    """``str(Path(path).resolve())``, remembered for the process per (working directory, path):
    classify asks for its rules, cues and model on every item, and resolving a path costs a
    system call per component. The file's version (mtime) is still read on every call."""
    key = ("" if os.path.isabs(path) else os.getcwd(), path)
    real = _REAL_PATHS.get(key)
    if real is None:
        if len(_REAL_PATHS) > 256:
            _REAL_PATHS.clear()
        real = _REAL_PATHS[key] = str(Path(path).resolve())
    return real


RECHECK_SECONDS = 0.5
"""How long the default rules (``load_rules()``) are taken as they were: classify asks for them on
every item, and asking whether the shipped folder changed takes a dozen ``stat`` calls (about
25 µs, 2-3% of an item). A rules file edited under a long-running process is still picked up
within this time; rules named by path are checked on every call."""

_RECENT: tuple[str, float, Rules] | None = None
"""(working directory, when checked, rules) of the last ``load_rules()``."""


def load_rules(path: Path | None = None) -> Rules:
    """Load and validate rules; raises ConfigError naming file, line and field on any problem."""
    global _RECENT
    if path is not None:
        return _load_rules(path)
    # The default depends on the working directory (a project's own rules.yaml).
    cwd, now = os.getcwd(), time.monotonic()
    recent = _RECENT
    if recent is not None and recent[0] == cwd and now - recent[1] < RECHECK_SECONDS:
        return recent[2]
    rules = _load_rules(None)
    _RECENT = (cwd, now, rules)
    return rules


def _load_rules(path: Path | None) -> Rules:
    """``load_rules``, asking the file system whether the rules changed."""
    if path is None:
        # default_rules_path(), without building Path objects on every call
        where = "rules.yaml" if os.path.isfile("rules.yaml") else _SHIPPED_RULES
    else:
        where = os.fspath(path)
    try:
        version = _version(where)
        folder = _pointed_folder(where, version)
        if folder is not None:
            version += _version(folder)
    except OSError as exc:
        raise ConfigError(f"{Path(exc.filename or where)}: file not found") from None
    key = (real_path(where), version)
    cached = _CACHE.get(key)
    if cached is None:
        if folder is not None or os.path.isdir(where):
            folder = folder or where
            cached = validate_files(rule_files(Path(folder)), Rules, Path(folder))
        else:
            cached = validate_file(Path(where), Rules)
        cached._origin = key
        _CACHE[key] = cached
    return cached


_POINTERS: dict[tuple[str, int], str | None] = {}


def _pointed_folder(where: str, version: int) -> str | None:
    """``settings.pointed_folder``, remembered per file version."""
    if os.path.isdir(where):
        return None
    key = (real_path(where), version)
    if key not in _POINTERS:
        folder = pointed_folder(Path(where))
        _POINTERS[key] = None if folder is None else str(folder)
    return _POINTERS[key]


def _version(where: str) -> int:
    """A rules file's mtime; for a rules folder, the sum of its own and its rules files' mtimes,
    so that editing, adding or removing any one of them makes another version."""
    st = os.stat(where)
    if not stat.S_ISDIR(st.st_mode):
        return st.st_mtime_ns
    # The folder's own mtime changes when a file is added, removed or replaced: list it only then.
    listed = (real_path(where), st.st_mtime_ns)
    files = _FOLDER_FILES.get(listed)
    if files is None:
        if len(_FOLDER_FILES) > 64:
            _FOLDER_FILES.clear()
        with os.scandir(where) as entries:
            files = [e.path for e in entries if e.name.endswith(".yaml") and e.name not in NOT_RULES]
        _FOLDER_FILES[listed] = files
    return st.st_mtime_ns + sum(os.stat(f).st_mtime_ns for f in files)


_FOLDER_FILES: dict[tuple[str, int], list[str]] = {}


def rules_origin(rules: Rules) -> tuple[str, int] | None:
    """The file or folder and version (path, mtime) ``rules`` came from; None for rules built in memory."""
    return rules._origin


class RulesChanged(Exception):
    """The rules file is no longer the version a run loaded: another process cannot reproduce it."""


def load_rules_as(origin: tuple[str, int]) -> Rules:
    """In another process (a worker), the very rules the run loaded from ``origin``: from this
    process's cache, else from the file if it is still that version, else ``RulesChanged``. A
    rules.yaml edited during a run never mixes two rule versions in one run's classification."""
    cached = _CACHE.get(origin)
    if cached is not None:
        return cached
    rules = load_rules(Path(origin[0]))
    if rules._origin != origin:
        raise RulesChanged(f"{origin[0]} changed since this run loaded it")
    return rules

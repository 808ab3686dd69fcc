"""Load a YAML data file into a pydantic model, with errors that name file, line and field.

Maintainers edit ``sources.yaml``, ``rules.yaml`` and the subscriptions file by hand; a
pydantic error that says ``sources.3.url`` is useless to them, so every validation error is
mapped back to the line of the offending node.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class ConfigError(Exception):
    """A configuration file is missing, unreadable or invalid; the message is for humans."""


DISCRIMINATORS = ("kind",)
"""Fields whose value pydantic inserts into an error location, right after a list index, for
discriminated unions (``sources.3.listing.url``: 'listing' is the kind, not a field)."""


def _is_tag(part: int | str, prev: int | str | None, mapping: dict[str, Any]) -> bool:
    return (
        isinstance(prev, int)
        and isinstance(part, str)
        and any(mapping.get(d) == part for d in DISCRIMINATORS)
    )


def _node_line(root: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """Follow a pydantic error location through the YAML node tree; return a 1-based line."""
    node = root
    best = node.start_mark.line + 1 if node is not None else None
    prev: int | str | None = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            scalars = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
            values = {k: getattr(v, "value", None) for k, v in scalars.items()}
            if _is_tag(part, prev, values):
                prev = part
                continue
            nxt = scalars.get(str(part))
            if nxt is None:
                break
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
        else:
            break
        prev = part
        best = node.start_mark.line + 1
    return best


def _field_path(loc: tuple[int | str, ...], data: Any) -> str:
    """Render a loc as a readable path, naming list entries by their ``id``/``name`` when they have one."""
    parts: list[str] = []
    cur = data
    prev: int | str | None = None
    for part in loc:
        if isinstance(cur, dict) and _is_tag(part, prev, cur):
            prev = part
            continue
        if isinstance(cur, list) and isinstance(part, int) and part < len(cur):
            cur = cur[part]
            label = cur.get("id") or cur.get("name") if isinstance(cur, dict) else None
            parts.append(f"[{part}]" + (f"({label})" if label else ""))
        elif isinstance(cur, dict) and str(part) in cur:
            cur = cur[str(part)]
            parts.append(f".{part}")
        else:
            parts.append(f".{part}")
            cur = None
        prev = part
    return "".join(parts).lstrip(".")


def load_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse a YAML file; syntax errors become ConfigError with the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None
    problems = _duplicate_keys(path, node)
    if problems:
        raise ConfigError("\n".join(problems))
    return data, node


def _mappings(root: yaml.Node | None) -> Iterable[yaml.MappingNode]:
    """Every mapping node under ``root``, each once: an alias is the same node object, so a
    YAML bomb (anchors of anchors) costs its size in nodes here, not its expanded size."""
    stack, seen = [root] if root is not None else [], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            yield node
            stack += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value


def _duplicate_keys(path: Path, root: yaml.Node | None) -> list[str]:
    """PyYAML keeps the last of two equal keys without a word: a second ``channels:`` under one
    subscriber silently replaces the first. Name every repeat at its own line instead."""
    problems: list[tuple[int, str]] = []
    for mapping in _mappings(root):
        first: dict[tuple[str, str], int] = {}
        for key, _value in mapping.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            line = key.start_mark.line + 1
            ident = (key.tag, key.value)
            if ident in first:
                msg = f"{path}:{line}: duplicate key {key.value!r} (first at line {first[ident]})"
                problems.append((line, msg))
            else:
                first[ident] = line
    return [msg for _line, msg in sorted(problems)]


def duplicates(
    path: Path,
    data: Any,
    node: yaml.Node | None,
    entries: Iterable[tuple[tuple[int | str, ...], str]],
    what: str,
) -> list[str]:
    """Error lines for values that must be unique (source ids, subscriber and channel names).

    ``entries`` are (location, value) pairs in file order. The first use of a value stands;
    each repeat is named at its own line, since that is the one the maintainer just added.
    """
    first: dict[str, int | None] = {}
    problems: list[str] = []
    for loc, value in entries:
        line = _node_line(node, loc)
        if value not in first:
            first[value] = line
            continue
        where = f"{path}:{line}" if line else str(path)
        problems.append(
            f"{where}: {_field_path(loc, data)}: duplicate {what} {value!r} (first at line {first[value]})"
        )
    return problems


def validate_file(path: Path, model: type[M], data: Any = None, node: yaml.Node | None = None) -> M:
    """Validate a YAML file against ``model``; raise ConfigError listing every bad field by line."""
    if data is None and node is None:
        data, node = load_yaml(path)
    if data is None:
        data = {}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(_error_lines(exc, lambda _loc: (path, data, node)))) from None


def validate_files(paths: list[Path], model: type[M], folder: Path) -> M:
    """Validate the YAML files of ``folder`` read as one mapping (each top-level key in one file)
    against ``model``; errors name the file, line and field, as ``validate_file``'s do."""
    if not paths:
        raise ConfigError(f"{folder}: no .yaml files")
    merged: dict[str, Any] = {}
    owner: dict[str, tuple[Path, Any, yaml.Node | None]] = {}
    for path in paths:
        data, node = load_yaml(path)
        if data is None:
            continue
        if not isinstance(data, dict):
            raise ConfigError(f"{path}:1: (top level): must be a mapping (key: value)")
        for key in data:
            if key in owner:
                line = _node_line(node, (key,))
                raise ConfigError(
                    f"{path}:{line}: {key}: also in {owner[key][0]} (each top-level key lives in one file)"
                )
            owner[key] = (path, data, node)
        merged.update(data)
    try:
        return model.model_validate(merged)
    except ValidationError as exc:
        whole = (folder, merged, None)
        lines = _error_lines(exc, lambda loc: owner.get(str(loc[0]), whole) if loc else whole)
        raise ConfigError("\n".join(lines)) from None


def _error_lines(
    exc: ValidationError, source: Callable[[tuple[int | str, ...]], tuple[Path, Any, yaml.Node | None]]
) -> list[str]:
    """One ``FILE:LINE: field: message`` per error; ``source`` gives the file, data and node of a location."""
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path, data, node = source(loc)
        line = _node_line(node, loc) if node is not None else None
        field = _field_path(loc, data) or "(top level)"
        where = f"{path}:{line}" if line else str(path)
        lines.append(f"{where}: {field}: {err['msg']}")
    return lines


def folder_files(folder: Path, skip: Iterable[str] = ()) -> list[Path]:
    """The ``*.yaml`` files of a config folder, by name, but for ``skip`` (files of another schema)."""
    return sorted(p for p in folder.glob("*.yaml") if p.name not in skip and p.is_file())


def joined_text(paths: list[Path]) -> str:
    """Several YAML files of one mapping written as one file (each file's keys are top-level)."""
    return "\n".join(p.read_text(encoding="utf-8").rstrip("\n") + "\n" for p in paths)

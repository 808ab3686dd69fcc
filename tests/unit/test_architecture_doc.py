"""docs/ARCHITECTURE.md is the map a new maintainer reads first: every file and folder it names
must exist, every function it names must be in that file, and the README must link it."""

from __future__ import annotations

import re

from tests.support.paths import ROOT

DOC = ROOT / "docs" / "ARCHITECTURE.md"
PATH = re.compile(r"`((?:[\w.-]+/)+[\w.*-]*)(?::(\w+))?`")


def named_paths(text: str) -> list[tuple[str, str | None]]:
    """Backticked repo paths (``pipeline/fetch.py``, ``rules/``, ``models/items_repo.py:store_items``)."""
    return [(m.group(1), m.group(2)) for m in PATH.finditer(text) if not m.group(1).startswith("../")]


def test_every_path_and_function_the_map_names_exists() -> None:
    named = named_paths(DOC.read_text(encoding="utf-8"))
    assert len(named) > 30, "the pattern found too few paths: it would check nothing"
    missing = [p for p, _ in named if not (list(ROOT.glob(p)) if "*" in p else (ROOT / p).exists())]
    assert not missing, f"docs/ARCHITECTURE.md names paths that do not exist: {missing}"
    absent = [
        f"{p}:{fn}" for p, fn in named if fn and not re.search(rf"^def {fn}\(", (ROOT / p).read_text(), re.M)
    ]
    assert not absent, f"docs/ARCHITECTURE.md names functions that are not there: {absent}"


def test_every_layer_folder_is_on_the_map() -> None:
    from tests.unit.test_layers import LAYERS

    text = DOC.read_text(encoding="utf-8")
    packages = [p for _, layer in LAYERS for p in layer if p != "hatch_build"]
    assert [p for p in packages if f"{p}/" not in text] == []


def test_the_readme_links_the_map() -> None:
    assert "(docs/ARCHITECTURE.md)" in (ROOT / "README.md").read_text(encoding="utf-8")

"""Dependencies run one way: every module of the project sits on a layer, and imports only its own
layer or the ones below it, with no cycle between packages or between modules.

A maintainer reads the plan of the house from the folders; this test keeps the plan true. It reads
the imports with ``ast`` (no import runs, no dependency needed), including the ones inside
functions (a lazy import is still a dependency). A failure prints every offending import with its
file and line. ``docs/ARCHITECTURE.md`` draws the same layers.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import ROOT

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("configuration and vocabulary", ("core",)),
    ("pipeline", ("pipeline", "spiders")),
    ("store", ("models",)),
    ("services", ("alerts", "services")),
    ("flows, CLI, demo, deployments", ("flows", "deployments", "policywatch")),
    ("test and benchmark support", ("testkit", "hatch_build")),
    ("benchmarks", ("bench",)),
    ("tests", ("tests",)),
)
"""Bottom to top. A package imports packages of its own layer or lower ones; within a layer the
imports between packages may go one way only (the cycle check). ``bench`` sits below ``tests``:
the tests may check a benchmark's helpers, a benchmark never leans on the test suite (what both
need is in ``testkit``). A module's layer is its top-level folder's, so everything under
``tests/`` (``unit/``, ``integration/``, ``flows/``, ``support/``) is ``tests``."""

LAYER_OF = {package: index for index, (_, packages) in enumerate(LAYERS) for package in packages}


@dataclass(frozen=True, slots=True)
class Import:
    source: str
    target: str
    path: Path
    line: int
    runtime: bool
    """False for an import under ``if TYPE_CHECKING:`` (never executed)."""

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.source} -> {self.target}"


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every Python module of the checkout by dotted name: each top-level package (a folder with
    ``__init__.py``) and every ``.py`` file under it, plus the loose ``.py`` files at the root."""
    modules: dict[str, Path] = {}
    for path in sorted(root.glob("*.py")):
        modules[path.stem] = path
    for init in sorted(root.glob("*/__init__.py")):
        for path in sorted(init.parent.rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def project_imports(modules: dict[str, Path]) -> list[Import]:
    """Every import from one module of the project to another (third-party ones left out)."""

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    found: list[Import] = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        typing_only = _type_checking_lines(tree)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*parts, *([node.module] if node.module else [])])
                targets = [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in targets:
                target = resolve(name)
                if target and target != module:
                    found.append(Import(module, target, path, node.lineno, node.lineno not in typing_only))
    return found


def top(module: str) -> str:
    return module.partition(".")[0]


def upward(imports: list[Import]) -> list[Import]:
    """Imports from a lower layer to a higher one."""
    return [i for i in imports if LAYER_OF[top(i.target)] > LAYER_OF[top(i.source)]]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def package_cycles(imports: list[Import]) -> list[list[str]]:
    """Cycles between top-level packages (every import counts, typing-only ones too)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for i in imports:
        if top(i.source) != top(i.target):
            edges[top(i.source)].add(top(i.target))
    return cycles(edges)


def module_cycles(imports: list[Import]) -> list[list[str]]:
    """Cycles between modules through imports that run (an import under ``TYPE_CHECKING`` is the
    usual way to name a type without a runtime cycle, so it does not count here)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for i in imports:
        if i.runtime:
            edges[i.source].add(i.target)
    return cycles(edges)


def _explain(cycle: list[str], imports: list[Import], unit: Callable[[str], str]) -> str:
    """A cycle and the imports that make it, file and line each."""
    members = set(cycle)
    lines = sorted({str(i) for i in imports if unit(i.source) in members and unit(i.target) in members})
    return " <-> ".join(cycle) + "\n      " + "\n      ".join(lines)


MODULES = project_modules()
IMPORTS = project_imports(MODULES)


def test_every_package_has_a_layer() -> None:
    unmapped = sorted({top(m) for m in MODULES} - set(LAYER_OF))
    assert not unmapped, f"packages with no layer in tests/unit/test_layers.py's LAYERS: {unmapped}"
    required = {"core", "pipeline", "spiders", "models", "alerts", "services", "flows", "policywatch"}
    assert required <= {top(m) for m in MODULES}, "the scan missed a package: it would check nothing there"
    # the suite's own folders are scanned too, so an import of tests.support from bench is seen
    scanned = {m.split(".")[1] for m in MODULES if m.startswith("tests.") and m.count(".") >= 2}
    assert {"unit", "integration", "flows", "support"} <= scanned, f"tests/ subpackages scanned: {scanned}"


def test_no_import_runs_up_the_layers() -> None:
    bad = upward(IMPORTS)
    names = [name for name, _ in LAYERS]
    listing = "\n".join(
        f"  {i}   ({names[LAYER_OF[top(i.source)]]} -> {names[LAYER_OF[top(i.target)]]})" for i in bad
    )
    assert not bad, f"{len(bad)} import(s) run up the layers (bottom to top: {names}):\n{listing}"


def test_no_cycle_between_packages() -> None:
    found = package_cycles(IMPORTS)
    listing = "\n".join("  " + _explain(c, IMPORTS, top) for c in found)
    assert not found, f"{len(found)} cycle(s) between packages:\n{listing}"


def test_no_cycle_between_modules() -> None:
    runtime = [i for i in IMPORTS if i.runtime]
    found = module_cycles(IMPORTS)
    listing = "\n".join("  " + _explain(c, runtime, str) for c in found)
    assert not found, f"{len(found)} import cycle(s) between modules:\n{listing}"


def test_the_checker_sees_what_it_must(tmp_path: Path) -> None:
    """The checker itself, on a made-up project: an upward import inside a function, a relative
    import, a cycle, a typing-only import that must not count as a module cycle, and a benchmark
    leaning on the test suite's support package."""
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "__init__.py").write_text("")
    (tmp_path / "core" / "a.py").write_text("def f():\n    from services.b import g\n")
    (tmp_path / "core" / "c.py").write_text("from . import a\n")
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "__init__.py").write_text("")
    (tmp_path / "services" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nimport core.a\nif TYPE_CHECKING:\n    from services.d import X\n"
    )
    (tmp_path / "services" / "d.py").write_text("from services.b import g\n")
    (tmp_path / "tests" / "support").mkdir(parents=True)
    (tmp_path / "tests" / "__init__.py").write_text("")
    (tmp_path / "tests" / "support" / "__init__.py").write_text("")
    (tmp_path / "tests" / "support" / "paths.py").write_text("import core.a\n")
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "__init__.py").write_text("")
    (tmp_path / "bench" / "run.py").write_text("from tests.support.paths import ROOT\n")
    imports = project_imports(project_modules(tmp_path))
    pairs = {(i.source, i.target, i.runtime) for i in imports}
    assert ("core.c", "core.a", True) in pairs
    assert ("services.b", "services.d", False) in pairs
    assert [(i.source, i.target, i.line) for i in upward(imports)] == [
        ("bench.run", "tests.support.paths", 1),  # a nested tests/ package is still the tests layer
        ("core.a", "services.b", 2),
    ]
    assert package_cycles(imports) == [["core", "services"]]
    assert module_cycles(imports) == [["core.a", "services.b"]]

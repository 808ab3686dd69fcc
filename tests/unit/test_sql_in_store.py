"""SQL lives in the store (issue 17): the layers above ``models/`` call store functions and keep
their decisions; they build and run no statement of their own.

A statement written in a service or an alert module is one the store's guarantees cannot see
(the outbox's ``ON CONFLICT``, the claim's conditional ``UPDATE``), and one that a change of
schema must hunt for outside ``models/``. This test reads every module of the packages above the
store with ``ast`` and names, file and line, each import of a statement builder (``select``,
``update``, ``delete``, ``insert``, ``text`` and the clause helpers, from SQLAlchemy or the
store's own ``models.sql``) and each call that runs a statement (``.execute``, ``.scalars``,
``.scalar``, ``.exec_driver_sql``, the legacy ``.query``). The ORM's unit of work (``get``,
``add``, attribute writes, ``commit``) is the caller's transaction and stays allowed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import ROOT

PACKAGES = ("services", "alerts", "flows", "policywatch", "deployments")
"""Every shipped package above the store (``tests/unit/test_layers.py``'s services and top layers)."""

BUILDERS = frozenset({"select", "update", "delete", "insert", "text", "exists", "func", "or_", "and_"})
"""Names that build SQL, whichever SQLAlchemy module (or dialect) they are imported from."""

STORE_HELPERS = "models.sql"
"""The store's statement helpers (``dialect_insert``, ``insert_values``): for repositories only."""

RUNNERS = frozenset({"execute", "scalars", "scalar", "exec_driver_sql", "query"})
"""Methods of a session or connection that run a statement."""

ALLOWED: dict[str, str] = {}
"""``"path:line"`` -> why this statement must stay outside the store. Empty, and meant to stay so:
a new read or write is a function in the aggregate's repository in ``models/``."""


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def findings(source: str, path: str) -> list[Finding]:
    """Every statement builder imported and every statement run in one module's source."""
    tree = ast.parse(source, path)
    found: list[Finding] = []
    sqlalchemy_aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == STORE_HELPERS:
                names = ", ".join(alias.name for alias in node.names)
                found.append(Finding(path, node.lineno, f"imports {names} from {STORE_HELPERS}"))
            elif node.module.partition(".")[0] == "sqlalchemy":
                for alias in node.names:
                    if alias.name in BUILDERS:
                        found.append(Finding(path, node.lineno, f"imports {alias.name} from {node.module}"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == STORE_HELPERS:
                    found.append(Finding(path, node.lineno, f"imports {STORE_HELPERS}"))
                elif alias.name.partition(".")[0] == "sqlalchemy":
                    sqlalchemy_aliases.add(alias.asname or alias.name.partition(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in BUILDERS
            and isinstance(node.value, ast.Name)
            and node.value.id in sqlalchemy_aliases
        ):
            found.append(Finding(path, node.lineno, f"uses {node.value.id}.{node.attr}"))
        elif (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RUNNERS
        ):
            found.append(Finding(path, node.lineno, f"runs a statement: {ast.unparse(node.func)}(...)"))
    return sorted(found, key=lambda f: f.line)


def shipped_modules() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def test_no_sql_above_the_store() -> None:
    modules = shipped_modules()
    assert len(modules) > 30, "the scan found too few modules: it would check nothing"
    found = [
        f
        for path in modules
        for f in findings(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
        if f"{f.path}:{f.line}" not in ALLOWED
    ]
    listing = "\n".join(f"  {f}" for f in found)
    assert not found, (
        f"{len(found)} statement(s) outside the store; make each a function of the aggregate's "
        f"repository in models/ and call it:\n{listing}"
    )


def test_the_allow_list_names_only_what_is_there() -> None:
    """An allowed statement that has gone takes its entry with it (no blank cheques left)."""
    present = {
        f"{f.path}:{f.line}"
        for path in shipped_modules()
        for f in findings(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    }
    assert set(ALLOWED) <= present, sorted(set(ALLOWED) - present)


def test_the_checker_sees_what_it_must() -> None:
    """The checker itself, on made-up modules: each way a statement can be written above the store
    is named with its line, and a module that only calls the store is clean."""
    source = "\n".join(
        [
            "from sqlalchemy import select, update",  # 1
            "from sqlalchemy.sql.expression import text",  # 2
            "from sqlalchemy.dialects.postgresql import insert",  # 3
            "from sqlalchemy.orm import Session",  # 4: a type, allowed
            "from models.sql import dialect_insert",  # 5
            "import sqlalchemy as sa",  # 6
            "def f(session: Session) -> None:",  # 7
            "    session.execute(sa.delete(X))",  # 8: the run and the builder
            "    db.scalars(q)",  # 9: whatever the session is called
            "    s.scalar(q)",  # 10
            "    conn.exec_driver_sql('DELETE FROM x')",  # 11
            "    session.get(X, 1)",  # 12: the unit of work, allowed
            "    session.commit()",  # 13
        ]
    )
    got = [(f.line, f.what) for f in findings(source, "m.py")]
    assert [line for line, _ in got] == [1, 1, 2, 3, 5, 8, 8, 9, 10, 11]
    assert ("uses sa.delete" in {what for _, what in got}) and any("session.execute" in w for _, w in got)
    clean = "from sqlalchemy.orm import Session\nfrom models import alerts_repo\n\n" + (
        "def f(session: Session) -> int:\n    return len(alerts_repo.all_alerts(session))\n"
    )
    assert findings(clean, "clean.py") == []

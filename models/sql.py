"""Statement helpers every repository shares: the dialect's conflict-aware INSERT, many rows in one
statement, and a row count.

The store runs on SQLite and PostgreSQL; these are the few places where the two differ (the
INSERT construct, the DBAPI's parameter mark), so the repositories do not each ask the dialect.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, FromClause, TableClause, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session

MAX_PARAMS = 30_000
"""Bound parameters per statement: below SQLite's 32,766 and PostgreSQL's 65,535."""


def dialect_insert(
    session: Session, table: type[DeclarativeBase] | FromClause
) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT, which has ``on_conflict_do_nothing`` on SQLite and PostgreSQL (the
    calls both take are all the repositories use, so the union type-checks each of them).
    ``table`` is a mapped class or its ``__table__`` (typed ``FromClause`` by SQLAlchemy)."""
    if not isinstance(table, type | TableClause):
        raise TypeError(f"an INSERT needs a table or a mapped class, not {type(table).__name__}")
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database dialect {name!r} (use SQLite or PostgreSQL)")


def placeholder(conn: Connection) -> str:
    """The DBAPI's bound-parameter mark for plain SQL: ``?`` (sqlite3) or ``%s`` (psycopg)."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def insert_values(
    session: Session,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    skip_conflicts: bool,
) -> None:
    """Many rows as one ``INSERT ... VALUES (..), (..)`` per 30,000 parameters.

    Not ``executemany``: on SQLite that is one ``sqlite3_step`` per row, each releasing and
    re-taking the GIL, and a store transaction holding the database's one write lock then
    waits behind the fetch and parse threads hundreds of times (measured: the 32 band keys
    per item were a third of a busy run's write-lock time). One statement is one step.
    """
    if not rows:
        return
    conn = session.connection()
    mark = placeholder(conn)
    one = "(" + ", ".join([mark] * len(columns)) + ")"
    per = max(1, MAX_PARAMS // len(columns))
    tail = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        conn.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(chunk))}{tail}",
            tuple(v for row in chunk for v in row),
        )


def count_rows(session: Session, model: type[DeclarativeBase] | FromClause) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)

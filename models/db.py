"""Engine and session factory, and the one-sentence error for an unreachable store."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core.settings import database_url


class StoreUnavailable(Exception):
    """The database cannot be reached or opened; the message is one readable sentence."""


class StoreNotMigrated(StoreUnavailable):
    """The database answers but holds no store yet (``policywatch db upgrade`` was never run)."""


def redact_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
    # WAL lets the CLI read while a flow writes; busy_timeout waits out short write locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL loses no committed transaction on a crash (only on power loss), and
    # spares an fsync per commit: every poll records its state.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def get_engine(url: str | None = None) -> Engine:
    """One engine (and pool) per database URL; the URL defaults to the configured store."""
    return _engine_for(url or database_url())


@lru_cache(maxsize=16)
def _engine_for(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        # the URL may hold a password where the parser could not find it: show its scheme only
        scheme = url.split("://", 1)[0] if "://" in url else ""
        shown = f"{scheme}://…" if scheme.isidentifier() or "+" in scheme else "(hidden)"
        raise StoreUnavailable(f"POLICYWATCH_DATABASE_URL is not a valid database URL: {shown}") from None
    try:
        if parsed.drivername.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise StoreUnavailable(
            f"POLICYWATCH_DATABASE_URL {redact_url(url)}: unsupported database "
            f"({parsed.drivername}): use sqlite:///PATH or postgresql://USER@HOST/DB"
            + (f" ({type(exc).__name__})" if isinstance(exc, ImportError) else "")
        ) from None
    return engine


def check_connection(engine: Engine, *, migrated: bool = True) -> None:
    """Fail early with one sentence instead of a driver traceback deep in a run: the database
    must answer and (unless ``migrated=False``, for the migration itself) hold the store's
    tables: a served or deployed run on a fresh database failed on "no such table: sources"."""
    try:
        with engine.connect() as conn:
            ready = not migrated or inspect(conn).has_table("alembic_version")
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
        raise StoreUnavailable(
            f"Cannot reach the database at {redact_url(str(engine.url))}: {reason}"
        ) from None
    if not ready:
        where = redact_url(str(engine.url))
        raise StoreNotMigrated(f"The store at {where} has no tables yet: run `policywatch db upgrade` first")


_WRITE_LOCKS: dict[str, threading.RLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


@contextmanager
def writing(factory: sessionmaker[Session]) -> Iterator[Session]:
    """``factory.begin()`` for a transaction that writes; on SQLite, one at a time per process.

    SQLite has one writer. Threads that meet its lock wait in its busy handler, which sleeps in
    growing steps (up to 100 ms) and retries: with sixteen store and poll-state threads, most
    of a run went to those sleeps. Queueing on a lock of our own hands the database straight
    to the next writer. Other processes still meet SQLite's own lock and busy timeout.
    """
    engine = factory.kw["bind"]
    if engine.dialect.name != "sqlite":
        with factory.begin() as session:
            yield session
        return
    key = str(engine.url)
    with _WRITE_LOCKS_GUARD:
        lock = _WRITE_LOCKS.setdefault(key, threading.RLock())
    with lock, factory.begin() as session:
        yield session


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


T = TypeVar("T")
_RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected


def retry_on_conflict(fn: Callable[[], T], attempts: int = 4) -> T:
    """Run a whole transaction again when the database chose it as a deadlock/serialization victim."""
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except DBAPIError as exc:
            code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
            if code not in _RETRYABLE_SQLSTATES or attempt == attempts:
                raise
            time.sleep(0.05 * attempt + random.random() * 0.1)
    raise AssertionError("unreachable")

"""Shared fixtures, for ``unit/``, ``integration/`` and ``flows/`` alike: isolated stores (SQLite
and real PostgreSQL) and the session's Prefect server. Helpers that tests import are in
``tests/support/``, not here."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import postgres_base_url, reachable

# Offline and quiet: no telemetry calls home, a generous start-up budget for the test server.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own data directory and SQLite store unless it picks another."""
    monkeypatch.setenv("POLICYWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("POLICYWATCH_FETCH_RETRY_DELAY", "0.1")
    monkeypatch.setenv("POLICYWATCH_ALERT_BACKOFF_SECONDS", "0")
    for var in (
        "POLICYWATCH_SUBSCRIPTIONS",
        "POLICYWATCH_SOURCES",
        "POLICYWATCH_EMAIL_URL",
        "POLICYWATCH_SLACK_URL",
        "POLICYWATCH_DEMO_SINK",
    ):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema on the real PostgreSQL server, dropped afterwards."""
    import psycopg

    base = postgres_base_url()
    schema = "pw_" + uuid.uuid4().hex[:12]
    try:
        conn = psycopg.connect(base, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("POLICYWATCH_REQUIRE_POSTGRES"):
            raise
        pytest.skip(f"PostgreSQL at {base} is not reachable: {exc}")
    with conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    url = base.replace("postgresql://", "postgresql+psycopg://", 1) + f"{sep}options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        from models.db import get_engine

        get_engine(url).dispose()
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The same test on SQLite and on real PostgreSQL, migrated to the latest schema."""
    from models.migrate import upgrade

    name = "postgres_url" if request.param == "postgres" else "sqlite_url"
    url: str = request.getfixturevalue(name)
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", url)
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test server for the whole session (it takes ~10 s to start): its state on the
    real PostgreSQL server when one is configured (as in CI), else in SQLite; it expires leases
    as production servers do (``tests.support.prefect_server``)."""
    from tests.support.prefect_server import prefect_test_server

    base = os.environ.get("POLICYWATCH_TEST_POSTGRES_URL")
    with prefect_test_server(base if base and reachable(base) else None, startup_timeout=120):
        yield

"""Shared fixtures: isolated stores (SQLite and real PostgreSQL), the shared corpus, Prefect."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Offline and quiet: no telemetry calls home, a generous start-up budget for the test server.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"
REAL = SHARED / "corpus" / "real"


def need_shared() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared (the shared corpus) is not beside the project root")


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


def _postgres_base_url() -> str:
    url = os.environ.get("POLICYWATCH_TEST_POSTGRES_URL")
    if not url:
        pytest.skip(
            "PostgreSQL tests need POLICYWATCH_TEST_POSTGRES_URL "
            "(e.g. postgresql://postgres@127.0.0.1:5432/test; .ci/run sets it)"
        )
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema on the real PostgreSQL server, dropped afterwards."""
    import psycopg

    base = _postgres_base_url()
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
    as production servers do (``tests.prefect_server``)."""
    from tests.prefect_server import prefect_test_server

    base = os.environ.get("POLICYWATCH_TEST_POSTGRES_URL")
    with prefect_test_server(base if base and _reachable(base) else None, startup_timeout=120):
        yield


def _reachable(base: str) -> bool:
    import psycopg

    try:
        psycopg.connect(base, connect_timeout=5).close()
    except psycopg.OperationalError:
        if os.environ.get("POLICYWATCH_REQUIRE_POSTGRES"):
            raise
        return False
    return True

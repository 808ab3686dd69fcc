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
FIXTURES = ROOT / "tests" / "fixtures"
"""Our own fixtures, written for this project in the real formats: every test runs on them."""
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"
REAL = SHARED / "corpus" / "real"

NEWS_CORPUS_REASON = "needs the real-news corpus ../shared/corpus/news"
"""The one reason a test may skip for want of ``../shared``: the labelled real news cannot be
written by us (its figures are about real reporting). Everything else runs on ``FIXTURES``."""


def need_news_corpus() -> None:
    """Skip, saying why, unless the labelled real news is there (``POLICYWATCH_CORPUS`` or
    ``../shared/corpus/news``)."""
    from pipeline.intel.corpus import news_path

    if news_path() is None:
        pytest.skip(f"{NEWS_CORPUS_REASON} (or POLICYWATCH_CORPUS naming a folder with news.jsonl)")


def our_case(path: Path, *values: object) -> pytest.ParameterSet:
    """A test case on one of our fixtures (its id says so: ``ours:sources/x.atom``)."""
    return pytest.param(path, *values, id=f"ours:{path.relative_to(FIXTURES).as_posix()}")


def real_cases(name: str, *values: object) -> list[pytest.ParameterSet]:
    """The same test on the real capture ``../shared/corpus/real/NAME``, as an extra case when
    it is there, and no case at all when it is not (never a skip): parsers must hold on real
    pages, and a clone without ``../shared`` still runs every test on our fixtures."""
    path = REAL / name
    return [pytest.param(path, *values, id=f"real:{name}")] if path.is_file() else []


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

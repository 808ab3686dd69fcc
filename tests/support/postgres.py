"""The real PostgreSQL server the suite may use: its URL from the environment, and whether it
answers. Shared by ``conftest.py``'s fixtures and the tests that start processes of their own."""

from __future__ import annotations

import os

import pytest


def postgres_base_url() -> str:
    """``POLICYWATCH_TEST_POSTGRES_URL``, or skip saying how to set it."""
    url = os.environ.get("POLICYWATCH_TEST_POSTGRES_URL")
    if not url:
        pytest.skip(
            "PostgreSQL tests need POLICYWATCH_TEST_POSTGRES_URL "
            "(e.g. postgresql://postgres@127.0.0.1:5432/test; .ci/run sets it)"
        )
    return url


def reachable(base: str) -> bool:
    """Whether the server answers; with ``POLICYWATCH_REQUIRE_POSTGRES`` (CI) it must, and the
    connection error is raised instead of the tests quietly falling back to SQLite."""
    import psycopg

    try:
        psycopg.connect(base, connect_timeout=5).close()
    except psycopg.OperationalError:
        if os.environ.get("POLICYWATCH_REQUIRE_POSTGRES"):
            raise
        return False
    return True

"""The session's Prefect test server with its state in a fresh PostgreSQL database.

``prefect.testing.utilities.prefect_test_harness`` keeps the server's state in SQLite, and its
server was seen (in CI, once) waiting 60 s on its own "database is locked" while a flow run
waited for it. Prefect recommends PostgreSQL for a server under concurrent load; this is the
same harness (Prefect 3.8's, step for step) with a database of its own on the real server,
created for the session and dropped after it. Where no PostgreSQL is reachable the tests use
Prefect's own harness.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit


def _database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}", query=""))


@contextmanager
def prefect_server_on_postgres(base: str, startup_timeout: int = 120) -> Iterator[None]:
    """Run a Prefect server subprocess on a new database of the server at ``base`` (a psycopg URL)."""
    import prefect.context
    import prefect.settings
    import psycopg
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.server.database.dependencies import temporary_database_interface
    from prefect.testing.utilities import _find_available_port
    from prefect.utilities.asyncutils import run_coro_as_sync

    name = "pw_prefect_" + uuid.uuid4().hex[:12]
    with psycopg.connect(base, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _database_url(base, name).replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        with ExitStack() as stack:
            stack.enter_context(temporary_database_interface())
            stack.enter_context(
                prefect.settings.temporary_settings(
                    updates={prefect.settings.PREFECT_SERVER_DATABASE_CONNECTION_URL: url}
                )
            )
            server = SubprocessASGIServer(port=_find_available_port())
            prior = SubprocessASGIServer._instances.get(None)
            SubprocessASGIServer._instances[None] = server  # flows find this server, not a new one
            server.start(timeout=startup_timeout)
            api = {prefect.settings.PREFECT_API_URL: server.api_url}
            stack.enter_context(prefect.settings.temporary_settings(updates=api))
            stack.enter_context(
                prefect.context._temporary_global_settings_context(prefect.context.get_settings_context())
            )
            try:
                yield
            finally:

                async def drain() -> None:
                    try:
                        result = APILogWorker.instance().drain()
                        if inspect.isawaitable(result):
                            await result
                    except RuntimeError:
                        pass  # never started
                    drained = EventsWorker.drain_all()
                    if inspect.isawaitable(drained):
                        await drained

                run_coro_as_sync(drain())
                server.stop()
                if prior is not None:
                    SubprocessASGIServer._instances[None] = prior
                else:
                    SubprocessASGIServer._instances.pop(None, None)
    finally:
        with psycopg.connect(base, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_flow_run(trigger: str, attempts: int = 5) -> dict[str, Any]:
    """POST a deployment's ``create_flow_run`` and return the run. A busy local Prefect server
    answers 503 for a moment under load (a loaded CI machine): asked again, bounded, so the test
    checks our deployments, not the machine's load."""
    import time

    import httpx

    for attempt in range(attempts):
        created = httpx.post(trigger, json={}, timeout=30)
        if created.status_code < 500 or attempt == attempts - 1:
            created.raise_for_status()
            run: dict[str, Any] = created.json()
            return run
        time.sleep(2)
    raise AssertionError("unreachable")

"""The session's Prefect test server: its state in a fresh PostgreSQL database, its leases expired.

``prefect.testing.utilities.prefect_test_harness`` keeps the server's state in SQLite, and its
server was seen (in CI, once) waiting 60 s on its own "database is locked" while a flow run
waited for it. Prefect recommends PostgreSQL for a server under concurrent load; this is the
same harness (Prefect 3.8's, step for step) with a database of its own on the real server,
created for the session and dropped after it (without PostgreSQL: a SQLite file, as Prefect's).

Its server also gives back the slots of expired leases, as ``prefect server start`` does (the
servers runs use in production: `serve`'s, a work pool's). Prefect's harness runs its server as
an "ephemeral" one, which starts no repossessor: a run killed mid-fetch on it kept its host's
slots for the rest of the session (CI's kill-and-rerun test waited ten minutes on them). Only
that service is added; the others an ephemeral server skips (scheduler, late runs, ...) stay off.
"""

from __future__ import annotations

import inspect
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit


def _database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}", query=""))


REPOSSESSOR_LOOP_SECONDS = "2"
"""How often the test server looks for expired leases (``prefect server start``: every 15 s)."""

SERVICES_OFF = (
    "CANCELLATION_CLEANUP",
    "CLEANUP_RECONCILER",
    "DB_VACUUM",
    "FOREMAN",
    "LATE_RUNS",
    "PAUSE_EXPIRATIONS",
    "SCHEDULER",
)
"""The services a non-ephemeral server would start besides the repossessor, kept off as in
Prefect's harness."""


def server_env() -> dict[str, str]:
    """The test server's own environment: a full (non-ephemeral) server with only the repossessor
    added to what Prefect's harness server runs."""
    env = {
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_FINAL": "1",
        "PREFECT_SERVER_SERVICES_REPOSSESSOR_ENABLED": "true",
        "PREFECT_SERVER_SERVICES_REPOSSESSOR_LOOP_SECONDS": REPOSSESSOR_LOOP_SECONDS,
    }
    env.update({f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false" for name in SERVICES_OFF})
    return env


def _leasing_server_class() -> type[Any]:
    import subprocess
    import sys

    import prefect
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    class LeasingServer(SubprocessASGIServer):
        """Prefect's subprocess server (Prefect 3.8's command, word for word) without the
        ``PREFECT__SERVER_EPHEMERAL`` flag that keeps the repossessor from running."""

        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            settings_env = get_current_settings().to_environment_variables(exclude_unset=True)
            env = {**os.environ, **settings_env, **server_env()}
            env.pop("PREFECT__SERVER_EPHEMERAL", None)
            return subprocess.Popen(
                args=[
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--app-dir",
                    str(prefect.__module_path__.parent),
                    "--factory",
                    "prefect.server.api.server:create_app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--log-level",
                    "error",
                    "--lifespan",
                    "on",
                ],
                env=env,
            )

    return LeasingServer


@contextmanager
def prefect_test_server(base: str | None, startup_timeout: int = 120) -> Iterator[None]:
    """Run the session's Prefect server subprocess on a new database of the PostgreSQL server at
    ``base`` (a psycopg URL), or, with ``base`` None, on a SQLite file of its own."""
    import prefect.context
    import prefect.settings
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.server.database.dependencies import temporary_database_interface
    from prefect.testing.utilities import _find_available_port
    from prefect.utilities.asyncutils import run_coro_as_sync

    name = "pw_prefect_" + uuid.uuid4().hex[:12]
    folder = tempfile.TemporaryDirectory(prefix="pw-prefect-test-")
    if base is None:
        url = f"sqlite+aiosqlite:///{Path(folder.name) / 'prefect-test.db'}"
    else:
        import psycopg

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
            server = _leasing_server_class()(port=_find_available_port())
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
        folder.cleanup()
        if base is not None:
            import psycopg

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

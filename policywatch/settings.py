"""Where things live at run time: database URL, data directory and config files.

Everything is overridable by environment variables so the same code runs the offline demo,
the test suite and a production deployment on PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """Directory for the SQLite store, alert sink files and demo state (created on demand).

    ``POLICYWATCH_DATA_DIR``, else ``data/`` at the root of the checkout the command belongs to,
    wherever it is run from (a command run in a subfolder used to start a second, empty store
    there); else, for an installed package, ``data/`` in the working directory."""
    env = os.environ.get("POLICYWATCH_DATA_DIR")
    if env:
        path = Path(env)
    elif (PROJECT_ROOT / "pyproject.toml").is_file():
        path = PROJECT_ROOT / "data"
    else:
        path = Path.cwd() / "data"
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """The store: ``POLICYWATCH_DATABASE_URL`` or a SQLite file in the data directory."""
    url = os.environ.get("POLICYWATCH_DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; SQLAlchemy's bare postgresql:// means psycopg2.
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    return f"sqlite:///{data_dir() / 'policywatch.db'}"


def config_path(name: str, env: str | None = None) -> Path:
    """A config file: an explicit env override, else the working directory, else the repo root."""
    if env and os.environ.get(env):
        return Path(os.environ[env])
    local = Path.cwd() / name
    if local.exists():
        return local
    return PROJECT_ROOT / name


def sources_path() -> Path:
    return config_path("sources.yaml", "POLICYWATCH_SOURCES")


def rules_path() -> Path:
    return config_path("rules.yaml", "POLICYWATCH_RULES")


def subscriptions_path() -> Path:
    """Subscriptions: an explicit file, else ``subscriptions.yaml``, else the shipped example."""
    if os.environ.get("POLICYWATCH_SUBSCRIPTIONS"):
        return Path(os.environ["POLICYWATCH_SUBSCRIPTIONS"])
    for name in ("subscriptions.yaml", "subscriptions.example.yaml"):
        for base in (Path.cwd(), PROJECT_ROOT):
            if (base / name).exists():
                return base / name
    return PROJECT_ROOT / "subscriptions.example.yaml"

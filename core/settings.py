"""Where things live at run time: database URL, data directory and config files.

Everything is overridable by environment variables so the same code runs the offline demo,
the test suite and a production deployment on PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.config import Settings


_HOME = Path(__file__).resolve().parent.parent
"""The folder that holds ``core/``: a checkout's root, or the ``policywatch`` package of an
installed wheel (which keeps every project package inside it)."""
_INSTALLED = (_HOME / "__init__.py").is_file()
PROJECT_ROOT = _HOME.parent if _INSTALLED else _HOME
"""The checkout's root when run from one (``make install``); for an installed wheel, site-packages."""
PACKAGE_DIR = _HOME if _INSTALLED else _HOME / "policywatch"
"""The ``policywatch`` package (the CLI's); in a wheel it also holds the default config files."""
DEFAULTS_DIR = PACKAGE_DIR if (PACKAGE_DIR / "sources.yaml").is_file() else PROJECT_ROOT
"""Where the shipped config files are: inside the package when installed (package data), else
the checkout's root. ``policywatch init`` copies them from here."""
CONFIG_FILES = {
    "sources.yaml": "POLICYWATCH_SOURCES",
    "rules.yaml": "POLICYWATCH_RULES",
    "subscriptions.yaml": "POLICYWATCH_SUBSCRIPTIONS",
}
"""The config files a project may hold, and the environment variable that names each one."""


def is_checkout() -> bool:
    """Running from a source checkout (its ``pyproject.toml`` beside this package), not a wheel."""
    return (PROJECT_ROOT / "pyproject.toml").is_file() and DEFAULTS_DIR == PROJECT_ROOT


def data_dir() -> Path:
    """Directory for the SQLite store, alert sink files and demo state (created on demand).

    ``POLICYWATCH_DATA_DIR``, else ``data/`` at the root of the checkout the command belongs to,
    wherever it is run from (a command run in a subfolder used to start a second, empty store
    there); else, for an installed package, ``data/`` in the working directory."""
    configured = _settings().data_dir
    if configured:
        path = configured
    elif is_checkout():
        path = PROJECT_ROOT / "data"
    else:
        path = Path.cwd() / "data"
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """The store: ``POLICYWATCH_DATABASE_URL`` or a SQLite file in the data directory."""
    url = _settings().database_url
    if url:
        if url.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; SQLAlchemy's bare postgresql:// means psycopg2.
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    return f"sqlite:///{data_dir() / 'policywatch.db'}"


def config_path(name: str, configured: Path | None = None) -> Path:
    """A config file, found in one order (the README's "Where files are found"):

    1. a command-line flag (``--sources`` ...; the CLI puts it in the environment variable),
    2. the environment variable (``POLICYWATCH_SOURCES`` ...), passed in as ``configured``,
    3. the current project: ``name`` in the working directory (``policywatch init`` writes it),
    4. the default shipped with the package (a checkout's own files at its root).
    """
    if configured:
        return configured
    local = Path.cwd() / name
    if local.exists():
        return local
    return DEFAULTS_DIR / name


def sources_path() -> Path:
    return config_path("sources.yaml", _settings().sources)


RULES_DIR = DEFAULTS_DIR / "rules"
"""The shipped rules: one file per concern (``events.yaml``, ``series.yaml``, ``jurisdictions.yaml``
...), read as one set of rules (``pipeline.intel.rules_loading``)."""
NOT_RULES = frozenset({"cues.yaml"})
"""Files of a rules folder that are not rules: the cue families (their own schema, pipeline.intel.cues)."""


def rule_files(folder: Path) -> list[Path]:
    """The rules files of a rules folder, by name."""
    from core.yamlconf import folder_files

    return folder_files(folder, NOT_RULES)


_POINTER = re.compile(r"\Afolder:\s*(\S+)\s*\Z")


def pointed_folder(path: Path) -> Path | None:
    """The folder a pointer file names, relative to the file: the checkout's ``rules.yaml`` holds
    only ``folder: rules`` (besides comments), since its rules live in that folder, one file per
    concern. None for a real rules file or a folder."""
    if path.is_dir():
        return None
    with open(path, encoding="utf-8", errors="replace") as handle:
        head = handle.read(4096)
    lines = [line for line in head.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    found = _POINTER.match("\n".join(lines)) if len(lines) == 1 else None
    return path.resolve().parent / found.group(1) if found else None


def rules_text(folder: Path = RULES_DIR) -> str:
    """The rules of a folder (or of the folder a pointer names) as one ``rules.yaml``: what
    ``policywatch init`` writes."""
    from core.yamlconf import joined_text

    return joined_text(rule_files(pointed_folder(folder) or folder))


def rules_path() -> Path:
    """The rules: the flag or ``POLICYWATCH_RULES`` (a rules.yaml, or a folder like the shipped
    one), else the project's ``rules.yaml``, else the shipped folder (``RULES_DIR``)."""
    configured = _settings().rules
    if configured:
        return configured
    local = Path.cwd() / "rules.yaml"
    return local if local.exists() else RULES_DIR


def subscriptions_path() -> Path:
    """Subscriptions: flag or ``POLICYWATCH_SUBSCRIPTIONS``, else the project's
    ``subscriptions.yaml`` (working directory, then a checkout's root), else the shipped example."""
    configured = _settings().subscriptions
    if configured:
        return configured
    for name in ("subscriptions.yaml", "subscriptions.example.yaml"):
        for base in (Path.cwd(), DEFAULTS_DIR):
            if (base / name).exists():
                return base / name
    return DEFAULTS_DIR / "subscriptions.example.yaml"


def init_project(target: Path, force: bool = False) -> tuple[list[Path], list[Path]]:
    """Write editable copies of the shipped config files into ``target`` (created if needed):
    ``sources.yaml``, ``rules.yaml`` (the shipped rules folder as one file) and
    ``subscriptions.yaml`` (from the example). Existing files are kept unless ``force``.
    Returns (written, kept)."""
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    kept: list[Path] = []
    for dest_name, source_name in (
        ("sources.yaml", "sources.yaml"),
        ("rules.yaml", "rules.yaml"),
        ("subscriptions.yaml", "subscriptions.example.yaml"),
    ):
        dest = target / dest_name
        if dest.exists() and not force:
            kept.append(dest)
            continue
        if dest_name == "rules.yaml":
            dest.write_text(rules_text(), encoding="utf-8")
        else:
            dest.write_bytes((DEFAULTS_DIR / source_name).read_bytes())
        written.append(dest)
    return written, kept


def max_poll_interval() -> timedelta:
    """``POLICYWATCH_MAX_POLL_INTERVAL`` (seconds, default 7200): every source is polled at
    least this often, however rarely it publishes (adaptive polling's upper bound)."""
    return timedelta(seconds=_settings().max_poll_interval)  # validated there (> 0, finite)


def _settings() -> Settings:
    """The POLICYWATCH_* variables (``core.config``), imported on first use: pydantic-settings
    costs about 0.2 s to import, and ``policywatch --help`` or a JSON view should not pay it."""
    from core.config import current

    return current()

"""Every ``POLICYWATCH_*`` environment variable, declared once: name, type, default and meaning.

Why one class: the variables used to be read in 13 files, each parsing its own way (a bad
number surfaced as a traceback from deep inside a run). ``Settings`` is the one list. The
README's table is rendered from it (``python -m core.config`` prints the table;
``tests/integration/test_settings.py`` checks the README holds exactly that, and that the code
names no variable this class does not declare). ``current()`` turns a value that does not parse into one
``ConfigError`` line naming the variable.

Values are read when they are needed (``current()`` each time), not at import: the CLI turns its
flags into these variables (``--sources`` sets ``POLICYWATCH_SOURCES``), the demo points them at
its own folder, and tests set them per test. An empty value counts as unset
(``POLICYWATCH_DATABASE_URL=`` gives the default store back).

No module below the CLI reads ``os.environ`` for one of these: the environment is read here,
at the edge, and the values are passed in. That holds in the crawl processes too: they inherit
the environment, their Scrapy settings (``spiders/settings.py``) take ``stats_file``,
``contact_url`` and the like from ``current()``, and ``spiders.crawl_one`` passes a source's
``private_network`` to the resolver as a Scrapy setting (``crawl_private_network`` is its
default).
"""

from __future__ import annotations

import functools
import math
import os
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.health import MAX_INTERVAL
from core.yamlconf import ConfigError

PREFIX = "POLICYWATCH_"

USER = "user"
"""Set by users and operators."""
TESTS = "tests"
"""Read by the test suite and the benchmarks only."""
INTERNAL = "internal"
"""Set by the program for its own child processes, never by hand."""


def _var(default: Any, what: str, shown: str | None = None, group: str = USER) -> Any:
    """A field with its README row: ``what`` it does and the default as ``shown`` to a user."""
    return Field(default, description=what, json_schema_extra={"shown": shown, "group": group})


class Settings(BaseSettings):
    """The environment of one command or flow run, typed (see the module's docstring)."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, extra="ignore", frozen=True)

    # -- where things are
    database_url: str | None = _var(
        None,
        "the store (`postgresql://user@host/db` for PostgreSQL)",
        "`sqlite:///data/policywatch.db`",
    )
    data_dir: Path | None = _var(
        None,
        "the SQLite store, alert files, the demo's own folder (`demo/`) and Prefect's local state "
        "(`prefect/`, unless `PREFECT_HOME` is set)",
        "`data/` at the project root, wherever you run from (an installed package: `./data`)",
    )
    sources: Path | None = _var(None, "the sources file (the `--sources` flag sets it)", "`sources.yaml`")
    rules: Path | None = _var(
        None, "the rules: a `rules.yaml`, or a folder like the shipped `rules/` (`--rules`)", "`rules.yaml`"
    )
    subscriptions: Path | None = _var(
        None,
        "the subscriptions file (`--subscriptions`)",
        "`subscriptions.yaml`, else `subscriptions.example.yaml`",
    )
    base_url: str | None = _var(
        None,
        "what `{base}` stands for in a sources file's URLs (the demo web's address, a staging host); "
        "read by `run`, `serve` and scheduled runs alike",
    )
    home: Path | None = _var(
        None, "the checkout a Prefect worker runs from (`deployments/prefect.yaml`'s pull step)"
    )
    # -- fetching
    fetch_retries: int = _var(2, "retries of transient fetch errors (timeouts, 5xx)")
    fetch_retry_delay: float = _var(5.0, "seconds before the first retry of a transient fetch error", "5 s")
    retry_after_cap: float = _var(
        60.0,
        "a `Retry-After` up to this long (seconds) is waited for within the run; a longer one ends "
        "the fetch, and the source is next polled after it",
        "60 s",
    )
    domain_concurrency: int = _var(
        2,
        "requests at a time to one host (per process, and across processes through the Prefect "
        "limits every served or deployed run creates when missing)",
    )
    slot_wait: float = _var(
        180.0,
        "how long a batch, crawl or article-page fetch waits for its host's Prefect slots held by "
        "other runs (seconds); then it goes on polite within its own process, and its log says so",
        "180 s",
    )
    feeds_per_task: int = _var(
        50, "feeds of one host polled by one Prefect task (a bigger host is split into even batches)"
    )
    crawl_timeout: float = _var(
        900.0, "a crawl (one Scrapy process) running longer (seconds) is stopped and fails", "900 s"
    )
    crawl_fast: bool = _var(
        False,
        "`1`: crawls without Scrapy's politeness delays (loopback tests, the demo; never for real sites)",
        "unset",
    )
    scrapy_log_level: str = _var("INFO", "Scrapy's log level in the crawl processes")
    contact_url: str = _var(
        "https://github.com/ai-policy-watch", "contact URL in the crawler's User-Agent", "project URL"
    )
    # -- polling
    adaptive: bool = _var(
        True, "`0`: served runs poll every source each time, not only those due by their rhythm"
    )
    max_poll_interval: float = _var(
        MAX_INTERVAL.total_seconds(),
        "seconds: adaptive polling's upper bound, every source is polled at least this often (plus "
        "at most one schedule interval); only a server's `Retry-After` may hold a source longer, up "
        "to a day",
        "7200 (2 h)",
    )
    cron_feeds: str | None = _var(
        None,
        "schedule of the served `feeds` deployment (cron), in place of `deployments/prefect.yaml`'s",
        "prefect.yaml's (`*/15 * * * *`)",
    )
    cron_sites: str | None = _var(
        None,
        "schedule of the served `sites` deployment (cron), in place of prefect.yaml's",
        "prefect.yaml's (`7 * * * *`)",
    )
    cron_apis: str | None = _var(
        None,
        "schedule of the served `apis` deployment (cron), in place of prefect.yaml's",
        "prefect.yaml's (`37 * * * *`)",
    )
    every_feeds: float | None = _var(
        None, "seconds between `feeds` runs, in place of the cron (cron cannot go below a minute)"
    )
    every_sites: float | None = _var(None, "seconds between `sites` runs, in place of the cron")
    every_apis: float | None = _var(None, "seconds between `apis` runs, in place of the cron")
    prefect_port: int = _var(
        4200, "port of the local Prefect server `serve` starts (unless `PREFECT_API_URL` is set)"
    )
    # -- processing
    workers: int | None = _var(
        None,
        "processes that classify big batches and parse big feeds; `0` keeps everything in-process",
        "one per core",
    )
    corpus: Path | None = _var(None, "the labelled corpus `train` and `eval` read", "`../shared/corpus/news`")
    # -- alerts
    alert_max_attempts: int = _var(8, "alert retries across runs (exponential backoff)")
    alert_backoff_seconds: float = _var(60.0, "the first retry's delay; each next one doubles", "60 s")
    email_url: str | None = _var(
        None,
        "Apprise URL of the example subscriptions' email channel (any variable a subscriptions file "
        "names in `url_env` works the same)",
    )
    slack_url: str | None = _var(None, "Apprise URL of the example subscriptions' Slack channel")
    eu_asia_webhook_url: str | None = _var(None, "Apprise URL of the example subscriptions' webhook channel")
    # -- the demo
    demo_port: int = _var(
        8765,
        "port of the demo web (`make demo`, `policywatch demo-web`); when it is busy the demo takes "
        "a free port and says so",
    )
    demo_sink: str | None = _var(
        None, "the demo subscriptions' file channel (`pwfile://PATH`)", "the demo's alert file"
    )
    # -- tests and benchmarks
    test_postgres_url: str | None = _var(
        None, "the PostgreSQL server of the PostgreSQL-backed tests", group=TESTS
    )
    require_postgres: str | None = _var(
        None, "`1` fails (not skips) the PostgreSQL-backed tests when the server is unreachable", group=TESTS
    )
    bench_postgres_url: str | None = _var(
        None, "benchmarks: the PostgreSQL server, when `POLICYWATCH_TEST_POSTGRES_URL` is unset", group=TESTS
    )
    e2e_report: Path | None = _var(
        None,
        "`tests/flows/test_real_news_end_to_end.py` also writes its figures to this JSON file",
        group=TESTS,
    )
    # -- set by the program for its child processes
    stats_file: Path | None = _var(None, "a crawl's stats file", group=INTERNAL)
    known_urls: Path | None = _var(None, "a crawl's known URLs", group=INTERNAL)
    crawl_private_network: str | None = _var(
        None,
        "`1`: a crawl may reach private addresses (its source says `private_network: true`)",
        group=INTERNAL,
    )
    bench_under_pyspy: str | None = _var(None, "`1`: a benchmark runs under py-spy", group=INTERNAL)
    e2e_webhook_url: str | None = _var(
        None, "the loopback webhook of the real-news end-to-end test", group=INTERNAL
    )

    @field_validator("max_poll_interval")
    @classmethod
    def _positive_finite(cls, value: float) -> float:
        if not value > 0 or math.isinf(value):
            raise ValueError("expected a number of seconds above 0")
        return value

    @field_validator("workers")
    @classmethod
    def _not_negative(cls, value: int | None) -> int | None:
        return None if value is None else max(0, value)


def env_name(field: str) -> str:
    """``max_poll_interval`` -> ``POLICYWATCH_MAX_POLL_INTERVAL``."""
    return PREFIX + field.upper()


def current() -> Settings:
    """The settings as the environment holds them now. A value that does not parse is a
    ``ConfigError``, one line per variable: ``POLICYWATCH_WORKERS='many': Input should be a
    valid integer...``.

    Building ``Settings`` costs milliseconds (pydantic-settings reads and parses the whole
    environment), and some values are read once per source or per alert: the last build is
    kept for as long as the ``POLICYWATCH_*`` variables stay the same (checking them costs
    microseconds)."""
    return _built(tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith(PREFIX))))


@functools.lru_cache(maxsize=8)
def _built(environment: tuple[tuple[str, str], ...]) -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            raw = os.environ.get(env_name(field), "")
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"{env_name(field)}={raw!r}: {message}")
        raise ConfigError("\n".join(lines)) from None


def markdown_table() -> str:
    """The README's table of variables, one row each, in the order they are declared here."""
    rows = ["| variable | default | what |", "|---|---|---|"]
    for group in (USER, TESTS):
        for name, field in Settings.model_fields.items():
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            if extra.get("group") != group:
                continue
            shown = extra.get("shown")
            if shown is None:
                shown = "unset" if field.default is None else _plain(field.default)
            rows.append(f"| `{env_name(name)}` | {shown} | {field.description} |")
    return "\n".join(rows) + "\n"


def internal_names() -> list[str]:
    """The variables the program sets for its own child processes (named under the table)."""
    return [
        env_name(name)
        for name, field in Settings.model_fields.items()
        if isinstance(field.json_schema_extra, dict) and field.json_schema_extra.get("group") == INTERNAL
    ]


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


if __name__ == "__main__":
    print(markdown_table(), end="")

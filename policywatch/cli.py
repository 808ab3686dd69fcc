"""The `policywatch` command line (typer). Heavy imports (Prefect, trafilatura) stay inside
the commands that need them, so `policywatch --help` and the JSON views start fast.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from core.vocabulary import HealthState

if TYPE_CHECKING:
    from sqlalchemy.orm import Session
from policywatch.terminal import HEADERS, add_column, err, out, plain, print_fitted, print_summary


def _hide_flag_types() -> None:
    """Typer's help prints a type after every option, ``<bool>`` too after a plain flag
    (``--json``, ``--force``, ``--help``), which takes no value: show none for flags.
    tests/flows/test_cli.py checks the help, so a Typer that renames this hook is noticed."""
    from typer.core import TyperOption

    shown = getattr(TyperOption, "display_type_rich", None)
    if shown is None or getattr(shown, "_policywatch", False):
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False) and not getattr(self, "count", False):
            return None
        return shown(self, ctx)

    display_type_rich._policywatch = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_hide_flag_types()
app = typer.Typer(
    help="AI Policy Watch: monitor AI-policy news, find events, alert subscribers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database commands.", no_args_is_help=True)
sources_app = typer.Typer(help="Inspect the configured sources.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(sources_app, name="sources")


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"policywatch {version('ai-policy-watch')}")
        except PackageNotFoundError:  # run from a checkout that was never installed
            print("policywatch (not installed)")
        raise typer.Exit()


@app.callback()
def _main(
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
    sources: Annotated[
        Path | None,
        typer.Option(
            dir_okay=False, help="Else $POLICYWATCH_SOURCES, else ./sources.yaml, else the default."
        ),
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option(
            help="A rules.yaml or rules folder; else $POLICYWATCH_RULES, else ./rules.yaml, else the default."
        ),
    ] = None,
    subscriptions: Annotated[
        Path | None,
        typer.Option(
            dir_okay=False,
            help="Else $POLICYWATCH_SUBSCRIPTIONS, else ./subscriptions.yaml, else the example.",
        ),
    ] = None,
) -> None:
    """AI Policy Watch: monitor AI-policy news, find events, alert subscribers.

    Config files are found in this order: the flag (--sources, --rules, --subscriptions), the
    environment variable, the file in the working directory (`policywatch init` writes them),
    the default shipped with the package."""
    for flag, path, env in (
        ("--sources", sources, "POLICYWATCH_SOURCES"),
        ("--rules", rules, "POLICYWATCH_RULES"),
        ("--subscriptions", subscriptions, "POLICYWATCH_SUBSCRIPTIONS"),
    ):
        if path is None:
            continue
        if not path.is_file():
            err.print(f"[bold red]File not found:[/] {flag} {plain(path)}", highlight=False)
            raise typer.Exit(2)
        os.environ[env] = str(path.resolve())  # the flow, its workers and crawl processes see it too
    from core.config import current

    with friendly_errors():
        current()  # every POLICYWATCH_* variable parses, or the command stops here (exit 2), naming it


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(file_okay=False, help="Where to write them.")] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False,
) -> None:
    """Write editable copies of the default sources.yaml, rules.yaml and subscriptions.yaml.

    Commands run in that directory then use them (unless a flag or environment variable
    names another file)."""
    from core.settings import init_project

    try:
        written, kept = init_project(directory, force=force)
    except OSError as exc:
        err.print(f"[bold red]Cannot write:[/] {plain(exc)}", highlight=False)
        raise typer.Exit(1) from None
    for path in written:
        out.print(f"wrote {plain(path)}", highlight=False)
    for path in kept:
        out.print(f"kept  {plain(path)} (exists; --force overwrites it)", highlight=False)
    where = "" if directory.resolve() == Path.cwd().resolve() else f"cd {plain(directory)} && "
    out.print(
        f"Edit them, then e.g. `{where}policywatch sources list`. The rule cues (rules/cues.yaml) "
        "and the event-type model stay the package's.",
        highlight=False,
        soft_wrap=True,
    )


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Known failures become one readable sentence and an exit code, never a traceback."""
    from core.yamlconf import ConfigError
    from models.db import StoreNotMigrated, StoreUnavailable
    from services.ingest import ImportLineError

    try:
        yield
    except ConfigError as exc:
        err.print(f"[bold red]Configuration error[/]\n{plain(exc)}", highlight=False)
        raise typer.Exit(2) from None
    except ImportLineError as exc:
        err.print(f"[bold red]Input error:[/] {plain(exc)}", highlight=False)
        raise typer.Exit(2) from None
    except StoreNotMigrated as exc:
        err.print(f"[bold red]{plain(exc)}[/]", highlight=False)
        raise typer.Exit(1) from None
    except StoreUnavailable as exc:
        err.print(f"[bold red]Store unavailable:[/] {plain(exc)}", highlight=False)
        raise typer.Exit(1) from None
    except FileNotFoundError as exc:
        err.print(f"[bold red]File not found:[/] {plain(exc.filename)}", highlight=False)
        raise typer.Exit(2) from None
    except Exception as exc:
        from sqlalchemy.exc import OperationalError, ProgrammingError

        if isinstance(exc, OperationalError | ProgrammingError) and (
            "no such table" in str(exc) or "does not exist" in str(exc)
        ):
            err.print("[bold red]The store has no tables yet:[/] run `policywatch db upgrade` first.")
            raise typer.Exit(1) from None
        if isinstance(exc, OperationalError):
            from core.settings import database_url
            from models.db import redact_url

            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            err.print(
                f"[bold red]Store unavailable:[/] cannot use the database at "
                f"{plain(redact_url(database_url()))}: {plain(reason)}",
                highlight=False,
            )
            raise typer.Exit(1) from None
        raise


def _upgrade_quietly() -> None:
    from models.migrate import upgrade

    upgrade()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the store to the latest schema (Alembic)."""
    from core.settings import database_url
    from models.db import redact_url

    with friendly_errors():
        _upgrade_quietly()
    out.print(f"Store is at the latest schema: {plain(redact_url(database_url()))}")


@db_app.command("check")
def db_check() -> None:
    """Fail if the models and the migrations disagree (alembic check)."""
    from models.migrate import check

    with friendly_errors():
        check()
    out.print("Models and migrations agree.")


@app.command()
def classify(
    file: Annotated[Path, typer.Argument(help="JSON lines with id, title, text (url, published).")],
) -> None:
    """Classify JSON lines and print one JSON line per input. Nothing is stored."""
    from core.settings import rules_path
    from pipeline.classify import classify as run_classifier
    from pipeline.intel.rules_loading import load_rules
    from pipeline.process import classified_text
    from services.ingest import read_jsonl

    with friendly_errors():
        rules = load_rules(rules_path())
        for raw in read_jsonl(file):
            result = run_classifier(raw.title, classified_text(raw.body), raw.published, rules)
            row = {
                "id": raw.guid,
                "ai_policy": result.ai_policy,
                "event_type": result.event_type,
                "jurisdictions": result.jurisdictions,
                "topics": result.topics,
                "events": [
                    {
                        "type": e.type,
                        "name": e.name,
                        "date": e.date,
                        "location": e.location,
                        "ordinal": e.ordinal,
                        "status": e.status,
                        "key": e.key,
                        "evidence": e.evidence,
                    }
                    for e in result.events
                ],
                "evidence": result.evidence,
            }
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


def _load_runtime() -> tuple[Any, Any, Any]:
    from alerts.subscriptions import load_subscriptions
    from core.settings import rules_path, subscriptions_path
    from models.db import session_factory
    from pipeline.intel.rules_loading import load_rules

    return session_factory(), load_subscriptions(subscriptions_path()), load_rules(rules_path())


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="JSON lines with id, title, text or html (url, published).")],
    deliver: Annotated[bool, typer.Option(help="Send the alerts this import queues.")] = True,
) -> None:
    """Store JSON lines through the normal path: dedup, classify, events, alerts."""
    from alerts.deliver import deliver_pending
    from core.sources_config import JsonlSource
    from services.ingest import import_items, read_jsonl

    with friendly_errors():
        _upgrade_quietly()
        factory, subs, rules = _load_runtime()
        source = JsonlSource(url=f"file://{file.resolve()}")
        report = import_items(factory, read_jsonl(file), subs, rules, source)
        sent = deliver_pending(factory, subs) if deliver else None
    out.print(
        f"Imported {plain(file)}: {report.items_seen} lines, {report.new_items} new items, "
        f"{report.already_stored} already stored, {report.duplicates} duplicates dropped, "
        f"{report.new_events} new events, {report.alerts_queued} alerts queued"
        + (f", {sent.sent} sent" if sent else ""),
        soft_wrap=True,  # one line: a log or a script greps it
    )


def _print_rows(rows: Iterator[Mapping[str, object]], as_json: bool, columns: list[str], title: str) -> None:
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    table = Table(title=title)
    for col in columns:
        add_column(table, col)
    for row in rows:
        table.add_row(*[_cell(row.get(c)) for c in columns])
    optional = tuple(HEADERS.get(c, c) for c in ("jurisdictions", "source", "channel") if c in columns)
    print_fitted(table, optional, {"title": 24, "name": 16}, "widen the terminal, or add --json")


def _when(value: str | None, missing: str = "") -> str:
    """A stored ISO timestamp as a table shows it: ``2026-11-20 09:30`` (the store keeps UTC)."""
    return (value or missing)[:16].replace("T", " ")


def _ago(value: str | None, missing: str) -> str:
    """A stored ISO timestamp relative to now, one token: ``5h ago``, ``in 20m``, ``now``."""
    from datetime import UTC, datetime

    if not value:
        return missing
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return _when(value)
    seconds = (datetime.now(UTC) - (when if when.tzinfo else when.replace(tzinfo=UTC))).total_seconds()
    size = abs(seconds)
    if size < 60:
        return "now"
    span = next(
        f"{int(size // unit)}{name}" for unit, name in ((86400, "d"), (3600, "h"), (60, "m")) if size >= unit
    )
    return f"{span} ago" if seconds > 0 else f"in {span}"


def _cell(value: Any) -> str:
    """A table cell: stored text is the web's, so it is cut, then made inert (``plain``)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return plain(", ".join(str(v) for v in value))
    text = str(value)
    if _ISO_TIME.match(text):
        return text[:10]  # the day; --json has the time
    return plain(text if len(text) <= 90 else text[:87] + "...")


_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def _view(
    fn: Callable[[Session], Iterator[Mapping[str, object]]], as_json: bool, columns: list[str], title: str
) -> None:
    from models.db import check_connection, get_engine, session_factory

    with friendly_errors():
        check_connection(get_engine())
        with session_factory()() as session:
            _print_rows(fn(session), as_json, columns, title)


JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON object per line.")]


@app.command()
def items(as_json: JsonOpt = False) -> None:
    """List stored items."""
    from services.views import item_rows

    _view(item_rows, as_json, ["id", "source", "published", "event_type", "jurisdictions", "title"], "Items")


@app.command()
def events(as_json: JsonOpt = False) -> None:
    """List stored events with the items that reported them."""
    from services.views import event_rows

    _view(event_rows, as_json, ["id", "type", "name", "date", "location", "status", "item_ids"], "Events")


@app.command()
def alerts(as_json: JsonOpt = False) -> None:
    """List the alert outbox: what was queued, sent, retried or given up."""
    from services.views import alert_rows

    _view(
        alert_rows,
        as_json,
        ["id", "subscriber", "event_id", "channel", "status", "attempts", "last_error"],
        "Alerts",
    )


@app.command()
def deliver() -> None:
    """Send the pending alerts now (the monitor flow does this at the end of every run)."""
    from alerts.deliver import deliver_pending

    with friendly_errors():
        factory, subs, _rules = _load_runtime()
        report = deliver_pending(factory, subs)
    out.print(f"alerts sent: {report.sent}, retrying: {report.retrying}, failed: {report.failed}")
    for line in report.errors:
        err.print(f"  {plain(line)}", highlight=False)


def _prefect_env() -> None:
    """Prefect's settings for our commands; its state (the local server's database) lives in the
    data directory beside the store, not in ~/.prefect, unless PREFECT_HOME says otherwise."""
    from core.settings import data_dir

    os.environ.setdefault("PREFECT_HOME", str(data_dir() / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # The temporary server `run` and `demo` start logs its own teardown as errors with a traceback
    # (a task-run event flush cancelled as it stops): Prefect's noise, not the run's outcome. The
    # run's own lines are unaffected; set a lower level to see the server's log.
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")


class FailOn(StrEnum):
    any = "any"
    all = "all"
    never = "never"


def run_exit_code(totals: dict[str, Any], fail_on: FailOn) -> int:
    """1 when the run failed by the ``--fail-on`` rule: a scheduler sees a broken source."""
    failed, polled = totals.get("failed_sources", 0), totals.get("sources_polled", 0)
    if fail_on is FailOn.any:
        return 1 if failed else 0
    if fail_on is FailOn.all:
        return 1 if polled and failed == polled else 0
    return 0


def _check_selection(configured: list[Any], only: list[str] | None, tier: str | None) -> None:
    """An --only or --tier that selects nothing is a mistake, not an empty run: name the valid values."""
    ids = sorted(s.id for s in configured)
    unknown = [o for o in only or [] if o not in ids]
    if unknown:
        raise typer.BadParameter(
            f"unknown source id {', '.join(unknown)}; valid: {', '.join(ids)}", param_hint="--only"
        )
    tiers = sorted({s.tier for s in configured})
    if tier is not None and tier not in tiers:
        raise typer.BadParameter(f"unknown tier {tier!r}; valid: {', '.join(tiers)}", param_hint="--tier")


@contextmanager
def _stopped_exits() -> Iterator[None]:
    """A run or a server stopped by Ctrl-C or SIGTERM exits 130 or 143, as a shell would say, without
    a traceback (``core.shutdown`` has already said it is stopping)."""
    import signal

    try:
        yield
    except KeyboardInterrupt:
        from core import shutdown

        # the watchdog ends the process if the exit itself lingers (Prefect's clean-up)
        raise typer.Exit(128 + (shutdown.stop_signal or int(signal.SIGINT))) from None


@app.command()
def run(
    sources: Annotated[Path | None, typer.Option(help="Sources file (default: sources.yaml).")] = None,
    only: Annotated[list[str] | None, typer.Option(help="Poll only this source id (repeatable).")] = None,
    tier: Annotated[str | None, typer.Option(help="Poll only sources of this tier.")] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option(help="Exit 1 when any source failed, only when all polled sources failed, or never."),
    ] = FailOn.any,
    adaptive: Annotated[
        bool,
        typer.Option(
            help="Poll only the sources that are due (as scheduled runs do); say when the rest are due."
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Run the Prefect `monitor` flow once over the configured sources.

    Exit codes: 0 all is well; 1 sources failed (by --fail-on) or the store is unreachable;
    2 bad configuration or an unknown --only / --tier. (The flow run itself ends Failed in
    Prefect whenever a source failed, whatever --fail-on says.)"""
    _prefect_env()
    from core import shutdown

    shutdown.install_handlers()  # Ctrl-C / SIGTERM: out within seconds, the store consistent
    with friendly_errors(), _stopped_exits():
        from core.config import current
        from core.settings import max_poll_interval
        from flows.monitor import load_inputs, run_monitor
        from services.run_summary import not_due_line

        base_url = current().base_url  # {base} in the sources file, as `serve` reads it
        # read before any fetch: a mistake is a configuration error
        configured, _subs, _rules = load_inputs(str(sources) if sources else None, base_url)
        _check_selection(configured, only, tier)
        max_poll_interval()  # a bad POLICYWATCH_MAX_POLL_INTERVAL is a configuration error, before any fetch
        _upgrade_quietly()
        summary = run_monitor(
            sources_file=str(sources) if sources else None,
            base_url=base_url,
            only=only,
            tier=tier,
            adaptive=adaptive,
        )
    if as_json:
        sys.stdout.write(json.dumps(summary) + "\n")
    else:
        print_summary(summary, "Monitor run")
        if summary.get("not_due"):
            out.print(plain(not_due_line(summary)), highlight=False)
    code = run_exit_code(summary["totals"], fail_on)
    if code:
        failed = summary["totals"].get("failed_sources", 0)
        err.print(f"{failed} of {summary['totals'].get('sources_polled', 0)} sources failed (exit {code}).")
        raise typer.Exit(code)


@app.command()
def serve() -> None:
    """Start a local Prefect server and serve the scheduled deployments (Ctrl-C stops both)."""
    from core.settings import data_dir

    os.environ.setdefault("PREFECT_HOME", str(data_dir() / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # run logs stay at INFO for the UI
    from core import shutdown
    from deployments.serve import main

    with friendly_errors():
        _upgrade_quietly()  # a fresh data folder or database gets its tables, as `run` does
        main()
    if shutdown.stopping():  # stopped by Ctrl-C or SIGTERM, cleanly: runs ended, server stopped
        shutdown.hard_exit(0)


@app.command()
def demo(
    keep_serving: Annotated[bool, typer.Option(help="Leave the demo web running until Ctrl-C.")] = False,
) -> None:
    """Offline end-to-end demo: a loopback 'demo web', two monitor runs, alerts to a local file."""
    _prefect_env()
    from policywatch.demo import run_demo

    with friendly_errors():
        run_demo(out, keep_serving=keep_serving)


@app.command("demo-web")
def demo_web(
    port: Annotated[
        int | None, typer.Option(help="Port (default: POLICYWATCH_DEMO_PORT, else 8765; 0: any free port).")
    ] = None,
) -> None:
    """Serve the bundled demo web on loopback until Ctrl-C, nothing else: point `run` or `serve` at it
    with POLICYWATCH_BASE_URL and the demo's sources file."""
    import contextlib
    import threading

    from core.config import current
    from policywatch.demo import DEMO_DIR, start_demo_web

    wanted = port if port is not None else current().demo_port
    web, moved = start_demo_web(wanted)
    with web:
        out.print(
            f"Demo web (offline, bundled) serving on {web.base_url}{moved} — Ctrl-C to stop.",
            highlight=False,
            soft_wrap=True,  # one line: a script reads the address from it
        )
        use = f"POLICYWATCH_BASE_URL={web.base_url} policywatch run --sources {DEMO_DIR / 'sources.yaml'}"
        out.print(
            f"Use it: {use}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


@sources_app.command("list")
def sources_list(
    sources: Annotated[Path | None, typer.Option(help="Sources file (default: sources.yaml).")] = None,
) -> None:
    """Every configured source with its kind, tier, fixture (real capture or synthetic, with the
    reason) and health (from the store, when known)."""
    from core.settings import sources_path
    from core.sources_config import load_sources
    from pipeline.urls import mask_secrets
    from services.lookups import stored_source_states

    with friendly_errors():
        configured = load_sources(sources or sources_path(), base_url="http://127.0.0.1")
        state = stored_source_states()  # {} without a store: every source "never polled"
    table = Table(title="Sources")
    for col in ("id", "kind", "tier", "enabled", "fixture", "health", "last polled", "url"):
        add_column(table, col)
    for src in configured:
        st = state.get(src.id)
        if st is None:
            health = "never polled"
        elif st.consecutive_failures:
            health = f"failing x{st.consecutive_failures}: {plain((st.last_error or '')[:60])}"
        else:
            health = HealthState.OK
        polled = _ago(st.last_polled_at.isoformat(), "") if st and st.last_polled_at else ""
        table.add_row(
            plain(src.id),
            src.kind,
            src.tier,
            "yes" if src.enabled else "no",
            src.fixture_origin,
            health,
            polled,
            plain(mask_secrets(src.url)),
        )
    print_fitted(table, ("fixture", "enabled", "last polled"), {"url": 24}, "widen the terminal")
    synthetic = [src for src in configured if src.synthetic]
    if synthetic:
        out.print("Synthetic fixtures (written by us, not captured from the site):", highlight=False)
        for src in synthetic:
            out.print(
                f"  {plain(src.id)}: {plain(src.synthetic_reason or '')}", highlight=False, soft_wrap=True
            )


@app.command()
def feed(
    subscriber: Annotated[str, typer.Argument(help="A subscriber name from the subscriptions file.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many events.")] = 100,
) -> None:
    """Write an Atom feed of the events that match SUBSCRIBER, for a feed reader."""
    from alerts.feed import subscriber_feed
    from alerts.subscriptions import load_subscriptions
    from core.settings import subscriptions_path
    from models.db import check_connection, get_engine, session_factory

    with friendly_errors():
        subs = load_subscriptions(subscriptions_path())
        sub = subs.subscriber(subscriber)
        if sub is None:
            err.print(
                f"No subscriber {plain(repr(subscriber))} in {plain(subs.path)} (have: "
                f"{plain(', '.join(s.name for s in subs.subscribers))}).",
                highlight=False,
            )
            raise typer.Exit(2)
        check_connection(get_engine())
        with session_factory()() as session:
            xml = subscriber_feed(session, sub, limit=limit)
    if output:
        tmp = output.with_suffix(output.suffix + ".tmp")
        tmp.write_bytes(xml)
        tmp.replace(output)  # atomic: a feed reader never sees half a file
        out.print(f"wrote {plain(output)}", highlight=False)
    else:
        sys.stdout.buffer.write(xml)


@app.command()
def digest() -> None:
    """Send the digests that are due now (the monitor flow does this at the end of every run)."""
    from alerts.digest import deliver_digests

    with friendly_errors():
        factory, subs, _rules = _load_runtime()
        digesters = [s.name for s in subs.subscribers if s.mode == "digest"]
        if not digesters:
            out.print(
                "No subscriber has digests (mode: digest in the subscriptions file): nothing to send.",
                soft_wrap=True,
            )
            return
        report = deliver_digests(factory, subs)
    out.print(
        f"digests sent: {report.sent} ({report.alerts} events), empty periods closed: {report.empty}, "
        f"failed: {report.failed} (subscribers with digests: {plain(', '.join(digesters))})",
        soft_wrap=True,
    )
    for line in report.errors:
        err.print(f"  {plain(line)}", highlight=False)


@app.command()
def reclassify(
    alert: Annotated[
        bool, typer.Option("--alert", help="Also alert on events the new rules find in old items.")
    ] = False,
    show: Annotated[int, typer.Option(help="List at most this many changed items.")] = 20,
) -> None:
    """Replay rules.yaml over every stored item (after editing the rules). Old events never re-alert."""
    from alerts.deliver import deliver_pending
    from core.settings import sources_path
    from core.sources_config import load_sources
    from services.reclassify import reclassify as run_reclassify

    with friendly_errors():
        factory, subs, rules = _load_runtime()
        # The publishers' jurisdictions: a broken sources file stops here with its one-line error
        # (it used to be swallowed, and reclassify silently dropped every implied jurisdiction).
        sources = load_sources(sources_path(), base_url="http://127.0.0.1")
        implied = {s.id: s.jurisdictions for s in sources}
        report = run_reclassify(factory, rules, subs, alert=alert, implied=implied)
        sent = deliver_pending(factory, subs).sent if alert else 0
    out.print(
        f"Reclassified {report.items} items: {report.changed} changed, {report.new_events} new events, "
        f"{report.removed_events} events no longer mentioned removed, {report.alerts_queued} alerts queued"
        + (f", {sent} sent" if alert else " (use --alert to alert on the new events)")
    )
    for line in report.changes[:show]:
        out.print(f"  {plain(line)}", highlight=False)


@app.command()
def explain(item_id: Annotated[int, typer.Argument(help="Item id (see `policywatch items`).")]) -> None:
    """Why an item was classified as it was: labels, events, matched rules and evidence."""
    from services.lookups import explain_item

    with friendly_errors():
        found = explain_item(item_id)
        if found is None:
            err.print(f"No item with id {item_id}.")
            raise typer.Exit(1)
    item, labels, events = found.item, found.labels, found.events
    out.print(f"[bold]Item {item.id}[/]: {plain(item.title)}", highlight=False)
    out.print(
        f"{plain(item.url)}  (source {plain(item.source_id)}, published {item.published or 'unknown'})",
        highlight=False,
    )
    out.print(
        f"ai_policy: {item.ai_policy}   primary event type: {plain(item.event_type)}   "
        f"jurisdictions: {plain(', '.join(item.jurisdictions)) or '-'}   "
        f"topics: {plain(', '.join(item.topics)) or '-'}"
    )
    if item.evidence:
        out.print(f'primary evidence: "{plain(item.evidence)}"', highlight=False)
    table = Table(title="Labels (rule -> evidence)")
    for col in ("kind", "value", "rule", "evidence"):
        table.add_column(col, overflow="fold")
    for lb in labels:
        table.add_row(*map(plain, (lb.kind, lb.value, lb.rule, lb.evidence)))
    out.print(table)
    etable = Table(title="Events")
    for col in ("id", "type", "name", "ordinal", "date", "location", "status", "key", "evidence"):
        etable.add_column(col, overflow="fold")
    for ev in events:
        cells = (ev.id, ev.type, ev.name, ev.ordinal or "", ev.date, ev.location, ev.status, ev.key)
        etable.add_row(*map(plain, (*cells, ev.evidence)))
    out.print(etable)


@app.command("eval")
def eval_(
    file: Annotated[Path, typer.Argument(help="Labelled JSON lines (the corpus's news.jsonl, or your own).")],
    split: Annotated[
        str | None, typer.Option(help="Only items of this split (train, dev, test) when the file has one.")
    ] = None,
    pairs: Annotated[
        Path | None,
        typer.Option(help="Labelled pairs for identity figures (default: pairs.jsonl beside FILE)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Score the classifier on labelled items: per-class P/R/F1, macro-F1, confusion, by language
    and shape, slots, identity on pairs, and the keyword baseline beside it."""
    from core.settings import rules_path
    from core.yamlconf import ConfigError
    from pipeline.classify import classify as run_classifier
    from pipeline.intel.corpus import published_date, read_labelled
    from pipeline.intel.report import Scored, read_pairs, render_report, report
    from pipeline.intel.rules_loading import load_rules

    with friendly_errors():
        if not file.is_file():
            raise ConfigError(f"{file}: file not found")
        rules = load_rules(rules_path())
        items = read_labelled(file, split)
        if not items:
            raise ConfigError(f"{file}: no labelled items" + (f" in split {split!r}" if split else ""))
        scored = [Scored(i, run_classifier(i.title, i.text, published_date(i), rules)) for i in items]
        pairs_file = pairs or file.with_name("pairs.jsonl")
        rep = report(scored, read_pairs(pairs_file) if pairs_file.is_file() else [])
    if as_json:
        sys.stdout.write(json.dumps(rep) + "\n")
    else:
        out.print(render_report(rep), highlight=False, markup=False)


@app.command()
def train(
    corpus: Annotated[
        Path | None, typer.Option(help="news.jsonl of the labelled corpus (default ../shared/corpus/news).")
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Where to write the model.")] = None,
    leave_series_out: Annotated[
        bool,
        typer.Option(
            "--leave-series-out",
            help="Write nothing: hold out whole series of train, fit on the rest, score them.",
        ),
    ] = False,
) -> None:
    """Fit the event-type model on the corpus's train split (reproducible) and write it."""
    from core.yamlconf import ConfigError
    from pipeline.intel.corpus import news_path
    from pipeline.intel.model import save_model
    from pipeline.intel.train import train as fit_model

    with friendly_errors():
        news = corpus or news_path()
        if news is None or not news.is_file():
            where = news or "../shared/corpus/news/news.jsonl"
            raise ConfigError(f"{where}: corpus not found (set POLICYWATCH_CORPUS or --corpus)")
        if leave_series_out:
            from pipeline.intel.heldout import leave_series_out as heldout
            from pipeline.intel.heldout import render_heldout

            out.print(render_heldout(heldout(news)), highlight=False, markup=False, soft_wrap=True)
            return
        trained = fit_model(news)
        path = save_model(trained.model, output)
    out.print(
        f"trained on {trained.n_items} items, {len(trained.model.weights)} features -> {path}",
        highlight=False,
    )


class ScaffoldFormat(StrEnum):
    html = "html"
    json = "json"
    xml = "xml"


@app.command("new-source")
def new_source(
    source_id: Annotated[str, typer.Argument(help="The new source's id (lower-case, dashes).")],
    url: Annotated[str, typer.Argument(help="The page or API the spider starts from.")],
    kind: Annotated[
        str, typer.Option(help="Only `spider` needs code; other kinds are declared in sources.yaml.")
    ] = ("spider"),
    response_format: Annotated[
        ScaffoldFormat,
        typer.Option("--format", help="What the URL answers: an HTML page, a JSON API or an XML document."),
    ] = ScaffoldFormat.html,
) -> None:
    """Scaffold a site spider: its module, its fixture, its sources.yaml entry and an EXPECTED row
    of tests/integration/test_shipped_sources.py that fails until it is filled in."""
    from urllib.parse import urlsplit

    from core.settings import PROJECT_ROOT, is_checkout
    from spiders.scaffold import new_source as scaffold

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        err.print(
            f"[bold red]Cannot scaffold:[/] URL {plain(repr(url))} is not an http(s) URL with a host "
            "(e.g. https://example.org/news)",
            highlight=False,
        )
        raise typer.Exit(2)
    if not is_checkout():
        err.print(
            "[bold red]Cannot scaffold:[/] new-source writes a spider, a fixture and a test into a "
            "checkout of the project; this policywatch is installed. "
            "Run it in a clone (after `make install`).",
            highlight=False,
        )
        raise typer.Exit(2)
    if kind != "spider":
        err.print(
            f"kind {plain(repr(kind))} needs no code: declare it in sources.yaml "
            "(see README, 'Add a source').",
            highlight=False,
        )
        raise typer.Exit(2)
    try:
        written = scaffold(source_id, url, PROJECT_ROOT, response_format.value)
    except (ValueError, OSError) as exc:
        err.print(f"[bold red]Cannot scaffold:[/] {plain(exc)}", highlight=False)
        raise typer.Exit(2) from None
    for path, verb in zip(written, ("wrote", "wrote", "added to", "added to"), strict=True):
        out.print(f"{verb} {plain(path.relative_to(PROJECT_ROOT))}", highlight=False, soft_wrap=True)
    sid = plain(source_id)
    fixture = plain(written[1].relative_to(PROJECT_ROOT))
    module = plain(written[0].relative_to(PROJECT_ROOT))
    out.print(
        "Next (README, 'Add a source'):\n"
        f"  1. write {fixture} by hand in the site's format, a few items (never a copy of the live page);\n"
        f"  2. fill in {module}: why it needs code, parse(), the exact @returns counts;\n"
        f"  3. fill in the TODOs of its sources.yaml entry;\n"
        f"  4. .venv/bin/policywatch sources dry-run {sid} --fixture {fixture} --format expected\n"
        "     and paste what it prints over its row of EXPECTED in\n"
        "     tests/integration/test_shipped_sources.py;\n"
        f"  5. .venv/bin/pytest tests/integration/test_shipped_sources.py -k {sid}"
        f" && .venv/bin/scrapy check {sid}",
        highlight=False,
        soft_wrap=True,
    )


@sources_app.command("health")
def sources_health(as_json: JsonOpt = False) -> None:
    """Per source: health, consecutive failures, last success, last new item, rhythm, next poll."""
    from core.settings import subscriptions_path
    from models.db import check_connection, get_engine, session_factory
    from services.operators import refresh_health
    from services.views import source_health_rows

    with friendly_errors():
        from alerts.subscriptions import load_subscriptions

        failing_runs = load_subscriptions(subscriptions_path()).failing_runs
        check_connection(get_engine())
        with session_factory().begin() as session:
            refresh_health(session, failing_runs)
            data = list(source_health_rows(session))
    if as_json:
        for row in data:
            sys.stdout.write(json.dumps(row) + "\n")
        return
    table = Table(title="Source health")
    for col in ("source", "health", "last ok", "last new", "rhythm", "next poll"):
        add_column(table, col)
    colour: dict[str, str] = {
        HealthState.OK: "green",
        HealthState.FAILING: "red",
        HealthState.SILENT: "yellow",
    }
    for row in data:
        failures = row["consecutive_failures"]
        health = plain(row["health"]) + (f" x{failures}" if failures else "")
        table.add_row(
            plain(row["source"]),
            f"[{colour.get(row['health'], 'white')}]{health}[/]",
            _ago(row["last_success"], "never"),
            _ago(row["last_new_item"], "never"),
            plain(row["rhythm"] or "unknown"),
            _ago(row["next_poll"], "now"),
        )
    out.print(table)
    for row in data:  # whole, below the table: an error cut to a column's width hides its cause
        if row["last_error"]:
            out.print(f"{plain(row['source'])}: {plain(row['last_error'])}", highlight=False, soft_wrap=True)


class DryRunFormat(StrEnum):
    table = "table"
    expected = "expected"
    json = "json"


@sources_app.command("dry-run")
def sources_dry_run(
    source_id: Annotated[str, typer.Argument(help="A source id from sources.yaml.")],
    fixture: Annotated[Path | None, typer.Option(help="Read this stored file instead of fetching.")] = None,
    sources: Annotated[Path | None, typer.Option(help="Sources file (default: sources.yaml).")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many items (table only).")] = 20,
    output_format: Annotated[
        DryRunFormat,
        typer.Option(
            "--format",
            help="table: for reading; expected: the EXPECTED entry of "
            "tests/integration/test_shipped_sources.py, "
            "ready to paste (every item, UTC dates); json: one JSON object per item.",
        ),
    ] = DryRunFormat.table,
) -> None:
    """Fetch one source (or read a stored fixture) and print what would be extracted. Stores nothing.

    Items dropped by the source's include/exclude filters are counted, by filter. Exit codes:
    0 done; 1 the source could not be fetched (network or HTTP error); 2 bad configuration."""
    from core.settings import sources_path
    from services.dryrun import FetchFailed, dry_run, expected_entry

    with friendly_errors():
        try:
            result = dry_run(source_id, sources or sources_path(), fixture)
        except FetchFailed as exc:
            err.print(f"[bold red]{exc.label}:[/] {plain(exc)}", highlight=False)
            raise typer.Exit(1) from None
    if output_format is DryRunFormat.expected:
        sys.stdout.write(expected_entry(source_id, result.items, result.dropped))
        return
    if output_format is DryRunFormat.json:
        for row in result.rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        for line in result.filter_lines():
            err.print(plain(line), highlight=False)
        return
    rows = result.rows
    table = Table(title=f"{plain(source_id)}: {len(rows)} item(s) (nothing stored)")
    for col in ("published", "event_type", "title", "url"):
        table.add_column(col, overflow="fold")
    for row in rows[:limit]:
        table.add_row(*map(plain, (row["published"], row["event_type"], row["title"], row["url"])))
    out.print(table)
    for line in result.filter_lines():
        out.print(f"filters: {plain(line)}", highlight=False)


if __name__ == "__main__":
    app()

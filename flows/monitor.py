"""The `monitor` flow: poll every enabled source, store what is new, queue and send alerts.

Thin orchestration only: each task calls a plain function from ``policywatch.ingest`` or
``alerts.deliver``. Fetch tasks retry transient failures (timeouts, 5xx) with backoff and
jitter; permanent ones (404, not a feed) fail at once. A failing source fails its own task
and is named in the run summary; the flow still completes for the others.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.concurrency.sync import concurrency
from prefect.futures import PrefectFuture, as_completed
from prefect.states import State
from sqlalchemy import select

from alerts.deliver import DeliveryReport, deliver_pending
from alerts.digest import DigestReport, deliver_digests
from alerts.outbox import queue_overdue
from alerts.subscriptions import Subscriptions, load_subscriptions
from models.base import utcnow
from models.db import check_connection, get_engine, session_factory
from models.tables import Source as SourceRow
from pipeline.fetch import FetchError, FetchResult
from pipeline.rules import Rules, load_rules
from policywatch import settings
from policywatch.expected import mark_overdue
from policywatch.ingest import (
    SourceReport,
    crawl_state,
    fetch_error_report,
    fetch_feed,
    ingest_crawl_result,
    ingest_feed_response,
)
from policywatch.operators import notify_operators
from policywatch.sources_config import FeedSource, Source, load_sources
from policywatch.views import source_health_rows


@dataclass(slots=True)
class RunSummary:
    """What one monitor run did: printed by the CLI and published as Prefect artifacts."""

    sources: list[SourceReport] = field(default_factory=list)
    alerts: DeliveryReport = field(default_factory=DeliveryReport)
    not_due: list[str] = field(default_factory=list)
    overdue_events: list[int] = field(default_factory=list)
    health_notices: list[str] = field(default_factory=list)
    digests: DigestReport = field(default_factory=DigestReport)

    @property
    def totals(self) -> dict[str, int]:
        return {
            "sources_polled": len(self.sources),
            "not_modified": sum(1 for s in self.sources if s.status == "not_modified"),
            "failed_sources": sum(1 for s in self.sources if s.status == "failed"),
            "items_seen": sum(s.items_seen for s in self.sources),
            "new_items": sum(s.new_items for s in self.sources),
            "duplicates_dropped": sum(s.duplicates for s in self.sources),
            "new_events": sum(s.new_events for s in self.sources),
            "overdue_events": len(self.overdue_events),
            "alerts_queued": sum(s.alerts_queued for s in self.sources),
            "alerts_sent": self.alerts.sent,
            "alerts_failed": self.alerts.failed,
            "alerts_retrying": self.alerts.retrying,
            "digests_sent": self.digests.sent,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "totals": self.totals,
            "sources": [s.as_dict() for s in self.sources],
            "alert_errors": self.alerts.errors + self.digests.errors,
            "not_due": self.not_due,
            "health_notices": self.health_notices,
        }


def _retryable(task_: Any, task_run: Any, state: State[Any]) -> bool:
    """Retry only what a retry can fix: network trouble and 5xx, never a 404 or a bad document."""
    try:
        state.result()
    except FetchError as exc:
        return exc.transient
    except Exception:
        return False
    return False


def domain_limit(url: str) -> str:
    """The global concurrency limit shared by every task that touches one site, whatever the
    deployment: two deployments never hammer one host. `policywatch serve` creates the limits
    (POLICYWATCH_DOMAIN_CONCURRENCY slots each)."""
    return "domain:" + (urlsplit(url).hostname or "unknown")


def domain_slots() -> int:
    return int(os.environ.get("POLICYWATCH_DOMAIN_CONCURRENCY", "2"))


_HOST_SLOTS: dict[str, threading.BoundedSemaphore] = {}
_HOST_SLOTS_LOCK = threading.Lock()


def _host_semaphore(name: str) -> threading.BoundedSemaphore:
    with _HOST_SLOTS_LOCK:
        if name not in _HOST_SLOTS:
            _HOST_SLOTS[name] = threading.BoundedSemaphore(domain_slots())
        return _HOST_SLOTS[name]


@contextmanager
def polite(url: str, shared_limits: frozenset[str]) -> Iterator[None]:
    """At most POLICYWATCH_DOMAIN_CONCURRENCY requests to one host at a time.

    In this process a semaphore per host does it for free. Across processes (several workers,
    several deployments) the host's Prefect global limit does it too, but only where that limit
    exists (``existing_limits``, read once per run): acquiring a limit that does not exist cost
    an API round trip and a warning per fetch, and was 90% of a run's time."""
    name = domain_limit(url)
    with _host_semaphore(name):
        if name in shared_limits:
            with concurrency(name, occupy=1, strict=False):
                yield
        else:
            yield


def existing_limits() -> frozenset[str]:
    """Names of the global concurrency limits the Prefect API knows (one call per run)."""
    try:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            return frozenset(limit.name for limit in client.read_global_concurrency_limits(limit=1000))
    except Exception:  # no API, an old server: politeness stays in-process
        return frozenset()


RETRY_AFTER_CAP = float(os.environ.get("POLICYWATCH_RETRY_AFTER_CAP", "60"))


def _retries() -> int:
    return int(os.environ.get("POLICYWATCH_FETCH_RETRIES", "2"))


def _retry_delays() -> list[float]:
    base = float(os.environ.get("POLICYWATCH_FETCH_RETRY_DELAY", "5"))
    return [base, base * 4, base * 16]


@task(
    name="fetch-feed",
    task_run_name="fetch {source.id}",
    cache_policy=NO_CACHE,
    retry_jitter_factor=0.5,
    retry_condition_fn=_retryable,
)
def fetch_feed_task(source: FeedSource, shared_limits: frozenset[str] = frozenset()) -> FetchResult:
    try:
        with polite(source.url, shared_limits):
            return fetch_feed(session_factory(), source)
    except FetchError as exc:
        if exc.transient and exc.retry_after:
            if exc.retry_after > RETRY_AFTER_CAP:
                # Waiting that long would hold the whole run: try again on a later run instead.
                raise FetchError(
                    f"{exc}; not retried in this run",
                    transient=False,
                    status=exc.status,
                    retry_after=exc.retry_after,
                ) from None
            # The server asked for a pause: make the task's own retry delay at least that long.
            time.sleep(max(0.0, exc.retry_after - _retry_delays()[0]))
        raise


@task(name="store-feed", task_run_name="store {source.id}", cache_policy=NO_CACHE)
def store_feed_task(
    source: FeedSource, result: FetchResult, subs: Subscriptions, rules: Rules
) -> SourceReport:
    return ingest_feed_response(session_factory(), source, result, subs, rules)


class CrawlFailed(Exception):
    """A crawl that ended badly (crash, timeout, errors and nothing scraped)."""


@task(name="crawl-source", task_run_name="crawl {source.id}", cache_policy=NO_CACHE, retry_jitter_factor=0.5)
def crawl_task(
    source: Source, sources_file: str, base_url: str | None, shared_limits: frozenset[str] = frozenset()
) -> tuple[list[Any], list[str], str | None]:
    """One crawl in its own OS process (Twisted cannot restart in ours); items come back as data."""
    from spiders.runner import crawl

    known, newest = crawl_state(session_factory(), source)
    with polite(source.url, shared_limits):
        result = crawl(
            source.id,
            sources_path=Path(sources_file),
            base_url=base_url,
            known_urls=known,
            after=newest if source.kind == "wordpress" else None,
            timeout=float(os.environ.get("POLICYWATCH_CRAWL_TIMEOUT", "900")),
            fast=os.environ.get("POLICYWATCH_CRAWL_FAST") == "1",
        )
    reason = result.failed_reason()
    if reason:
        raise CrawlFailed(f"crawl failed: {reason}")
    return result.items, result.errors, result.finish_reason


@task(name="store-crawl", task_run_name="store {source.id}", cache_policy=NO_CACHE)
def store_crawl_task(
    source: Source, crawled: tuple[list[Any], list[str], str | None], subs: Subscriptions, rules: Rules
) -> SourceReport:
    items, errors, finish_reason = crawled
    return ingest_crawl_result(session_factory(), source, items, errors, finish_reason, subs, rules)


@task(name="source-health", cache_policy=NO_CACHE)
def health_task(subs: Subscriptions) -> list[str]:
    """Tell operators about sources that started failing, went silent, or recovered (once each)."""
    return notify_operators(session_factory(), subs)


def due_sources(factory: Any, source_ids: list[str]) -> set[str]:
    """Sources whose adaptive next-poll time has come (or that were never polled)."""
    now = utcnow()
    with factory() as session:
        not_due = set(
            session.scalars(
                select(SourceRow.id).where(SourceRow.id.in_(source_ids), SourceRow.next_poll_at > now)
            )
        )
    return set(source_ids) - not_due


def health_rows() -> list[dict[str, Any]]:
    with session_factory()() as session:
        return [
            {k: ("" if v is None else v) for k, v in row.items()}
            | {"last_error": (row["last_error"] or "")[:160]}
            for row in source_health_rows(session)
        ]


def publish_artifacts(summary: RunSummary, tier: str | None) -> None:
    """Markdown summary + per-source table + health table, keyed per deployment tier so the
    latest of each is one click away in the Prefect UI (Artifacts → key)."""
    scope = tier or "all"
    create_markdown_artifact(
        markdown=summary_markdown(summary), key=f"monitor-{scope}-summary", description="Monitor run summary"
    )
    create_table_artifact(
        table=[
            {  # what an operator scans first comes first: which source, did it work, and why not
                "source": s.source_id,
                "status": s.status,
                "error": s.error or "",
                "http": s.http_status or "",
                "new_items": s.new_items,
                "duplicates": s.duplicates,
                "new_events": s.new_events,
                "alerts_queued": s.alerts_queued,
                "items_seen": s.items_seen,
                "already_stored": s.already_stored,
                "bytes": s.bytes,
                "kind": s.kind,
            }
            for s in summary.sources
        ]
        or [{"source": "(none)", "status": "no source due"}],
        key=f"monitor-{scope}-sources",
        description="Per-source results of this run",
    )
    create_table_artifact(
        table=health_rows() or [{"source": "(none)"}],
        key="source-health",
        description="Health of every source: failures, last success, last new item",
    )


@task(name="record-failure", cache_policy=NO_CACHE)
def record_failure_task(source: Source, error: str, retry_after: float | None = None) -> None:
    from policywatch.ingest import record_failure

    record_failure(session_factory(), source, error, retry_after=retry_after)


@task(name="expected-events", cache_policy=NO_CACHE)
def expected_task(subs: Subscriptions) -> list[int]:
    """Expected events whose date passed with no report become overdue, and are told once."""
    with session_factory().begin() as session:
        overdue = mark_overdue(session)
        queue_overdue(session, overdue, subs)
    return overdue


@task(name="deliver-alerts", cache_policy=NO_CACHE)
def deliver_task(subs: Subscriptions) -> DeliveryReport:
    return deliver_pending(session_factory(), subs)


@task(name="deliver-digests", cache_policy=NO_CACHE)
def digest_task(subs: Subscriptions) -> DigestReport:
    return deliver_digests(session_factory(), subs)


def new_events_markdown(summary: RunSummary) -> list[str]:
    """The run's new events, newest news first: what the subscribers are about to hear."""
    ids = [eid for s in summary.sources for eid in s.new_event_ids]
    if not ids:
        return []
    from models.tables import Event

    with session_factory()() as session:
        events = session.scalars(select(Event).where(Event.id.in_(ids)).order_by(Event.id)).all()
    lines = [
        "",
        "## New events",
        "",
        "| type | event | date | place | status | confidence |",
        "|---|---|---|---|---|---|",
    ]
    for ev in events:
        name = ev.name.replace("|", "/")
        when, where, status = ev.date or "", ev.location or "", ev.status or ""
        lines.append(f"| {ev.type} | {name} | {when} | {where} | {status} | {ev.confidence:.2f} |")
    return lines


def summary_markdown(summary: RunSummary) -> str:
    t = summary.totals
    lines = [
        "# AI Policy Watch — monitor run",
        "",
        f"**{t['sources_polled']} sources polled** "
        f"({t['not_modified']} unchanged, {t['failed_sources']} failed) · "
        f"**{t['new_items']} new items** · {t['duplicates_dropped']} duplicates dropped · "
        f"**{t['new_events']} new events** · {t['alerts_sent']} alerts sent"
        + (
            f" · {t['alerts_retrying']} retrying · {t['alerts_failed']} failed"
            if t["alerts_retrying"] or t["alerts_failed"]
            else ""
        ),
        "",
        "| source | status | HTTP | seen | new | duplicates | events | alerts queued | error |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summary.sources:
        err = (s.error or "").replace("|", "/")[:160]
        lines.append(
            f"| {s.source_id} | {s.status} | {s.http_status or ''} | {s.items_seen} | {s.new_items} | "
            f"{s.duplicates} | {s.new_events} | {s.alerts_queued} | {err} |"
        )
    lines += new_events_markdown(summary)
    if summary.not_due:
        lines += ["", f"Not due yet (adaptive polling): {', '.join(summary.not_due)}"]
    if summary.health_notices:
        lines += ["", "## Source health changes", ""] + [f"- {n}" for n in summary.health_notices]
    if summary.alerts.errors:
        lines += ["", "## Alert delivery problems", ""] + [f"- {e}" for e in summary.alerts.errors]
    return "\n".join(lines) + "\n"


def load_inputs(sources_file: str | None, base_url: str | None) -> tuple[list[Source], Subscriptions, Rules]:
    sources = load_sources(Path(sources_file) if sources_file else settings.sources_path(), base_url=base_url)
    subs = load_subscriptions(settings.subscriptions_path())
    rules = load_rules(settings.rules_path())
    return sources, subs, rules


@flow(name="monitor", log_prints=True)
def monitor(
    sources_file: str | None = None,
    base_url: str | None = None,
    only: list[str] | None = None,
    tier: str | None = None,
    adaptive: bool = False,
) -> dict[str, Any]:
    """Poll the sources, store new items and events, send alerts; return the run summary.

    ``adaptive`` (scheduled deployments) skips sources not yet due: each source's next poll time
    follows its own publishing rhythm, backs off on failures, and honours Retry-After/max-age.
    """
    logger = get_run_logger()
    check_connection(get_engine())
    sources_path = Path(sources_file) if sources_file else settings.sources_path()
    base_url = base_url or os.environ.get("POLICYWATCH_BASE_URL")
    sources, subs, rules = load_inputs(str(sources_path), base_url)
    selected = [
        s for s in sources if s.enabled and (not only or s.id in only) and (tier is None or s.tier == tier)
    ]
    summary = RunSummary()
    if adaptive:
        due = due_sources(session_factory(), [s.id for s in selected])
        summary.not_due = [s.id for s in selected if s.id not in due]
        selected = [s for s in selected if s.id in due]
    fetcher = fetch_feed_task.with_options(retries=_retries(), retry_delay_seconds=_retry_delays())
    crawler = crawl_task.with_options(retries=1, retry_delay_seconds=_retry_delays()[:1])
    shared = existing_limits() if selected else frozenset()
    futures = [
        (
            src,
            fetcher.submit(src, shared)
            if isinstance(src, FeedSource)
            else crawler.submit(src, str(sources_path), base_url, shared),
        )
        for src in selected
    ]
    # Each fetch's result is stored by its own task as soon as it arrives: one source's parse and
    # store overlap another's fetch and the classification workers (pipeline.parallel).
    by_future: dict[PrefectFuture[Any], Source] = {future: src for src, future in futures}
    outcomes: dict[str, Any] = {}
    for future in as_completed(list(by_future)):
        src = by_future[future]
        future.wait()  # done already; this keeps the final state (with its data) on the future
        if future.state.is_completed():
            store: Any = store_feed_task if isinstance(src, FeedSource) else store_crawl_task
            # A store that fails (the database went away mid-run) fails this source, not the run.
            outcomes[src.id] = store.submit(src, future.result(), subs, rules)
        else:
            outcomes[src.id] = future.state
    for src, _future in futures:  # the summary lists sources in sources.yaml order
        outcome = outcomes[src.id]
        if isinstance(outcome, PrefectFuture):
            outcome.wait()
            state = outcome.state
        else:
            state = outcome
        if state.is_completed():
            report = state.result()
        else:
            # the task's own error after its retries, e.g. FetchError("HTTP 404 from ...")
            error = state.result(raise_on_failure=False)
            if not isinstance(error, BaseException):
                error = RuntimeError(state.message or f"task ended in state {state.name}")
            report = fetch_error_report(src, error)
            record_failure_task(src, report.error or "fetch failed", getattr(error, "retry_after", None))
            logger.warning("source %s failed: %s", src.id, report.error)
        summary.sources.append(report)
    summary.overdue_events = expected_task(subs)
    summary.alerts = deliver_task(subs)
    summary.digests = digest_task(subs)
    summary.health_notices = health_task(subs)
    publish_artifacts(summary, tier)
    failed = [s for s in summary.sources if s.status == "failed"]
    logger.info("run finished: %s", ", ".join(f"{k}={v}" for k, v in summary.totals.items()))
    if failed:
        logger.warning("failed sources: %s", "; ".join(f"{s.source_id}: {s.error}" for s in failed))
    return summary.as_dict()

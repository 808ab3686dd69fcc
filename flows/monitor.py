"""The `monitor` flow: poll every enabled source, store what is new, queue and send alerts.

Thin orchestration only: each task calls plain functions from ``services`` (``ingest`` runs an
item's stages, ``due`` picks the sources an adaptive run polls, ``expected``, ``operators``) or
``alerts.deliver``; the run's summary is ``services.run_summary``'s and every line of Markdown it
publishes is ``services.run_report``'s. No SQL here. Feeds are polled in batches, one task per
batch of up to 50 feeds of one host (``flows.host_batches``): a task run costs Prefect API round
trips, and one fetch and one store task per feed made a run over 1,000 unchanged feeds take 107 s.
Inside a batch each source is fetched, retried when the failure is transient (timeouts, 5xx;
backoff and jitter; a 404 or a document that is not a feed fails at once) and stored on its own; a
batch with a failed source ends Failed, naming it. Crawls keep their own task per source. A
failing source is named in the run summary; the others carry on. Only at the very end, after
delivery and the artifacts, does a run with failed sources end Failed ("2 of 6 sources failed: a,
b"), so the Prefect dashboard counts it.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed
from prefect.states import Failed, State
from prefect.task_runners import ThreadPoolTaskRunner

from alerts.deliver import DeliveryReport, deliver_pending
from alerts.digest import DigestReport, deliver_digests
from alerts.subscriptions import Subscriptions, load_subscriptions
from core import settings, shutdown
from core.config import current
from core.sources_config import FeedSource, Source, load_sources
from flows.domain_limits import domain_limit, domain_slots, ensure_domain_limits, server_outlives_run
from flows.host_batches import BATCH_SIZE, HostBatch, RetryPolicy, failed_ids, host_batches, poll_batch
from flows.host_slots import Logger, host_slots
from models.base import utcnow
from models.db import check_connection, get_engine, session_factory
from pipeline.fetch import FetchError, FetchResult
from pipeline.intel.rules_loading import load_rules
from pipeline.intel.rules_schema import Rules
from services import run_report
from services.due import due_sources
from services.expected import overdue_events
from services.ingest import (
    SourceReport,
    crawl_state,
    fetch_error_report,
    fetch_feed,
    ingest_crawl_result,
    ingest_feed_response,
    record_failure,
)
from services.operators import notify_operators
from services.run_summary import RunSummary, failure_message, not_due_line

P = ParamSpec("P")
R = TypeVar("R")


_HOST_SLOTS: dict[str, threading.BoundedSemaphore] = {}
_HOST_SLOTS_LOCK = threading.Lock()


def _host_semaphore(name: str) -> threading.BoundedSemaphore:
    with _HOST_SLOTS_LOCK:
        if name not in _HOST_SLOTS:
            _HOST_SLOTS[name] = threading.BoundedSemaphore(domain_slots())
        return _HOST_SLOTS[name]


@contextmanager
def polite(url: str, shared_limits: Collection[str], logger: Logger | None = None) -> Iterator[None]:
    """At most POLICYWATCH_DOMAIN_CONCURRENCY requests to one host at a time, for one request or
    one sequence of them (a crawl, a source's article pages).

    In this process a semaphore per host does it for free. Across processes (several workers,
    several deployments) the host's Prefect global limit does it too, but only where that limit
    exists (``flows.domain_limits.ensure_domain_limits``, once per run, creates the missing ones):
    acquiring a limit that does not exist cost an API round trip and a warning per fetch, and was
    90% of a run's time. The global slot is taken first, then the semaphore, in the same order as
    a batch's (``poll_feeds_task``), so two holders in one process never wait on each other in a
    circle; the wait for it is leased and bounded (``flows.host_slots``)."""
    name = domain_limit(url)
    with host_slots(name, 1, logger) if name in shared_limits else nullcontext(), _host_semaphore(name):
        yield


def _retry_delays(base: float) -> list[float]:
    return [base, base * 4, base * 16]


class SourceFailed(Exception):
    """A crawled source whose result could not be used: its store task fails, carrying the report
    (the failure is already recorded in the store)."""

    def __init__(self, report: SourceReport) -> None:
        super().__init__(report.as_dict().get("error") or f"source {report.source_id} failed")
        self.report = report

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.report,))


def _failed_if_failed(report: SourceReport) -> SourceReport:
    if report.status == "failed":
        raise SourceFailed(report)
    return report


def retry_policy() -> RetryPolicy:
    """The fetch retry rule from the settings (POLICYWATCH_FETCH_RETRIES, ..._RETRY_DELAY,
    ..._RETRY_AFTER_CAP), read when a run starts, not when this module is imported."""
    now = current()
    return RetryPolicy(
        retries=now.fetch_retries,
        delays=tuple(_retry_delays(now.fetch_retry_delay)),
        retry_after_cap=now.retry_after_cap,
    )


def batch_size() -> int:
    """Feeds per batch task (POLICYWATCH_FEEDS_PER_TASK, default ``host_batches.BATCH_SIZE``)."""
    return max(1, current().feeds_per_task or BATCH_SIZE)


def batch_failure_message(reports: list[SourceReport]) -> str | None:
    """A batch task's Failed message, as the run's: "2 of 50 sources failed: a, b"."""
    failed = failed_ids(reports)
    if not failed:
        return None
    shown = ", ".join(failed[:10]) + (f" and {len(failed) - 10} more" if len(failed) > 10 else "")
    return f"{len(failed)} of {len(reports)} sources failed: {shown}"


def batch_width(feeds: int, limit_slots: int | None) -> int:
    """Feeds one batch fetches at once: POLICYWATCH_DOMAIN_CONCURRENCY, no more than it has feeds,
    and, where the host's global limit exists, no more than its slots (the batch takes that many
    of them together: asking for more than the limit has is refused). Two batches of one host in
    two processes then share the slots; the first to take them fetches, the other waits."""
    width = min(domain_slots(), feeds)
    if limit_slots is not None:
        width = min(width, limit_slots)
    return max(1, width)


@task(name="poll-feeds", task_run_name="fetch {batch.label}", cache_policy=NO_CACHE)
def poll_feeds_task(
    batch: HostBatch, subs: Subscriptions, rules: Rules, shared_limits: Mapping[str, int] | None = None
) -> list[SourceReport] | State[list[SourceReport]]:
    """Fetch and store one host's batch of feeds (``flows.host_batches.poll_batch``): one task run
    for up to 50 feeds instead of two per feed. Politeness: at most POLICYWATCH_DOMAIN_CONCURRENCY
    fetches to the host at once in this process (the semaphore every batch of the host shares);
    where the host's global limit exists, the batch takes as many of its slots as it fetches feeds
    at once (``batch_width``), once, for as long as it fetches, so every process together stays
    within the limit and the API is asked once per batch, not once per fetch.

    Every source gets a report, in the batch's order. A batch with a failed source ends Failed
    ("1 of 50 sources failed: a"), its reports as the state's data, so the task run is red in the
    Prefect UI and the flow still gets every report; each source's outcome is in the task's log."""
    logger = get_run_logger()
    factory = session_factory()
    name = domain_limit(batch.sources[0].url)
    slot = _host_semaphore(name)
    limits = shared_limits or {}
    limit_slots = limits.get(name)
    shared = limit_slots is not None
    width = batch_width(len(batch.sources), limit_slots)
    # The batch's global slots: leased (a run that dies gives them back within a minute) and
    # waited for within bounds, saying so in this task's log (flows.host_slots).
    gate: AbstractContextManager[object] = host_slots(name, width, logger) if shared else nullcontext()

    def fetch(source: FeedSource) -> FetchResult:
        shutdown.check()  # stopping (Ctrl-C, SIGTERM): start nothing new
        with slot:
            return fetch_feed(factory, source)

    def store(source: FeedSource, result: FetchResult) -> SourceReport:
        shutdown.check()
        # article pages (fetch_articles) are requests to a host too: under its limits as well
        return ingest_feed_response(
            factory, source, result, subs, rules, page_gate=lambda url: polite(url, limits, logger)
        )

    def record(source: FeedSource, error: str, retry_after: float | None) -> None:
        record_failure(factory, source, error, retry_after=retry_after)

    def say(report: SourceReport) -> None:
        if shutdown.stopping():
            # The process is on its way out: Prefect's API log handler may already be shut down
            # (a log then prints a traceback on the operator's terminal). The next run redoes it.
            return
        if report.status == "failed":
            logger.warning("%s failed: %s", report.source_id, report.as_dict().get("error"))
        else:
            logger.info(
                "%s: %s, %d seen, %d new%s",
                report.source_id,
                report.status,
                report.items_seen,
                report.new_items,
                f" ({report.as_dict().get('error')})" if report.error else "",
            )

    reports = poll_batch(
        batch.sources,
        fetch,
        store,
        record,
        retry_policy(),
        fetch_workers=width,
        fetching=gate,
        on_report=say,
    )
    message = batch_failure_message(reports)
    if message:
        return Failed(message=message, data=reports)
    return reports


class CrawlFailed(Exception):
    """A crawl that ended badly (crash, timeout, errors and nothing scraped). Only a crash or a
    timeout is retried: a site that answered with nothing usable answers the same a minute later."""

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.transient))


def _crawl_retryable(task_: Any, task_run: Any, state: State[Any]) -> bool:
    try:
        state.result()
    except CrawlFailed as exc:
        return exc.transient
    except Exception:  # boundary: the task's own error, of any type: only a transient crawl retries
        return False
    return False


@task(
    name="crawl-source",
    task_run_name="crawl {source.id}",
    cache_policy=NO_CACHE,
    retry_jitter_factor=0.5,
    retry_condition_fn=_crawl_retryable,
)
def crawl_task(
    source: Source, sources_file: str, base_url: str | None, shared_limits: Collection[str] = frozenset()
) -> tuple[list[Any], list[str], str | None]:
    """One crawl in its own OS process (Twisted cannot restart in ours); items come back as data."""
    from spiders.runner import crawl

    shutdown.check()
    known, newest = crawl_state(session_factory(), source)
    with polite(source.url, shared_limits, get_run_logger()):
        result = crawl(
            source.id,
            sources_path=Path(sources_file),
            base_url=base_url,
            known_urls=known,
            after=newest if source.kind == "wordpress" else None,
            timeout=current().crawl_timeout,
            fast=current().crawl_fast,
        )
    reason = result.failed_reason()
    if reason:
        raise CrawlFailed(f"crawl failed: {reason}", transient=result.transient)
    return result.items, result.errors, result.finish_reason


@task(name="store-crawl", task_run_name="store {source.id}", cache_policy=NO_CACHE)
def store_crawl_task(
    source: Source, crawled: tuple[list[Any], list[str], str | None], subs: Subscriptions, rules: Rules
) -> SourceReport:
    shutdown.check()
    items, errors, finish_reason = crawled
    return _failed_if_failed(
        ingest_crawl_result(session_factory(), source, items, errors, finish_reason, subs, rules)
    )


class _NoTracebackForExpectedFailures(logging.Filter):
    """A source that fails as sources do (404, timeout, not a feed, a crawl's own error) is named
    with its error on one line, in the terminal and in the task's log in the Prefect UI; a
    Python traceback there would say nothing more and bury the message. Bugs keep theirs."""

    expected: tuple[type[BaseException], ...] = (FetchError, SourceFailed, CrawlFailed, shutdown.Stopped)

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, self.expected):
            record.exc_info, record.exc_text = None, None
        return True


def _install_log_filter() -> None:
    logger = logging.getLogger("prefect.task_runs")
    if not any(isinstance(f, _NoTracebackForExpectedFailures) for f in logger.filters):
        logger.addFilter(_NoTracebackForExpectedFailures())


_install_log_filter()


@task(name="source-health", cache_policy=NO_CACHE)
def health_task(subs: Subscriptions) -> list[str]:
    """Tell operators about sources that started failing, went silent, or recovered (once each)."""
    return notify_operators(session_factory(), subs)


def run_name(tier: str | None, only: list[str] | None, when: datetime) -> str:
    """A flow run's name: what it polls and when it was due, e.g. ``feeds 2026-12-07 04:10Z``."""
    scope = tier or "all"
    if only:
        picked = ",".join(only)
        scope += " " + (picked if len(picked) <= 40 else picked[:39] + "…")
    return f"{scope} {when.astimezone(UTC):%Y-%m-%d %H:%M}Z"


def _flow_run_name() -> str:
    from prefect.runtime import flow_run

    params = flow_run.parameters
    return run_name(params.get("tier"), params.get("only"), flow_run.scheduled_start_time)


HEALTH_KEY = "source-health"


def _latest_health_description() -> str | None:
    try:
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
        from prefect.client.schemas.sorting import ArtifactSort

        with get_client(sync_client=True) as client:
            latest = client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[HEALTH_KEY])),
                sort=ArtifactSort.CREATED_DESC,
                limit=1,
            )
        return latest[0].description if latest else None
    except Exception as exc:  # boundary: no API (or it failed): publish the health table, as before
        logging.getLogger(__name__).debug("latest health artifact not read: %s", exc)
        return None


def link_latest_summary(artifact_id: Any, summary: RunSummary) -> None:
    """A served or deployed run writes a link to its summary into its deployment's description
    (the deployment page's Description tab): the latest run's page is one click away."""
    try:
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.actions import DeploymentUpdate
        from prefect.runtime import deployment, flow_run

        if not deployment.id or not artifact_id:
            return
        with get_client(sync_client=True) as client:
            current = client.read_deployment(deployment.id)
            base = (current.description or "").split("\n\n**Latest run:**")[0]
            link = run_report.latest_run_link(flow_run.name, summary, artifact_id)
            client.update_deployment(
                deployment.id, DeploymentUpdate(description=f"{base}\n\n**Latest run:** {link}")
            )
    except Exception as exc:  # boundary: the link is a convenience: never fail a run for it
        logging.getLogger(__name__).debug("deployment description not updated: %s", exc)


def publish_artifacts(summary: RunSummary, tier: str | None) -> None:
    """Markdown summary + per-source table, keyed per deployment tier so the latest of each is one
    click away in the Prefect UI (the deployment's description links it; Artifacts → key); the
    health of every source under ``source-health``, only when it changed (not 144 times a day).
    What they say is ``services.run_report``'s; this only publishes it."""
    scope = tier or "all"
    summary.finished_at = utcnow()
    artifact_id = create_markdown_artifact(
        markdown=run_report.summary_markdown(summary),
        key=f"monitor-{scope}-summary",
        description=f"Monitor run summary ({scope}), {run_report.second(summary.finished_at)}",
    )
    create_table_artifact(
        table=run_report.source_table(summary),
        key=f"monitor-{scope}-sources",
        description="Per-source results of this run, failed sources first",
    )
    link_latest_summary(artifact_id, summary)
    rows = run_report.health_table()
    description = run_report.health_description(rows)
    if _latest_health_description() != description:
        create_table_artifact(table=rows or [{"source": "(none)"}], key=HEALTH_KEY, description=description)


@task(name="record-failure", task_run_name="record-failure {source.id}", cache_policy=NO_CACHE)
def record_failure_task(source: Source, error: str, retry_after: float | None = None) -> None:
    record_failure(session_factory(), source, error, retry_after=retry_after)


@task(name="expected-events", cache_policy=NO_CACHE)
def expected_task(subs: Subscriptions) -> list[int]:
    """Expected events whose date passed with no report become overdue, and are told once."""
    return overdue_events(session_factory(), subs)


@task(name="deliver-alerts", cache_policy=NO_CACHE)
def deliver_task(subs: Subscriptions) -> DeliveryReport:
    return deliver_pending(session_factory(), subs)


@task(name="deliver-digests", cache_policy=NO_CACHE)
def digest_task(subs: Subscriptions) -> DigestReport:
    return deliver_digests(session_factory(), subs)


def batch_reports(batch: HostBatch, state: State[Any]) -> dict[str, SourceReport]:
    """Each source's report from its batch task's final state (Completed, or Failed with the
    reports as data). A batch that ended any other way (a crash, a bug, the API gone while taking
    the host's slot) fails every source it did not report, with the batch's error, and records
    it in source health: no source is ever missing from the summary."""
    data = state.result(raise_on_failure=False)
    reports = {r.source_id: r for r in data if isinstance(r, SourceReport)} if isinstance(data, list) else {}
    missing = [src for src in batch.sources if src.id not in reports]
    if missing:
        error = data if isinstance(data, BaseException) else None
        error = error or RuntimeError(state.message or f"batch task ended in state {state.name}")
        for src in missing:
            report = fetch_error_report(src, error)
            try:
                record_failure(session_factory(), src, report.error or "fetch failed")
            # boundary: the store is what failed; the summary still names the source and its error
            except Exception as exc:
                logging.getLogger(__name__).warning("%s: failure not recorded: %s", src.id, exc)
            reports[src.id] = report
    return reports


def load_inputs(sources_file: str | None, base_url: str | None) -> tuple[list[Source], Subscriptions, Rules]:
    sources = load_sources(Path(sources_file) if sources_file else settings.sources_path(), base_url=base_url)
    subs = load_subscriptions(settings.subscriptions_path())
    rules = load_rules(settings.rules_path())
    return sources, subs, rules


class StoppableThreadPool(ThreadPoolTaskRunner[Any]):
    """Prefect's thread pool, except that when the process is stopping (Ctrl-C, SIGTERM) cancelling
    it does not wait for the tasks in flight: a fetch that a server holds open kept a stopped run
    draining for minutes, before Prefect even reported the run's end. Prefect now reports it at
    once (Crashed, or Cancelled when its runner cancelled it); the abandoned threads end with the
    process (``core.shutdown``), and a store cut short is rolled back by its transaction."""

    def cancel_all(self) -> None:
        executor = self._executor
        if executor is not None and shutdown.stopping():
            self._executor = None
            executor.shutdown(wait=False, cancel_futures=True)
        super().cancel_all()


def _stops_on_signal(fn: Callable[P, R]) -> Callable[P, R]:
    """Ctrl-C or SIGTERM during a run (``policywatch run``, or a served run's own process) ends
    the process within seconds, the store consistent (``core.shutdown``)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with shutdown.stop_on_signal():
            return fn(*args, **kwargs)

    return wrapper


@flow(name="monitor", flow_run_name=_flow_run_name, log_prints=True, task_runner=StoppableThreadPool())  # type: ignore[arg-type]
@_stops_on_signal
def monitor(
    sources_file: str | None = None,
    base_url: str | None = None,
    only: list[str] | None = None,
    tier: str | None = None,
    adaptive: bool = False,
) -> dict[str, Any] | State[dict[str, Any]]:
    """Poll the sources, store new items and events, send alerts; return the run summary.

    ``adaptive`` (scheduled deployments) skips sources not yet due: each source's next poll time
    follows its own publishing rhythm, backs off on failures, and honours Retry-After/max-age.

    When a source failed, the run ends Failed ("2 of 6 sources failed: a, b") with the summary
    as its result, after everything else is stored, delivered and published: call it through
    ``run_monitor`` to get the summary either way.
    """
    logger = get_run_logger()
    check_connection(get_engine())
    sources_path = Path(sources_file) if sources_file else settings.sources_path()
    base_url = base_url or current().base_url
    sources, subs, rules = load_inputs(str(sources_path), base_url)
    selected = [
        s for s in sources if s.enabled and (not only or s.id in only) and (tier is None or s.tier == tier)
    ]
    summary = RunSummary()
    if adaptive:
        due, summary.next_due = due_sources(session_factory(), [s.id for s in selected])
        summary.not_due = [s.id for s in selected if s.id not in due]
        selected = [s for s in selected if s.id in due]
    crawler = crawl_task.with_options(retries=1, retry_delay_seconds=[current().fetch_retry_delay])
    # The per-host limits this run uses, created if missing: they keep every worker and every
    # deployment polite to a host together (flows.domain_limits). A run on Prefect's throwaway
    # in-process server (`policywatch run`) is polite through its own semaphores only.
    shared = (
        ensure_domain_limits([s.url for s in selected], logger=logger)
        if selected and server_outlives_run()
        else {}
    )
    feeds = [src for src in selected if isinstance(src, FeedSource)]
    # Feeds: one task per batch of one host's feeds, each source stored as soon as it is fetched
    # inside it (flows.host_batches). Crawls: a task per source, each in its own OS process.
    batches = [(b, poll_feeds_task.submit(b, subs, rules, shared)) for b in host_batches(feeds, batch_size())]
    crawls: dict[PrefectFuture[Any], Source] = {
        crawler.submit(src, str(sources_path), base_url, shared): src
        for src in selected
        if not isinstance(src, FeedSource)
    }
    outcomes: dict[str, Any] = {}
    for future in as_completed(list(crawls)):
        src = crawls[future]
        future.wait()  # done already; this keeps the final state (with its data) on the future
        if future.state.is_completed():
            # A store that fails (the database went away mid-run) fails this source, not the run.
            outcomes[src.id] = store_crawl_task.submit(src, future.result(), subs, rules)
        else:
            outcomes[src.id] = future.state
    for batch, future in batches:
        future.wait()
        outcomes.update(batch_reports(batch, future.state))
    for src in selected:  # the summary lists sources in sources.yaml order
        outcome = outcomes[src.id]
        if isinstance(outcome, SourceReport):  # a feed: its batch recorded any failure
            report = outcome
            if report.status == "failed":
                logger.warning("source %s failed: %s", src.id, report.error)
            summary.sources.append(report)
            continue
        if isinstance(outcome, PrefectFuture):
            outcome.wait()
            state = outcome.state
        else:
            state = outcome
        if state.is_completed():
            report = state.result()
        else:
            # the task's own error after its retries, e.g. CrawlFailed("crawl failed: ...")
            error = state.result(raise_on_failure=False)
            if isinstance(error, SourceFailed):  # stored as failed already
                report = error.report
            else:
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
    if summary.not_due:
        logger.info(not_due_line(summary.as_dict()))
    message = failure_message(summary)
    if message:
        logger.warning("failed sources: %s", "; ".join(f"{s.source_id}: {s.error}" for s in failed))
        # Last of all: what succeeded is stored, alerts are sent and the artifacts published. A
        # Failed state (not an exception) puts the message on the dashboard without a traceback.
        return Failed(message=message, data=summary.as_dict())
    return summary.as_dict()


def run_monitor(**params: Any) -> dict[str, Any]:
    """Run the flow once and return its summary, whether the run ended Completed or Failed
    because sources failed; an unexpected failure (the store is unreachable) is raised."""
    state = monitor(**params, return_state=True)
    data = state.result(raise_on_failure=False)
    if isinstance(data, BaseException):
        raise data
    if not isinstance(data, dict):
        raise RuntimeError(f"monitor run ended {state.name}: {state.message or 'no summary'}")
    return data

"""The store stage and what rides in its transaction: items, labels, stories, events and
mentions (``models.items_repo.store_items``), the matching and the outbox (``alerts.outbox``),
and the source's poll state.

It receives analysed items and touches no network: every page was fetched in the enrich stage
(``pipeline.articles``) before this transaction opens, so a slow site never holds the store's
write lock, and a retry of the transaction (``retry_on_conflict``) repeats no request.
``tests/integration/test_stages.py`` checks that this module imports no fetcher.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from alerts.outbox import queue_alerts, queue_follow_ups
from alerts.subscriptions import Subscriptions
from core.sources_config import JsonlSource, Source
from models import items_repo, sources_repo
from models.base import utcnow
from models.db import retry_on_conflict, writing
from pipeline.types import ProcessedItem
from pipeline.urls import mask_secrets
from services.source_report import SourceReport


@dataclass(frozen=True, slots=True)
class PollState:
    """What the fetch said, saved with the items in the same commit: a crash before it leaves the
    validators unsaved, so the next run fetches the same document again."""

    status: str = "200"
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    max_age: float | None = None


def store_batch(
    factory: sessionmaker[Session],
    source: Source | JsonlSource,
    processed: Sequence[ProcessedItem],
    subs: Subscriptions,
    report: SourceReport,
    poll: PollState,
) -> SourceReport:
    """Store, match, queue alerts and save the poll state in ONE transaction; count it in ``report``.

    A crash anywhere before the commit leaves the store as it was and the validators unsaved,
    so the next run fetches the same document again: nothing is lost, nothing doubled.
    """

    def commit_batch() -> tuple[items_repo.StoreOutcome, int]:
        with writing(factory) as session:
            sources_repo.ensure_source(session, source.id, source.kind, source.url, source.label)
            outcome = items_repo.store_items(session, processed, fetched_at=utcnow())
            # updated events too: one whose confidence rose may now pass a subscriber's threshold
            queued = queue_alerts(session, outcome.new_event_ids + outcome.updated_event_ids, subs)
            queued += queue_follow_ups(session, outcome.updated_event_ids, subs)
            sources_repo.record_poll(
                session,
                source.id,
                ok=True,
                status=poll.status,
                error=mask_secrets(poll.error or report.error or "") or None,
                etag=poll.etag,
                last_modified=poll.last_modified,
                max_age=poll.max_age,
            )
        return outcome, queued

    # Two workers storing the same stories can deadlock on PostgreSQL's unique indexes; the
    # transaction is all-or-nothing, so running it again is safe and the usual cure.
    outcome, queued = retry_on_conflict(commit_batch)
    report.new_items += outcome.new_items
    report.duplicates += outcome.duplicates
    report.already_stored += outcome.already_stored
    report.new_events += len(outcome.new_event_ids)
    report.updated_events += len(outcome.updated_event_ids)
    report.new_event_ids += outcome.new_event_ids
    report.alerts_queued += queued
    return report

"""Plain functions the flows call: poll one feed, store a batch of raw items, import JSON lines.

No Prefect here: these are tested directly, and the Prefect tasks are thin wrappers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker

from alerts.outbox import queue_alerts, queue_follow_ups
from alerts.subscriptions import Subscriptions
from core.sources_config import FeedSource, JsonlSource, Source
from core.vocabulary import PollStatus
from models import repository as repo
from models.base import utcnow
from models.db import retry_on_conflict, writing
from pipeline.feeds import NotAFeed
from pipeline.fetch import FetchError, FetchResult, fetch, make_client
from pipeline.intel.rules_schema import Rules
from pipeline.parallel import analyse_many, parse_feed_anywhere
from pipeline.process import PreparedItem, clean_raw, prepare_item
from pipeline.published import parse_published
from pipeline.source_filters import apply_filters, has_filters
from pipeline.text import decode_html
from pipeline.types import ProcessedItem, RawItem
from pipeline.urls import PLACEHOLDER_PREFIX, canonical_url, is_item_link, mask_secrets


@dataclass(slots=True)
class SourceReport:
    """What one source did in one run: the row of the operator's run summary."""

    source_id: str
    kind: str
    status: PollStatus = PollStatus.OK
    http_status: int | None = None
    bytes: int = 0
    items_seen: int = 0
    new_items: int = 0
    duplicates: int = 0
    already_stored: int = 0
    new_events: int = 0
    updated_events: int = 0
    alerts_queued: int = 0
    unsafe_links: int = 0
    """Items dropped because their link is not http(s) (``javascript:``, ``file:``, ``data:``)."""
    filtered: int = 0
    """Items dropped by the source's ``include``/``exclude`` filters in sources.yaml."""
    error: str | None = None
    new_event_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The summary row; a URL's credentials (``?api_key=…``) are masked in its error."""
        row = asdict(self)
        if self.error:
            row["error"] = mask_secrets(self.error)
        return row


def poll_state(factory: sessionmaker[Session], source: Source) -> tuple[str | None, str | None]:
    """The validators for a conditional GET. A plain read: many fetches run at once, and a write
    here would queue them all on SQLite's single writer lock."""
    with factory() as session:
        row = repo.get_source(session, source.id)
        if row is not None and (row.kind, row.url, row.name) == (source.kind, source.url, source.label):
            return row.etag, row.last_modified
    with writing(factory) as session:  # first poll, or the source's declaration changed
        repo.ensure_source(session, source.id, source.kind, source.url, source.label)
        row = repo.get_source(session, source.id)
        return (row.etag, row.last_modified) if row else (None, None)


def fetch_feed(factory: sessionmaker[Session], source: FeedSource) -> FetchResult:
    """Conditional GET of one feed; raises FetchError (``transient`` says whether to retry)."""
    etag, last_modified = poll_state(factory, source)
    with make_client(source.timeout_seconds, private_network=source.private_network) as client:
        return fetch(
            client,
            source.url,
            etag=etag,
            last_modified=last_modified,
            max_bytes=source.max_bytes,
            deadline_seconds=source.timeout_seconds * 3,
        )


def record_failure(
    factory: sessionmaker[Session],
    source: Source,
    error: str,
    status: str = "error",
    retry_after: float | None = None,
) -> None:
    with writing(factory) as session:
        repo.ensure_source(session, source.id, source.kind, source.url, source.label)
        repo.record_poll(
            session, source.id, ok=False, status=status, error=mask_secrets(error), retry_after=retry_after
        )


PageGate = Callable[[str], AbstractContextManager[object]]
"""What a source's article pages on one host are fetched under (the flow's per-host politeness)."""


def _fetch_article_pages(
    raws: list[RawItem], source: FeedSource, page_gate: PageGate | None = None
) -> list[str]:
    """Fill ``html`` of entries from their pages; a page that fails keeps the feed summary.

    Pages are fetched one after the other, host by host, each host's under ``page_gate(url)``
    (held for all of that host's pages): they are requests to a site like the feed's own, and
    the per-host limits count them too."""
    errors: list[str] = []
    by_host: dict[str, list[RawItem]] = {}
    for raw in raws:
        by_host.setdefault((urlsplit(raw.url).hostname or "").lower(), []).append(raw)
    with make_client(source.timeout_seconds, private_network=source.private_network) as client:
        for pages in by_host.values():
            with page_gate(pages[0].url) if page_gate is not None else nullcontext():
                for raw in pages:
                    try:
                        page = fetch(
                            client,
                            raw.url,
                            max_bytes=source.max_bytes,
                            deadline_seconds=source.timeout_seconds,
                        )
                    except FetchError as exc:
                        errors.append(str(exc))
                        continue
                    if page.body:  # the spiders' charset reader: a wrong header must not garble the page
                        raw.html = decode_html(page.body, page.headers.get("content-type"))
    return errors


def store_batch(
    factory: sessionmaker[Session],
    source: Source | JsonlSource,
    raws: list[RawItem],
    subs: Subscriptions,
    rules: Rules | None,
    report: SourceReport,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    poll_status: str = "200",
    poll_error: str | None = None,
    max_age: float | None = None,
    page_gate: PageGate | None = None,
) -> SourceReport:
    """Dedup, process, store, queue alerts and save the poll state in ONE transaction.

    A crash anywhere before the commit leaves the store as it was and the validators unsaved,
    so the next run fetches the same document again: nothing is lost, nothing doubled.
    """
    report.items_seen += len(raws)
    raws = web_items(raws, report)
    if has_filters(source):
        filtered = apply_filters(source, raws)
        raws = filtered.kept
        report.filtered += filtered.dropped_count
    with writing(factory) as session:
        repo.ensure_source(session, source.id, source.kind, source.url, source.label)
        known = repo.stored_urls(session, (canonical_url(r.url) for r in raws))
        known_guids = repo.stored_guids(session, source.id, (r.guid for r in raws if r.guid))
        fresh: list[RawItem] = []
        seen_urls: set[str] = set()
        for raw in raws:
            url = canonical_url(raw.url)
            if url in known or (raw.guid and raw.guid in known_guids) or url in seen_urls:
                report.already_stored += 1
                continue
            seen_urls.add(url)
            fresh.append(raw)
    if isinstance(source, FeedSource) and source.fetch_articles and fresh:
        page_errors = _fetch_article_pages(fresh, source, page_gate)
        if page_errors:
            report.status = PollStatus.PARTIAL
            report.error = "; ".join(page_errors[:3])
    processed = _analyse_new(factory, fresh, rules, source.jurisdictions, report)

    def commit_batch() -> tuple[repo.StoreOutcome, int]:
        with writing(factory) as session:
            outcome = repo.store_items(session, processed, fetched_at=utcnow())
            # updated events too: one whose confidence rose may now pass a subscriber's threshold
            queued = queue_alerts(session, outcome.new_event_ids + outcome.updated_event_ids, subs)
            queued += queue_follow_ups(session, outcome.updated_event_ids, subs)
            repo.record_poll(
                session,
                source.id,
                ok=True,
                status=poll_status,
                error=mask_secrets(poll_error or report.error or "") or None,
                etag=etag,
                last_modified=last_modified,
                max_age=max_age,
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


def web_items(raws: list[RawItem], report: SourceReport) -> list[RawItem]:
    """The items cleaned (``clean_raw``: no control characters, so no poison item), without those
    whose link is not http(s): a ``javascript:`` or ``file:`` link is never stored or shown. The
    dropped ones are counted and named in the report."""
    kept: list[RawItem] = []
    schemes: set[str] = set()
    for raw in map(clean_raw, raws):
        if is_item_link(raw.url):
            kept.append(raw)
        else:
            schemes.add(_scheme(raw.url))
            report.unsafe_links += 1
    if schemes:
        # Named by scheme only: the link itself is hostile text, not for a terminal or a chat.
        note = f"dropped item(s) whose link is not http(s): {', '.join(sorted(schemes))}"
        report.error = f"{report.error}; {note}" if report.error else note
    return kept


def _scheme(url: str) -> str:
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        scheme = ""
    return f"{scheme}:" if scheme else "no scheme"


def _analyse_new(
    factory: sessionmaker[Session],
    fresh: list[RawItem],
    rules: Rules | None,
    implied: list[str],
    report: SourceReport,
) -> list[ProcessedItem]:
    """Classify only what will be stored: copies of a stored text (a syndicated story under a
    new URL) or of an earlier item of this batch are counted as duplicates and skipped here,
    before the costly step. store_items checks again inside the write transaction, so two
    workers racing on one story still store it once."""
    prepared = [prepare_item(r) for r in fresh]
    with factory() as session:
        known = repo.stored_hashes(session, (p.content_hash for p in prepared))
    unique: list[PreparedItem] = []
    for prep in prepared:
        if prep.content_hash in known:
            report.duplicates += 1
            continue
        known.add(prep.content_hash)
        unique.append(prep)
    return analyse_many(unique, rules, implied)


def ingest_feed_response(
    factory: sessionmaker[Session],
    source: FeedSource,
    result: FetchResult,
    subs: Subscriptions,
    rules: Rules | None,
    page_gate: PageGate | None = None,
) -> SourceReport:
    """Turn one fetched feed document into stored items (or record why it could not);
    ``page_gate``: what its article pages are fetched under (``_fetch_article_pages``)."""
    report = SourceReport(
        source_id=source.id, kind=source.kind, http_status=result.status, bytes=len(result.body)
    )
    max_age = cache_max_age(result.headers)
    if result.not_modified:
        report.status = PollStatus.NOT_MODIFIED
        with writing(factory) as session:
            repo.record_poll(
                session,
                source.id,
                ok=True,
                status="304",
                etag=result.etag,
                last_modified=result.last_modified,
                max_age=max_age,
            )
        return report
    try:
        parsed = parse_feed_anywhere(result.body, source.id, result.headers)
    except NotAFeed as exc:
        report.status, report.error = PollStatus.FAILED, f"not a feed: {exc}"
        record_failure(factory, source, report.error, status=str(result.status))
        return report
    if parsed.error:
        report.status, report.error = PollStatus.PARTIAL, parsed.error
    elif urlsplit(result.url).netloc.lower() != urlsplit(source.url).netloc.lower():
        # Followed, but the operator should update sources.yaml: the old host may not last.
        report.error = mask_secrets(f"redirected to {result.url}")
    return store_batch(
        factory,
        source,
        parsed.items,
        subs,
        rules,
        report,
        etag=result.etag,
        last_modified=result.last_modified,
        poll_status=str(result.status),
        poll_error=parsed.error,
        max_age=max_age,
        page_gate=page_gate,
    )


def cache_max_age(headers: dict[str, str]) -> float | None:
    """Seconds from ``Cache-Control: max-age=N`` (polling sooner would only get a cached copy)."""
    control = headers.get("cache-control") or headers.get("Cache-Control") or ""
    for part in control.split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "max-age" and value.strip().isdigit():
            return float(value)
    return None


class ImportLineError(ValueError):
    """A line of an import file cannot be read; the message names the file and the line."""


def read_jsonl(path: Path, source_id: str = "import") -> Iterator[RawItem]:
    """JSON lines with at least id, title and text or html (optional url, published) -> RawItems.

    ``html`` (a whole page, or a content fragment) is read like a fetched page: the same main-text
    extraction as the spiders and the feed path, so an imported copy of a stored page hashes alike.

    Any problem with a line (encoding, JSON, shape) is an ``ImportLineError`` naming the line,
    never a traceback: the file comes from anywhere (an export, a colleague's editor).
    """
    for lineno, row in _json_rows(path):
        yield _raw_item(path, lineno, row, source_id)


def _json_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The file's non-blank lines as JSON objects, with their line numbers. Read as bytes and
    decoded per line, so an encoding error is reported at its line, not at a buffer offset."""
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ImportLineError(f"{path}: cannot read ({exc.strerror})") from None
    with fh:
        for lineno, data in enumerate(fh, 1):
            line = _decode_line(path, lineno, data).strip()
            if line:
                yield lineno, _parse_line(path, lineno, line)


def _decode_line(path: Path, lineno: int, data: bytes) -> str:
    """UTF-8 text of one line (a byte-order mark on the first is allowed, as Windows editors write it)."""
    if b"\x00" in data:  # never in UTF-8 JSON; every other byte of UTF-16 text
        raise ImportLineError(f"{path}:{lineno}: not UTF-8 (NUL bytes: UTF-16?); save the file as UTF-8")
    try:
        return data.decode("utf-8-sig" if lineno == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        column = len(data[: exc.start].decode("utf-8", errors="replace")) + 1
        raise ImportLineError(
            f"{path}:{lineno}: not UTF-8 (byte 0x{data[exc.start]:02x} at column {column}; "
            "Latin-1 or Windows-1252?); save the file as UTF-8"
        ) from None


def _parse_line(path: Path, lineno: int, line: str) -> dict[str, Any]:
    where = f"{path}:{lineno}"
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ImportLineError(f"{where}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise ImportLineError(f"{where}: JSON nested too deeply") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise ImportLineError(f"{where}: not valid JSON ({str(exc).split(':')[0]})") from None
    if not isinstance(row, dict):
        raise ImportLineError(f"{where}: expected a JSON object")
    return row


def _raw_item(path: Path, lineno: int, row: dict[str, Any], source_id: str) -> RawItem:
    missing = [k for k in ("id", "title") if k not in row]
    if "text" not in row and "html" not in row:  # the page's HTML goes through the one text path
        missing.append("text")
    if missing:
        raise ImportLineError(f"{path}:{lineno}: missing field(s) {', '.join(missing)}")
    language = row.get("language")
    if language is not None and not isinstance(language, str):
        raise ImportLineError(f'{path}:{lineno}: language must be a string (such as "en")')
    ext_id = str(row["id"])
    url = str(row.get("url") or f"{PLACEHOLDER_PREFIX}{source_id}:{ext_id}")
    return RawItem(
        source_id=source_id,
        url=url,
        title=str(row.get("title") or ""),
        published=parse_published(str(row["published"])) if row.get("published") else None,
        body=str(row.get("text") or ""),
        html=str(row.get("html") or ""),
        guid=ext_id,
        language=language,
    )


def import_items(
    factory: sessionmaker[Session],
    raws: Iterable[RawItem],
    subs: Subscriptions,
    rules: Rules | None,
    source: JsonlSource,
    batch_size: int = 500,
) -> SourceReport:
    """Store ``raws`` in transactions of ``batch_size`` lines. A bad line stops the import; the
    batches before it stay stored (a 50,000-line file is not redone for its last line), and the
    error says so, and that running the import again after the fix is safe."""
    report = SourceReport(source_id=source.id, kind="jsonl")
    batch: list[RawItem] = []
    try:
        for raw in raws:
            batch.append(raw)
            if len(batch) >= batch_size:
                store_batch(factory, source, batch, subs, rules, report, poll_status="import")
                batch = []
    except ImportLineError as exc:
        raise ImportLineError(f"{exc}. {_stored_so_far(report)}") from None
    if batch or report.items_seen == 0:
        store_batch(factory, source, batch, subs, rules, report, poll_status="import")
    return report


def _stored_so_far(report: SourceReport) -> str:
    """What a stopped import left in the store, for the operator deciding what to do next."""
    if not report.items_seen:
        return "Nothing was stored; fix the line and run the import again."
    return (
        f"The first {report.items_seen} items were already imported ({report.new_items} of them new "
        "to the store) and the rest were not; fix the line and run the import again: what is "
        "already stored is recognised, nothing is stored twice."
    )


def fetch_error_report(source: Source, exc: BaseException) -> SourceReport:
    status = exc.status if isinstance(exc, FetchError) else None
    return SourceReport(
        source_id=source.id,
        kind=source.kind,
        status=PollStatus.FAILED,
        http_status=status,
        error=mask_secrets(str(exc)),
    )


__all__ = ["SourceReport", "fetch_feed", "ingest_feed_response", "import_items", "read_jsonl"]


def crawl_state(
    factory: sessionmaker[Session], source: Source, limit: int = 20_000
) -> tuple[set[str], str | None]:
    """What a re-crawl may skip: the source's stored URLs, and its newest published date."""
    from sqlalchemy import func, select

    from models.tables import Item

    with writing(factory) as session:
        repo.ensure_source(session, source.id, source.kind, source.url, source.label)
        urls = set(
            session.scalars(
                select(Item.url).where(Item.source_id == source.id).order_by(Item.id.desc()).limit(limit)
            )
        )
        newest = session.scalar(select(func.max(Item.published)).where(Item.source_id == source.id))
    return urls, newest.isoformat() if newest else None


def ingest_crawl_result(
    factory: sessionmaker[Session],
    source: Source,
    items: list[RawItem],
    errors: list[str],
    finish_reason: str | None,
    subs: Subscriptions,
    rules: Rules | None,
) -> SourceReport:
    """Store what a crawl scraped, through exactly the same path as feed items."""
    report = SourceReport(source_id=source.id, kind=source.kind)
    if errors:
        report.status = PollStatus.PARTIAL
        report.error = mask_secrets(f"{len(errors)} page error(s): " + "; ".join(errors[:3]))
    return store_batch(
        factory,
        source,
        items,
        subs,
        rules,
        report,
        poll_status=finish_reason or "finished",
        poll_error=report.error,
    )

"""Plain functions the flows call: poll one feed, ingest a batch of raw items, import JSON lines.

``ingest_batch`` is the one path every item takes, whatever fetched it (feed poll, crawl,
``policywatch import``): it runs the typed stages of ``pipeline.stages`` in their one direction,
screen -> dedup by link -> enrich (article pages, then main text) -> prepare -> dedup by text ->
analyse -> store, and counts each in the source's report. The network work (article pages)
ends before ``services.storing.store_batch`` opens its transaction.

No Prefect here: these are tested directly, and the Prefect tasks are thin wrappers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker

from alerts.subscriptions import Subscriptions
from core.sources_config import FeedSource, JsonlSource, Source
from core.vocabulary import PollStatus
from models import run_queries, sources_repo
from models.db import writing
from pipeline.articles import ArticlePages, PageGate, fetch_article_pages
from pipeline.feeds import NotAFeed
from pipeline.fetch import FetchError, FetchResult, fetch, make_client
from pipeline.intel.rules_schema import Rules
from pipeline.parallel import analyse_many, parse_feed_anywhere
from pipeline.published import parse_published
from pipeline.stages import Screened, enrich, prepare, screen
from pipeline.types import RawItem
from pipeline.urls import PLACEHOLDER_PREFIX, mask_secrets
from services.dedup import drop_known_links, drop_known_texts
from services.source_report import SourceReport
from services.storing import PollState, store_batch


def poll_state(factory: sessionmaker[Session], source: Source) -> tuple[str | None, str | None]:
    """The validators for a conditional GET. A plain read: many fetches run at once, and a write
    here would queue them all on SQLite's single writer lock."""
    with factory() as session:
        row = sources_repo.get_source(session, source.id)
        if row is not None and (row.kind, row.url, row.name) == (source.kind, source.url, source.label):
            return row.etag, row.last_modified
    with writing(factory) as session:  # first poll, or the source's declaration changed
        sources_repo.ensure_source(session, source.id, source.kind, source.url, source.label)
        row = sources_repo.get_source(session, source.id)
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
        sources_repo.ensure_source(session, source.id, source.kind, source.url, source.label)
        sources_repo.record_poll(
            session, source.id, ok=False, status=status, error=mask_secrets(error), retry_after=retry_after
        )


def ingest_batch(
    factory: sessionmaker[Session],
    source: Source | JsonlSource,
    raws: list[RawItem],
    subs: Subscriptions,
    rules: Rules | None,
    report: SourceReport,
    *,
    poll: PollState,
    page_gate: PageGate | None = None,
) -> SourceReport:
    """Run ``raws`` through the stages, in order, and store what is new with the poll state.

    Each stage takes the previous one's typed value; what a stage drops is counted in the
    report. The canonical URL is computed once (screen) and the content hash once (prepare).
    The dedup by link comes before the enrich stage, so an article page is fetched only for an
    item the store does not have; the pages are fetched (``page_gate``: the flow's per-host
    politeness) before the store's transaction, never inside it.
    """
    report.items_seen += len(raws)
    screened = screen(raws, source)
    note_screened(report, screened)
    fresh, known = drop_known_links(factory, source.id, screened.items)
    report.already_stored += known
    pages = ArticlePages()
    if isinstance(source, FeedSource) and source.fetch_articles and fresh:
        pages = fetch_article_pages(fresh, source, page_gate)
        if pages.errors:  # a page that failed keeps the feed's own text
            report.status = PollStatus.PARTIAL
            report.error = "; ".join(pages.errors[:3])
    prepared = prepare(enrich(fresh, pages.html))
    # Classify only what will be stored: copies of a stored text (a syndicated story under a
    # new URL) or of an earlier item of this batch are duplicates, before the costly step.
    unique, copies = drop_known_texts(factory, prepared)
    report.duplicates += copies
    processed = analyse_many(unique, rules, source.jurisdictions)
    return store_batch(factory, source, processed, subs, report, poll)


def note_screened(report: SourceReport, screened: Screened) -> None:
    """Count what the screen stage dropped. Links that are not http(s) are named by scheme only:
    the link itself is hostile text, not for a terminal or a chat."""
    report.unsafe_links += screened.unsafe_links
    report.filtered += screened.filtered
    if screened.unsafe_schemes:
        report.add_error(f"dropped item(s) whose link is not http(s): {', '.join(screened.unsafe_schemes)}")


def ingest_feed_response(
    factory: sessionmaker[Session],
    source: FeedSource,
    result: FetchResult,
    subs: Subscriptions,
    rules: Rules | None,
    page_gate: PageGate | None = None,
) -> SourceReport:
    """Turn one fetched feed document into stored items (or record why it could not);
    ``page_gate``: what its article pages are fetched under (``pipeline.articles``)."""
    report = SourceReport(
        source_id=source.id, kind=source.kind, http_status=result.status, bytes=len(result.body)
    )
    max_age = cache_max_age(result.headers)
    if result.not_modified:
        report.status = PollStatus.NOT_MODIFIED
        with writing(factory) as session:
            sources_repo.record_poll(
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
    poll = PollState(
        status=str(result.status),
        etag=result.etag,
        last_modified=result.last_modified,
        error=parsed.error,
        max_age=max_age,
    )
    return ingest_batch(factory, source, parsed.items, subs, rules, report, poll=poll, page_gate=page_gate)


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


IMPORTED = PollState(status="import")


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
                ingest_batch(factory, source, batch, subs, rules, report, poll=IMPORTED)
                batch = []
    except ImportLineError as exc:
        raise ImportLineError(f"{exc}. {_stored_so_far(report)}") from None
    if batch or report.items_seen == 0:
        ingest_batch(factory, source, batch, subs, rules, report, poll=IMPORTED)
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


__all__ = [
    "PollState",
    "SourceReport",
    "fetch_feed",
    "ingest_batch",
    "ingest_feed_response",
    "import_items",
    "read_jsonl",
]


def crawl_state(
    factory: sessionmaker[Session], source: Source, limit: int = 20_000
) -> tuple[set[str], str | None]:
    """What a re-crawl may skip: the source's stored URLs, and its newest published date."""
    with writing(factory) as session:
        sources_repo.ensure_source(session, source.id, source.kind, source.url, source.label)
        urls = run_queries.recent_urls(session, source.id, limit)
        newest = run_queries.newest_published(session, source.id)
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
    poll = PollState(status=finish_reason or "finished", error=report.error)
    return ingest_batch(factory, source, items, subs, rules, report, poll=poll)

"""Run one Scrapy crawl in a child process and read back its items and stats.

Why a child process: Twisted's reactor cannot be restarted, and inside a Prefect worker
``CrawlerProcess`` also re-configures logging. A subprocess per crawl costs about a second
and isolates everything, so a long-lived worker can call ``crawl()`` any number of times.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import shutdown
from pipeline.types import RawItem
from spiders.items import to_raw_item

REPO_ROOT = Path(__file__).resolve().parents[1]
LOG_TAIL_LINES = 30
GRACE_SECONDS = 10.0


@dataclass
class CrawlResult:
    source_id: str
    items: list[RawItem] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    finish_reason: str | None = None
    errors: list[str] = field(default_factory=list)
    """Short lines such as ``404 http://host/a.html`` or ``TimeoutError http://host/b.html``."""
    returncode: int | None = None
    duration: float = 0.0
    timed_out: bool = False
    log_tail: str = ""
    setup_error: str | None = None
    """Why the crawl was not started (an unset ``params_env`` variable): one line."""

    @property
    def transient(self) -> bool:
        """Whether trying again soon could help: a timeout or a crash, not a site that answered
        with nothing usable (a 404, a page our selectors do not match, not JSON)."""
        return self.setup_error is None and (self.timed_out or self.returncode != 0 or not self.stats)

    def failed_reason(self, expected_min_items: int = 0) -> str | None:
        """Why this crawl should count as failed, or None when it is healthy.

        Failed: timeout, non-zero exit, no stats (crash), finish_reason other than
        ``finished``, errors with nothing scraped, or fewer items than ``expected_min_items``.
        The last one is waived when the crawl saw candidates that were all already known
        (a re-crawl of an unchanged listing legitimately yields nothing new).
        """
        if self.setup_error:
            return self.setup_error
        if self.timed_out:
            return f"timed out after {self.duration:.0f}s (finish_reason={self.finish_reason})"
        if self.returncode != 0:
            last = self.log_tail.strip().splitlines()[-1:] or [""]
            return f"exit code {self.returncode}: {last[0][:200]}"
        if not self.stats:
            return "no stats written (the crawl crashed before the engine stopped)"
        if self.finish_reason != "finished":
            return f"finish_reason={self.finish_reason}"
        refused = int(self.stats.get("policywatch/refused_private", 0))
        if not self.items and refused and not self.stats.get("policywatch/skipped_known"):
            return (
                f"0 items: {refused} request(s) refused because the host resolves to a private address; "
                "set private_network: true on the source to allow it"
            )
        errors = int(self.stats.get("log_count/ERROR", 0)) + len(self.errors)
        if not self.items and errors and not self.stats.get("policywatch/skipped_known"):
            # the spider's own message first ("no links matched …"), then failed requests
            said = list(self.stats.get("policywatch/log_errors", [])) + self.errors
            first = "; ".join(dict.fromkeys(said[:3])) or "see the crawl log"
            return f"0 items and {errors} error(s): {first}"
        if len(self.items) < expected_min_items and not self.stats.get("policywatch/skipped_known"):
            return f"{len(self.items)} item(s), expected at least {expected_min_items}"
        return None


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the crawl's process group (Scrapy then closes the spider and writes stats), then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, GRACE_SECONDS), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _read_items(path: Path) -> list[RawItem]:
    if not path.is_file():
        return []
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            items.append(to_raw_item(json.loads(line)))
    return items


def _missing_secret(source_id: str, sources_path: Path | None) -> str | None:
    """The one-line error for a ``params_env`` variable that is not set, checked before a process
    is started. Reading the values here also registers them for masking in this process, so
    the errors the crawl sends back are masked here too."""
    from core.sources_config import JsonApiSource, MissingSecret, SpiderSource, load_sources
    from core.yamlconf import ConfigError
    from spiders.sources import BASE_PLACEHOLDER
    from spiders.sources import sources_path as default_path

    path = sources_path or default_path()
    if path is None:
        return None
    try:
        sources = load_sources(Path(path), base_url=BASE_PLACEHOLDER)
    except ConfigError:
        return None  # the crawl process reports the file's problem itself
    for src in sources:
        if src.id == source_id and isinstance(src, JsonApiSource | SpiderSource):
            try:
                src.secret_params()
            except MissingSecret as exc:
                return str(exc)
    return None


def crawl(
    source_id: str,
    *,
    sources_path: Path | None = None,
    base_url: str | None = None,
    known_urls: set[str] | None = None,
    after: str | None = None,
    timeout: float = 600,
    fast: bool = False,
    spider_args: dict[str, str] | None = None,
) -> CrawlResult:
    """Crawl one source in a fresh ``python -m spiders.crawl_one`` process (cwd = repo root).

    ``known_urls``: URLs already stored (article pages not fetched again); ``after``: newest
    stored date for APIs that filter by date; ``fast``: no delays (tests, loopback demos).
    Never raises for a failed crawl: inspect ``result.failed_reason()``.
    """
    if problem := _missing_secret(source_id, sources_path):
        return CrawlResult(source_id=source_id, setup_error=problem)
    env = dict(os.environ)
    env["SCRAPY_SETTINGS_MODULE"] = "spiders.settings"
    env.pop("POLICYWATCH_STATS_FILE", None)
    env.pop("POLICYWATCH_KNOWN_URLS", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    if sources_path is not None:
        env["POLICYWATCH_SOURCES"] = str(Path(sources_path).resolve())
    if base_url is not None:
        env["POLICYWATCH_BASE_URL"] = base_url
    if fast:
        env["POLICYWATCH_CRAWL_FAST"] = "1"

    with tempfile.TemporaryDirectory(prefix=f"crawl-{source_id}-") as tmp:
        work = Path(tmp)
        items_path, stats_path, log_path = work / "items.jsonl", work / "stats.json", work / "crawl.log"
        cmd = [sys.executable, "-m", "spiders.crawl_one", source_id, "--items", str(items_path)]
        cmd += ["--stats", str(stats_path)]
        if known_urls:
            (work / "known.txt").write_text("\n".join(sorted(known_urls)) + "\n", encoding="utf-8")
            cmd += ["--known-urls", str(work / "known.txt")]
        if after:
            cmd += ["--after", after]
        for key, value in (spider_args or {}).items():
            cmd += ["-a", f"{key}={value}"]

        started = time.monotonic()
        timed_out = False
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
            shutdown.track(proc)  # its own process group: a Ctrl-C or SIGTERM of ours must end it too
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill_group(proc)
            finally:
                shutdown.untrack(proc)
        duration = time.monotonic() - started

        stats: dict[str, Any] = {}
        if stats_path.is_file():
            stats = json.loads(stats_path.read_text(encoding="utf-8"))
        log_lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return CrawlResult(
            source_id=source_id,
            items=_read_items(items_path),
            stats=stats,
            finish_reason=stats.get("finish_reason"),
            errors=list(stats.get("policywatch/errors", [])),
            returncode=proc.returncode,
            duration=duration,
            timed_out=timed_out,
            log_tail="\n".join(log_lines[-LOG_TAIL_LINES:]),
        )

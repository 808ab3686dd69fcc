"""Shared pieces of the benchmarks: figures, configuration, stores, generated text and feeds."""

from __future__ import annotations

import email.utils
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from testkit.datasets import DEVSET

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


# ---------------------------------------------------------------------------------- figures


@dataclass(slots=True)
class Figure:
    bench: str
    name: str
    value: float | None
    unit: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""

    def value_text(self) -> str:
        if self.value is None:
            return "n/a"
        v = self.value
        if abs(v) >= 100:
            text = f"{v:,.0f}"
        elif abs(v) >= 10:
            text = f"{v:.1f}"
        elif abs(v) >= 0.01 or v == 0:
            text = f"{v:.2f}"
        else:
            text = f"{v:.4f}"
        return f"{text} {self.unit}".strip()

    def met_text(self) -> str:
        return "" if self.met is None else ("yes" if self.met else "NO")


_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda v, t: v >= t,
    "<=": lambda v, t: v <= t,
    "==": lambda v, t: v == t,
}


def figure(
    bench: str,
    name: str,
    value: float | None,
    unit: str = "",
    *,
    target: tuple[str, float] | None = None,
    target_unit: str | None = None,
    note: str = "",
) -> Figure:
    """A measured figure; with ``target=(">=", 0.5)`` it is marked met or not."""
    met = None
    text = ""
    if target is not None:
        op, limit = target
        unit_t = unit if target_unit is None else target_unit
        text = f"{op} {limit:g} {unit_t}".strip()
        met = None if value is None else _OPS[op](value, limit)
    fig = Figure(bench, name, value, unit, text, met, note)
    line = f"  {name:<58} {fig.value_text():>22}"
    if text:
        line += f"   target {text}: {fig.met_text() or 'n/a'}"
    if note:
        line += f"   ({note})"
    print(line, flush=True)
    return fig


@dataclass(slots=True)
class Config:
    quick: bool = False
    full: bool = False
    workdir: Path = field(default_factory=lambda: Path("/tmp"))
    pg_base: str | None = None

    def size(self, quick: int, default: int, full: int | None = None) -> int:
        if self.quick:
            return quick
        if self.full and full is not None:
            return full
        return default


def log(msg: str) -> None:
    print(f"    . {msg}", flush=True)


class Timer:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mb(field: str = "VmRSS") -> float:
    """VmRSS (now) or VmHWM (peak of this process image: unlike ru_maxrss on Linux, it does not
    inherit the parent's peak at fork, which a child started by a big parent would report)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


# ---------------------------------------------------------------------------------- stores


def sqlite_store(path: Path) -> str:
    """A fresh SQLite store migrated with Alembic (models.migrate.upgrade); returns its URL."""
    from models.migrate import upgrade

    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    upgrade(url)
    return url


def dispose(url: str) -> None:
    from models.db import get_engine

    get_engine(url).dispose()


@contextmanager
def pg_schema(cfg: Config, migrate: bool = True) -> Iterator[str | None]:
    """A fresh schema on the PostgreSQL server (dropped afterwards), or None when unreachable."""
    base = cfg.pg_base
    if not base:
        print("    PostgreSQL skipped: no URL (set POLICYWATCH_TEST_POSTGRES_URL)", flush=True)
        yield None
        return
    import psycopg

    try:
        conn = psycopg.connect(base, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"    PostgreSQL skipped: {base} is not reachable ({first})", flush=True)
        yield None
        return
    schema = "pwbench_" + uuid.uuid4().hex[:10]
    with conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    url = base.replace("postgresql://", "postgresql+psycopg://", 1) + f"{sep}options=-csearch_path%3D{schema}"
    try:
        if migrate:
            from models.migrate import upgrade

            upgrade(url)
        yield url
    finally:
        dispose(url)
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def table_counts(url: str) -> dict[str, int]:
    from sqlalchemy import inspect, text

    from models.db import get_engine

    engine = get_engine(url)
    names = [n for n in inspect(engine).get_table_names() if n != "alembic_version"]
    with engine.connect() as conn:
        return {n: int(conn.execute(text(f"SELECT count(*) FROM {n}")).scalar() or 0) for n in names}


def subscriptions_file(workdir: Path) -> Path:
    """One subscriber to every event type, delivering to a local file sink (no network)."""
    path = workdir / "subscriptions.yaml"
    sink = workdir / "alerts-sink.txt"
    path.write_text(
        "subscribers:\n"
        "  - name: bench-team\n"
        "    channels:\n"
        f"      - name: file\n        url: pwfile://{sink}\n",
        encoding="utf-8",
    )
    return path


# ---------------------------------------------------------------------------------- text


_SENT = re.compile(r"(?<=[.!?])\s+")


class TextGen:
    """~80-word item texts: one or two real sentences of the devset (so the classifier has real
    policy language to chew on) plus sentences of devset words in random order (so every item's
    3-word shingles are its own and near-duplicate detection only joins what we mean to join)."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        rows = [json.loads(line) for line in DEVSET.read_text(encoding="utf-8").splitlines() if line.strip()]
        self.sentences = [s for r in rows for s in _SENT.split(r["text"]) if 6 <= len(s.split()) <= 40]
        self.titles = [r["title"] for r in rows]
        words = [w for r in rows for w in re.findall(r"[A-Za-z][A-Za-z-]{2,}", r["text"])]
        self.words = sorted(set(words))

    def sentence(self, n: int) -> str:
        ws = self.rng.choices(self.words, k=n)
        return ws[0].capitalize() + " " + " ".join(ws[1:]) + "."

    def text(self, words: int = 80) -> str:
        parts = self.rng.sample(self.sentences, self.rng.choice((1, 2)))
        count = sum(len(p.split()) for p in parts)
        while count < words:
            n = min(max(6, words - count), self.rng.randint(8, 16))
            parts.insert(self.rng.randrange(len(parts) + 1), self.sentence(n))
            count += n
        return " ".join(parts)

    def title(self, i: int) -> str:
        return f"{self.rng.choice(self.titles)} ({i})"

    def rewrite(self, text: str) -> str:
        """A light rewrite: about one word in twenty replaced (estimated Jaccard ~0.6-0.8)."""
        words = text.split()
        for _ in range(max(1, len(words) // 20)):
            words[self.rng.randrange(len(words))] = self.rng.choice(self.words)
        return " ".join(words)


# ---------------------------------------------------------------------------------- feeds


@dataclass(slots=True)
class GenItem:
    key: str
    title: str
    text: str
    published: datetime
    kind: str = "original"  # original | syndicated | near_dup


def generate_items(
    total: int, gen: TextGen, syndicated: float = 0.20, near_dup: float = 0.05, words: int = 80
) -> list[GenItem]:
    """``total`` items: originals plus syndicated copies (same title and text) and light rewrites."""
    n_syn = int(total * syndicated)
    n_near = int(total * near_dup)
    n_orig = total - n_syn - n_near
    start = datetime(2026, 1, 1, tzinfo=UTC)
    originals = [
        GenItem(f"o{i}", gen.title(i), gen.text(words), start + timedelta(minutes=i)) for i in range(n_orig)
    ]
    items = list(originals)
    for i in range(n_syn):
        src = gen.rng.choice(originals)
        items.append(GenItem(f"s{i}", src.title, src.text, src.published, "syndicated"))
    for i in range(n_near):
        src = gen.rng.choice(originals)
        items.append(GenItem(f"n{i}", src.title, gen.rewrite(src.text), src.published, "near_dup"))
    gen.rng.shuffle(items)
    return items


def rss_document(feed_id: str, items: list[GenItem]) -> bytes:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>Bench feed {feed_id}</title><link>{{base}}/{feed_id}/</link>",
        f"<description>Generated feed {feed_id}</description><language>en</language>",
    ]
    for it in items:
        out.append(
            "<item>"
            f"<title>{escape(it.title)}</title>"
            f"<link>{{base}}/{feed_id}/{it.key}.html</link>"
            f'<guid isPermaLink="false">{feed_id}-{it.key}</guid>'
            f"<pubDate>{email.utils.format_datetime(it.published)}</pubDate>"
            f"<description>{escape(it.text)}</description>"
            "</item>"
        )
    out.append("</channel></rss>")
    return "\n".join(out).encode("utf-8")


def write_feed_web(root: Path, n_feeds: int, per_feed: int, gen: TextGen) -> list[str]:
    """Write ``n_feeds`` RSS files of ``per_feed`` items under ``root``; return their URL paths."""
    items = generate_items(n_feeds * per_feed, gen)
    paths = []
    for f in range(n_feeds):
        feed_id = f"feed{f:04d}"
        (root / feed_id).mkdir(parents=True, exist_ok=True)
        (root / feed_id / "rss.xml").write_bytes(
            rss_document(feed_id, items[f * per_feed : (f + 1) * per_feed])
        )
        paths.append(f"/{feed_id}/rss.xml")
    return paths


def feed_sources(base_url: str, paths: list[str]) -> list[Any]:
    from core.sources_config import FeedSource

    return [  # the bench web is on loopback: each source allows private addresses
        FeedSource(
            id=f"bench-{p.strip('/').split('/')[0]}", kind="feed", url=base_url + p, private_network=True
        )
        for p in paths
    ]


# ---------------------------------------------------------------------------------- web


class WebProcess:
    """The counting demo web (bench.web) in its own process, so it does not share our GIL."""

    def __init__(self, root: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.web", str(root)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().strip()
        if not self.base_url.startswith("http"):
            raise RuntimeError("bench.web did not start")

    def stats(self) -> dict[str, int]:
        with urllib.request.urlopen(self.base_url + "/__stats", timeout=10) as resp:
            data: dict[str, int] = json.loads(resp.read())
            return data

    def reset(self) -> None:
        with urllib.request.urlopen(self.base_url + "/__reset", timeout=10) as resp:
            resp.read()

    def __enter__(self) -> WebProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def env_pg_base() -> str | None:
    return os.environ.get("POLICYWATCH_TEST_POSTGRES_URL") or os.environ.get("POLICYWATCH_BENCH_POSTGRES_URL")


@contextmanager
def serving(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``policywatch serve`` in its own process group (its own local Prefect server and runs),
    logging to ``log_path``; stopped (SIGTERM, then SIGKILL after 30 s) when the block ends."""
    import signal  # noqa: PLC0415 - only the served benchmarks need it

    with log_path.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "policywatch.cli", "serve"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def free_port() -> int:
    """A free TCP port on loopback (for a served benchmark's own Prefect server)."""
    import socket  # noqa: PLC0415

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

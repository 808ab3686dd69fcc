"""Does storing get slower as the store grows? And how much memory does a large import take?

1. Per-item dedup + store time (``stored_urls`` + ``stored_guids`` + ``store_items``, i.e.
   store_batch minus classification, which does not depend on the store) for the same new
   items, with a small and a large store already there, on SQLite and PostgreSQL. Stores are
   filled with bulk SQL (bench.bulkstore), 32 band keys per item included; 10% of the new
   items are light rewrites of stored items, so the LSH story lookup finds real candidates.
2. Peak RSS (ru_maxrss) of a child process importing N new items with ``import_items`` from a
   JSON-lines file, with RSS samples along the way (flat = no growth with N).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import (
    ROOT,
    Config,
    Figure,
    TextGen,
    Timer,
    current_rss_mb,
    dispose,
    figure,
    log,
    maxrss_mb,
    pg_schema,
    sqlite_store,
)

NAME = "growth"
BATCH = 50
N_REAL = 200


def _new_items(gen: TextGen, n: int, real: list[Any]) -> list[list[Any]]:
    """Processed new items in batches: 90% fresh, 10% rewrites of the stored ``real`` items."""
    from pipeline.intel.rules_loading import load_rules
    from pipeline.process import process_item
    from pipeline.types import RawItem

    rules = load_rules()
    out = []
    for i in range(n):
        if i % 10 == 9:
            src = real[i % len(real)]
            raw = RawItem(
                source_id="bulk",
                url=f"https://new.example/rw/{i}",
                title=src.raw.title,
                body=gen.rewrite(src.text),
                guid=f"rw{i}",
            )
        else:
            raw = RawItem(
                source_id="bulk",
                url=f"https://new.example/a/{i}",
                title=gen.title(i),
                body=gen.text(),
                guid=f"n{i}",
            )
        out.append(process_item(raw, rules))
    return [out[k : k + BATCH] for k in range(0, n, BATCH)]


def _real_items(gen: TextGen) -> list[Any]:
    from pipeline.intel.rules_loading import load_rules
    from pipeline.process import process_item
    from pipeline.types import RawItem

    rules = load_rules()
    return [
        process_item(
            RawItem(
                source_id="bulk",
                url=f"https://real.example/a/{i}",
                title=gen.title(i),
                body=gen.text(),
                guid=f"real{i}",
            ),
            rules,
        )
        for i in range(N_REAL)
    ]


def measure(url: str, batches: list[list[Any]]) -> tuple[float, int]:
    """Seconds per item for dedup + store of ``batches`` (the first one is a warm-up)."""
    from models import items_repo
    from models.base import utcnow
    from models.db import session_factory

    factory = session_factory(url)
    joined = 0
    counted = 0
    elapsed = 0.0
    for n, batch in enumerate(batches):
        t = Timer()
        with factory.begin() as session:
            items_repo.stored_urls(session, (p.canonical_url for p in batch))
            items_repo.stored_guids(session, "bulk", (p.raw.guid for p in batch if p.raw.guid))
            outcome = items_repo.store_items(session, batch, fetched_at=utcnow())
        if n:
            elapsed += t.elapsed
            counted += len(batch)
        joined += _joined(url, outcome.item_ids)
    return elapsed / counted, joined


def _joined(url: str, ids: list[int]) -> int:
    from sqlalchemy import text

    from models.db import get_engine

    if not ids:
        return 0
    with get_engine(url).connect() as conn:
        q = f"SELECT count(*) FROM items WHERE story_id != id AND id IN ({','.join(map(str, ids))})"
        return int(conn.execute(text(q)).scalar() or 0)


def build(url: str, real: list[Any], total: int) -> float:
    from bench.bulkstore import bulk_fill, store_real

    t = Timer()
    next_id = store_real(url, real)
    bulk_fill(url, next_id, total - len(real))
    return t.elapsed


def run(cfg: Config) -> list[Figure]:
    small = 10_000
    large = cfg.size(30_000, 100_000, 1_000_000)
    n_new = cfg.size(100, 300, 500)
    n_rss = cfg.size(500, 5_000, 100_000)
    figs: list[Figure] = []
    gen = TextGen(seed=23)
    real = _real_items(gen)
    batches = _new_items(gen, n_new + BATCH, real)
    for backend in ("sqlite", "postgres"):
        per_item: dict[int, float] = {}
        for size in (small, large):
            if backend == "sqlite":
                url = sqlite_store(cfg.workdir / f"growth-{size}.db")
                setup = build(url, real, size)
                per_item[size], joined = measure(url, batches)
                dispose(url)
                (cfg.workdir / f"growth-{size}.db").unlink(missing_ok=True)
            else:
                with pg_schema(cfg) as pg:
                    if pg is None:
                        break
                    setup = build(pg, real, size)
                    per_item[size], joined = measure(pg, batches)
            log(
                f"{backend}: {size:,} stored (bulk setup {setup:.0f} s): "
                f"{per_item[size] * 1000:.2f} ms per new item, {joined} joined an earlier story"
            )
            figs.append(
                figure(NAME, f"{backend}: dedup+store per item, {size:,} stored", per_item[size] * 1000, "ms")
            )
        if len(per_item) == 2:
            figs.append(
                figure(
                    NAME,
                    f"{backend}: ratio {large:,} / {small:,}",
                    per_item[large] / per_item[small],
                    "x",
                    target=("<=", 1.5),
                )
            )
    figs += rss(cfg, n_rss)
    return figs


def rss(cfg: Config, n: int) -> list[Figure]:
    path = cfg.workdir / "import.jsonl"
    gen = TextGen(seed=31)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            row = {
                "id": f"imp{i}",
                "title": gen.title(i),
                "text": gen.text(),
                "url": f"https://import.example/a/{i}",
                "published": "2026-05-01T10:00:00Z",
            }
            fh.write(json.dumps(row) + "\n")
    db = cfg.workdir / "import.db"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.growth", "import", str(path), str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=7200,
    )
    if proc.returncode != 0:
        print(proc.stderr[-2000:])
        raise RuntimeError("import child failed")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    every = max(1, len(out["samples"]) // 10)  # ten or so of the samples are enough to read a trend
    shown = out["samples"][::every] + ([out["samples"][-1]] if (len(out["samples"]) - 1) % every else [])
    samples = ", ".join(f"{k:,}: {v:.0f}/{p:.0f}" for k, v, p in shown)
    log(
        f"import of {n:,} items in {out['seconds']:.0f} s ({n / out['seconds']:.0f} items/s); "
        f"RSS/peak-so-far MB at item: {samples}; peak before import {out['maxrss_before_mb']:.0f} MB"
    )
    db.unlink(missing_ok=True)
    return [
        figure(
            NAME,
            f"peak RSS, import_items of {n:,} new items (child)",
            out["hwm_mb"],
            "MB",
            target=("<=", 300),
            note=f"VmHWM; ru_maxrss {out['maxrss_mb']:.0f} MB includes the parent's peak inherited at fork",
        ),
        figure(
            NAME, "RSS growth from 1st sample to last", out["samples"][-1][1] - out["samples"][0][1], "MB"
        ),
    ]


def _child_import(path: Path, db: Path) -> None:
    from alerts.subscriptions import Subscriptions
    from core.sources_config import JsonlSource
    from models.db import session_factory
    from pipeline.intel.rules_loading import load_rules
    from services.ingest import import_items, read_jsonl

    url = sqlite_store(db)
    factory = session_factory(url)
    subs = Subscriptions(path=path, subscribers=[], channels={})
    samples: list[tuple[int, float, float]] = []
    before = current_rss_mb("VmHWM")

    def sampled() -> Any:
        for n, raw in enumerate(read_jsonl(path), 1):
            if n % 1000 == 0 or n == 1:
                samples.append((n, current_rss_mb(), current_rss_mb("VmHWM")))
            yield raw

    t = time.perf_counter()
    import_items(factory, sampled(), subs, load_rules(), JsonlSource())
    seconds = time.perf_counter() - t
    print(
        json.dumps(
            {
                "maxrss_mb": maxrss_mb(),
                "hwm_mb": current_rss_mb("VmHWM"),
                "maxrss_before_mb": before,
                "samples": samples,
                "seconds": seconds,
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["import"]:
        _child_import(Path(sys.argv[2]), Path(sys.argv[3]))

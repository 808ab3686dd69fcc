"""Run the benchmarks: ``.venv/bin/python -m bench.run [NAME ...] [--quick | --full]``.

Prints each benchmark's figures as they are measured, then one summary table (benchmark,
figure, value, target, met?). Targets are reported, never asserted: the exit code is 0
whether or not they are met (1 only when a benchmark itself crashes).
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench import profile
from bench.common import Config, Figure, env_pg_base

BENCHMARKS = ["ingest", "second_poll", "growth", "classify", "crawl", "alert_latency", "flow_run"]


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu or platform.machine()}){mem}, Python {platform.python_version()}"


def summary_table(figs: list[Figure]) -> str:
    rows = [("benchmark", "figure", "value", "target", "met?")]
    rows += [(f.bench, f.name, f.value_text(), f.target, f.met_text()) for f in figs]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    out = []
    for n, r in enumerate(rows):
        out.append("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    ap.add_argument("names", nargs="*", metavar="NAME", help=f"benchmarks to run (default all): {BENCHMARKS}")
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small sizes: the whole suite in < 2 minutes")
    size.add_argument(
        "--full", action="store_true", help="large sizes (ingest 1000 feeds, RSS on 100k items)"
    )
    ap.add_argument("--workdir", type=Path, default=None, help="scratch directory (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="DIR",
        help="run under py-spy (all threads and worker processes): folded stacks and a summary in DIR",
    )
    ap.add_argument(
        "--postgres",
        default=env_pg_base(),
        help="PostgreSQL base URL (default $POLICYWATCH_TEST_POSTGRES_URL); 'none' to skip",
    )
    args = ap.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        ap.error(f"unknown benchmark(s) {unknown}; choose from {BENCHMARKS}")
    names = args.names or BENCHMARKS
    if args.profile is not None and not os.environ.get(profile.UNDER_PYSPY):
        # the same arguments again, under py-spy; the re-run sees UNDER_PYSPY and just runs
        return profile.run_profiled(list(sys.argv[1:] if argv is None else argv), args.profile)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pwbench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("POLICYWATCH_DATA_DIR", str(workdir / "data"))
    pg = None if (args.postgres or "").lower() in ("", "none") else args.postgres
    cfg = Config(quick=args.quick, full=args.full, workdir=workdir, pg_base=pg)
    mode = "quick" if args.quick else "full" if args.full else "default"
    started = datetime.now(UTC)
    print(f"AI Policy Watch benchmarks — {started:%Y-%m-%d %H:%M} UTC — {machine()} — sizes: {mode}")
    print(f"scratch: {workdir}; load average at start: {os.getloadavg()[0]:.2f}", flush=True)

    figs: list[Figure] = []
    crashed: list[str] = []
    t0 = time.perf_counter()
    for name in names:
        print(f"\n== {name}", flush=True)
        t = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.{name}")
            figs += module.run(cfg)
        except Exception:  # boundary: one benchmark's crash is printed and listed; the others still run
            traceback.print_exc()
            crashed.append(name)
        print(f"  ({name} took {time.perf_counter() - t:.0f} s)", flush=True)
    print(
        f"\n== summary ({mode} sizes, {time.perf_counter() - t0:.0f} s in all, "
        f"load average at end {os.getloadavg()[0]:.2f})\n"
    )
    print(summary_table(figs))
    if crashed:
        print(f"\ncrashed: {', '.join(crashed)}")
    if not args.keep and args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())

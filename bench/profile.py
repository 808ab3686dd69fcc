"""Where the time goes: the benchmarks run under py-spy, every thread and worker process sampled.

``python -m bench.run ingest --profile DIR`` re-runs itself under ``py-spy record --subprocesses``
and writes ``DIR/profile.folded`` (folded stacks: open it in speedscope.app or feed it to
flamegraph.pl) and ``DIR/summary.txt``, which this module prints too: CPU samples per process
(main process, parse/classify workers, the loopback web), the functions that hold the most
samples inclusively, and the hottest leaves.

py-spy, not cProfile or pyinstrument: the pipeline's work happens in fetch threads and in
worker processes, which a profiler started in the main thread never sees; py-spy samples
from outside, so the numbers are of the code as it runs, with no profiler overhead inside.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

UNDER_PYSPY = "POLICYWATCH_BENCH_UNDER_PYSPY"
RATE = 100
"""Samples per second per thread."""


def py_spy() -> str | None:
    """The py-spy executable next to this interpreter, else on PATH."""
    local = Path(sys.executable).with_name("py-spy")
    return str(local) if local.exists() else shutil.which("py-spy")


def run_profiled(argv: list[str], out_dir: Path) -> int:
    """Run ``python -m bench.run *argv`` under py-spy (the re-run skips --profile, seeing
    ``UNDER_PYSPY``); summarise; return its exit code."""
    exe = py_spy()
    if exe is None:
        print("--profile needs py-spy (pip install py-spy; `make install` installs it)", file=sys.stderr)
        return 2
    out_dir.mkdir(parents=True, exist_ok=True)
    folded = out_dir / "profile.folded"
    cmd = [
        exe,
        "record",
        "--subprocesses",
        "--rate",
        str(RATE),
        "--format",
        "raw",
        "--output",
        str(folded),
        "--",
        sys.executable,
        "-m",
        "bench.run",
        *argv,
    ]
    code = subprocess.call(cmd, env={**os.environ, UNDER_PYSPY: "1"})
    if not folded.exists():
        print(f"py-spy wrote no profile (exit {code}); it needs ptrace rights", file=sys.stderr)
        return code or 1
    text = summarise(folded.read_text(encoding="utf-8", errors="replace").splitlines())
    (out_dir / "summary.txt").write_text(text, encoding="utf-8")
    print("\n" + text)
    print(f"folded stacks: {folded} (speedscope.app opens them); summary: {out_dir / 'summary.txt'}")
    return code


_PROCESS = re.compile(r'(?:process \d+:"[^"]*";?)+')
_PROCESS_ONE = re.compile(r'process \d+:"([^"]*)"')


def _role(cmd: str) -> str:
    """A readable name for a process from its command line (py-spy's ``process PID:"cmd"`` frame)."""
    if "multiprocessing.forkserver" in cmd:
        return "worker processes (parse, classify)"
    if "bench.web" in cmd:
        return "loopback web (bench.web)"
    if "bench.growth import" in cmd:
        return "import child (bench.growth)"
    if not cmd or "bench.run" in cmd:
        return "main process (fetch threads, store)"
    return cmd[:60]


def _name(frame: str) -> str:
    """``func (path/to/file.py:12)`` -> ``func (file.py)``: lines merged, files kept apart."""
    func, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    short = "/".join(path.split("/")[-2:]) if path else ""
    return f"{func} ({short})" if short else func


_PLUMBING = (
    "threading.py",
    "futures/thread.py",
    "futures/process.py",
    "futures/_base.py",
    "multiprocessing/",
    "<frozen",
    "<string>",
    "runpy.py",
)
"""Frames every stack passes through (thread and process plumbing): left out of the inclusive list."""


def summarise(lines: list[str], top: int = 25) -> str:
    """Per-process totals, top inclusive and top self functions from py-spy's folded stacks."""
    per_role: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    total = 0
    for line in lines:
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        # py-spy nests process frames (parent;child;...) before the Python frames, and a command
        # line may itself contain ";" (the forkserver's does), so they are taken off by pattern.
        owners = _PROCESS.match(stack)
        role = _role(_PROCESS_ONE.findall(owners.group())[-1]) if owners else "main process"
        body = [
            f for f in stack[owners.end() if owners else 0 :].split(";") if f and not f.startswith("thread ")
        ]
        if not body:
            continue
        total += n
        per_role[role] += n
        for name in {_name(f) for f in body if not any(x in f for x in _PLUMBING)}:
            inclusive[name] += n
        leaf[_name(body[-1])] += n
    if not total:
        return "no samples"
    seconds = total / RATE
    out = [f"{total:,} samples = {seconds:.1f} s of CPU-or-waiting thread time at {RATE} Hz", ""]
    out.append("per process:")
    out += [f"  {n / total:6.1%}  {n / RATE:7.1f} s  {role}" for role, n in per_role.most_common()]
    out += ["", f"top {top} inclusive (a function and what it calls):"]
    out += [f"  {n / total:6.1%}  {name}" for name, n in inclusive.most_common(top)]
    out += ["", f"top {top} self (where the samples land):"]
    out += [f"  {n / total:6.1%}  {name}" for name, n in leaf.most_common(top)]
    return "\n".join(out) + "\n"

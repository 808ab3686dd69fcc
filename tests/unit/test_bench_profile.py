"""The profile summary reads py-spy's folded stacks right: nested process frames, command lines
with ";" in them, and plumbing frames left out of the inclusive list."""

from __future__ import annotations

from bench.profile import summarise

WORKER = (
    'process 11:"";process 12:"/v/bin/python -B -c from multiprocessing.forkserver import main; '
    "main(14, 15, ['pipeline.parallel'])\";process 13:\"/v/bin/python -B -c from multiprocessing.forkserver "
    "import main; main(14, 15, ['pipeline.parallel'])\""
)
LINES = [
    WORKER + ";_process_worker (concurrent/futures/process.py:250);classify (pipeline/classify.py:67);"
    "extract_events (pipeline/intel/extraction.py:160) 30",
    WORKER + ";_process_worker (concurrent/futures/process.py:250);parse (feedparser/api.py:152) 10",
    'process 11:"";Thread.run (threading.py:982);store_batch (services/ingest.py:140);'
    "do_execute (sqlalchemy/engine/default.py:964) 50",
    'process 11:"";process 20:"/v/bin/python -m bench.web /tmp/web";serve (bench/web.py:70) 10',
    "garbage line without a count",
]


def test_samples_are_split_by_process_and_function() -> None:
    text = summarise(LINES)
    assert text.startswith("100 samples = 1.0 s")
    per_process = text.split("per process:")[1].split("\n\n")[0]
    assert "50.0%" in per_process and "main process" in per_process
    assert "40.0%" in per_process and "worker processes (parse, classify)" in per_process
    assert "10.0%" in per_process and "loopback web" in per_process
    inclusive = text.split("inclusive")[1].split("self")[0]
    assert "classify (pipeline/classify.py)" in inclusive
    assert "store_batch (services/ingest.py)" in inclusive
    assert "_process_worker" not in inclusive and "Thread.run" not in inclusive  # plumbing
    hottest = text.split("self (where the samples land):")[1].splitlines()[1]
    assert "50.0%" in hottest and "do_execute (engine/default.py)" in hottest


def test_no_samples_says_so() -> None:
    assert summarise([]) == "no samples"

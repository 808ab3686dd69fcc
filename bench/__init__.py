"""Benchmarks of AI Policy Watch: ``.venv/bin/python -m bench.run [NAME ...] [--quick|--full]``.

Each module measures one thing against its floor or a naive baseline, side by side in one run,
and returns ``Figure`` rows; ``bench.run`` prints them and a summary table. Timings are
reported, never asserted: targets are marked met or not, the run does not fail on them.
"""

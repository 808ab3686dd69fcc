"""Support code shared by ``tests/`` and ``bench/``: loopback servers and the place of the
labelled devset. Not shipped in the wheel; ``bench/`` takes what it shares with the tests from
here, never from ``tests/``."""

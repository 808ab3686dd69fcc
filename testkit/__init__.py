"""Support code shared by ``tests/`` and ``bench/``: loopback servers. Not shipped in the wheel."""

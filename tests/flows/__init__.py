"""Flow tests: anything that starts Prefect, whether the session's test server
(``tests/support/prefect_server.py``), a served deployment, a worker, or the monitor flow run by
``policywatch run`` / ``policywatch demo`` in a subprocess. The slowest part of the suite."""

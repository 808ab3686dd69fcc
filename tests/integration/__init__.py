"""Integration tests: real servers on loopback (HTTP, SMTP via aiosmtpd), the real PostgreSQL
server (``POLICYWATCH_TEST_POSTGRES_URL``), the CLI in a subprocess, Scrapy crawls, worker
processes. Nothing here starts Prefect (that is ``tests/flows``)."""

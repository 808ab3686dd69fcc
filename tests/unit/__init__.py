"""Unit tests: pure functions and the store on a temporary SQLite file. No server, no PostgreSQL,
no subprocess, no Prefect: ``make test-unit`` runs them in well under a minute."""

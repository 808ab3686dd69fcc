"""Support code the test suite shares: paths, case builders, loopback helpers, the session's
Prefect server. Not tests (pytest collects nothing here); ``bench/`` never imports it (what both
need is in ``testkit``)."""

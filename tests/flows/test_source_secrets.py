"""An API key written in a source's URL (``?api_key=…``) is never printed in error text (issue 13).

The fetch error, the run report, the stored health row and what ``policywatch run`` and
``policywatch sources list`` print all name the failing URL with the key masked.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.sources_config import FeedSource
from models.db import session_factory
from models.migrate import upgrade
from models.tables import Source
from pipeline.fetch import FetchError
from pipeline.urls import mask_secrets
from services.ingest import fetch_error_report, fetch_feed, record_failure
from tests.support.faultserver import FaultServer, closed_port
from tests.support.paths import PW

SECRET = "SECRET123"


@pytest.fixture(scope="module")
def fault_server() -> Iterator[FaultServer]:
    with FaultServer() as fs:
        yield fs


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("HTTP 404 from http://h/feed?api_key=S3CR3T&x=1", "HTTP 404 from http://h/feed?api_key=****&x=1"),
        ("http://h/?a=1&TOKEN=S3CR3T#frag", "http://h/?a=1&TOKEN=****#frag"),
        ("'http://h/?apikey=S3CR3T' (redirected)", "'http://h/?apikey=****' (redirected)"),
        ("http://h/?access_token=S3CR3T;sig=S3CR3T", "http://h/?access_token=****;sig=****"),
        ("http://h/?X-Api-Key=S3CR3T&signature=S3CR3T", "http://h/?X-Api-Key=****&signature=****"),
        (
            "http://h/?key=S3CR3T&secret=S3CR3T&password=S3CR3T",
            "http://h/?key=****&secret=****&password=****",
        ),
        ("http://user:S3CR3T@h/feed", "http://user:****@h/feed"),
        ("http://h/?monkey=1&keyword=2&page=3", "http://h/?monkey=1&keyword=2&page=3"),
    ],
)
def test_mask_secrets(text: str, masked: str) -> None:
    assert mask_secrets(text) == masked


@pytest.mark.parametrize("path", ["/404", "/410", "/status/401"])
def test_a_failing_source_with_a_key_never_shows_the_key(fault_server: FaultServer, path: str) -> None:
    upgrade()
    factory = session_factory()
    source = FeedSource(
        id="keyed",
        kind="feed",
        url=fault_server.url(f"{path}?api_key={SECRET}&lang=en"),
        timeout_seconds=2,
        private_network=True,
    )
    with pytest.raises(FetchError) as info:
        fetch_feed(factory, source)
    message = str(info.value)
    assert SECRET not in message and "api_key=****&lang=en" in message, message
    report = fetch_error_report(source, info.value)
    assert report.error and SECRET not in report.error
    record_failure(factory, source, str(info.value))
    with factory() as s:
        row = s.get(Source, "keyed")
        assert row is not None and row.last_error and SECRET not in row.last_error
    assert SECRET not in str(report.as_dict())


def test_an_unreachable_source_with_a_token_never_shows_it() -> None:
    upgrade()
    source = FeedSource(
        id="keyed",
        kind="feed",
        url=f"http://127.0.0.1:{closed_port()}/feed.xml?token={SECRET}",
        timeout_seconds=2,
        private_network=True,
    )
    with pytest.raises(FetchError) as info:
        fetch_feed(session_factory(), source)
    assert SECRET not in str(info.value) and "token=****" in str(info.value)
    # any other exception a task may end with is masked in the report too
    other = fetch_error_report(source, RuntimeError(f"boom at {source.url}"))
    assert other.error and SECRET not in other.error


def test_run_summary_and_sources_list_mask_the_key(fault_server: FaultServer, tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  - id: keyed-feed\n    kind: feed\n"
        f"    url: {fault_server.url('/404')}?api_key={SECRET}\n"
        "    private_network: true\n",
        encoding="utf-8",
    )
    env = {**os.environ, "POLICYWATCH_FETCH_RETRIES": "0"}

    def pw(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(PW), *args], capture_output=True, text=True, timeout=240, env=env)

    for args in (("run", "--sources", str(sources), "--json"), ("run", "--sources", str(sources))):
        proc = pw(*args)
        assert proc.returncode == 1, proc.stderr[-2000:]
        assert SECRET not in proc.stdout and SECRET not in proc.stderr, args
        assert "keyed-feed" in proc.stdout
        if "--json" in args:  # the full error: it still names the URL, key masked
            assert "api_key=****" in proc.stdout
    listing = pw("sources", "list", "--sources", str(sources))
    assert listing.returncode == 0, listing.stderr[-2000:]
    assert SECRET not in listing.stdout + listing.stderr and "keyed-feed" in listing.stdout

"""The shipped site spiders (``kind: spider``) as Scrapy sees them: ``scrapy list`` shows the
declared ones only, ``scrapy check`` runs their contracts offline against their fixtures, and
their code keeps a release or a bill when a second request fails or a record is odd."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import TextResponse
from twisted.python.failure import Failure

from spiders.runner import REPO_ROOT
from spiders.spiders.sites import ec_presscorner_digital as ec
from spiders.spiders.sites.us_congress_bills import bill_page, ordinal
from spiders.stored import site_spider_class
from tests.support.shipped import SHIPPED

SITE_SPIDERS = sorted(sid for sid, src in SHIPPED.items() if src.kind == "spider")


def scrapy(*args: str, sources: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ}
    env.pop("POLICYWATCH_SOURCES", None)
    if sources is not None:
        env["POLICYWATCH_SOURCES"] = str(sources)
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_at_least_two_site_spiders_ship() -> None:
    assert len(SITE_SPIDERS) >= 2, SITE_SPIDERS


@pytest.mark.parametrize("source_id", SITE_SPIDERS)
def test_every_site_spider_has_offline_contracts_and_says_why_it_is_code(source_id: str) -> None:
    cls = site_spider_class(source_id)
    assert "Why code:" in (sys.modules[cls.__module__].__doc__ or ""), "say why no declarative kind fits"
    docs = "\n".join(getattr(cls, m).__doc__ or "" for m in dir(cls) if callable(getattr(cls, m, None)))
    for contract in ("@url", "@fixture", "@returns", "@scrapes"):
        assert re.search(rf"^\s*{contract}\b", docs, re.MULTILINE), f"{source_id}: no {contract} contract"


def test_scrapy_check_runs_every_site_spiders_contracts_offline() -> None:
    """Before, `scrapy check` said "Ran 0 contracts … OK". The @url pages are not fetched: the
    network is never reached (each @url is answered from the fixture), so this passes offline."""
    done = scrapy("check", "-v")
    assert done.returncode == 0, done.stdout + done.stderr
    ran = re.search(r"Ran (\d+) contracts", done.stderr)
    assert ran and int(ran.group(1)) >= 8, done.stderr
    assert "OK" in done.stderr.splitlines()[-1]
    for source_id in SITE_SPIDERS:
        assert f"[{source_id}]" in done.stderr, done.stderr


def test_scrapy_check_fails_when_a_spider_stops_matching_its_fixture() -> None:
    """A contract that no longer holds fails the check: here the stored response is swapped for
    an empty bill list, as if the API had changed its shape."""
    empty = (
        "import sys, spiders.contracts as c; from scrapy.cmdline import execute;"
        " real = c.stored_response;"
        " c.stored_response = lambda url, body, suffix, request=None: real(url, b'{}', suffix, request);"
        " sys.argv = ['scrapy', 'check', 'us-congress-bills']; execute()"
    )
    env = {k: v for k, v in os.environ.items() if k != "POLICYWATCH_SOURCES"}
    broken = subprocess.run(
        [sys.executable, "-c", empty], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert broken.returncode == 1, broken.stderr
    assert "FAILED" in broken.stderr and "Returned 0 items, expected 5" in broken.stderr


def test_scrapy_list_shows_only_declared_site_spiders(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        "  - id: us-congress-bills\n    kind: spider\n    enabled: false\n"
        "    url: https://api.congress.gov/v3/bill?format=json\n"
        "  - id: not-written-yet\n    kind: spider\n    url: https://example.org/news\n",
        encoding="utf-8",
    )
    done = scrapy("list", sources=sources)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["us-congress-bills"]  # ec-presscorner-digital is not declared here
    assert "not-written-yet" in done.stderr and "no spider module" in done.stderr


def test_a_release_whose_document_fails_is_kept_from_the_feed() -> None:
    spider = ec.EcPresscornerDigitalSpider()
    hint = {
        "url": ec.DETAIL + "ip_26_1121",
        "title": "From the feed",
        "published": "2026-05-11T00:00:00+00:00",
    }
    request = Request(ec.DOCUMENTS_API + "IP/26/1121", cb_kwargs={"hint": hint})
    failure = Failure(ConnectionError("refused"))
    failure.request = request  # type: ignore[attr-defined]
    [item] = list(spider.document_failed(failure))
    assert (item.url, item.title, item.source_id) == (hint["url"], "From the feed", "ec-presscorner-digital")
    junk = TextResponse(url=request.url, body=b"<html>maintenance</html>", request=request)
    [item] = list(spider.parse_document(junk, hint=hint))
    assert (item.url, item.title, item.body) == (hint["url"], "From the feed", "")
    assert spider.local_counts == {"document_failed": 1, "document_not_json": 1, "document_without_text": 1}


def test_references_and_policy_areas() -> None:
    assert (
        ec.reference_of("https://ec.europa.eu/commission/presscorner/detail/en/qanda_26_1122")
        == "QANDA/26/1122"
    )
    assert ec.reference_of("https://ec.europa.eu/commission/presscorner/home/en") is None
    assert ec.detail_url("STATEMENT/26/2063") == ec.DETAIL + "statement_26_2063"
    assert ec.policy_areas(["POLICY_AREA=CNECT,DIGITAL", "other"]) == {"CNECT", "DIGITAL"}


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"),
        (101, "101st"),
        (102, "102nd"),
        (103, "103rd"),
        (111, "111th"),
        (112, "112th"),
        (119, "119th"),
    ],
)
def test_congress_ordinals(n: int, text: str) -> None:
    assert ordinal(n) == text


def test_bill_pages_and_records_without_one() -> None:
    assert bill_page({"congress": 118, "type": "HCONRES", "number": "7"}) == (
        "https://www.congress.gov/bill/118th-congress/house-concurrent-resolution/7"
    )
    assert bill_page({"congress": 119, "type": "XX", "number": "7"}) is None
    assert bill_page({"congress": 119, "type": "HR", "number": "7; drop"}) is None

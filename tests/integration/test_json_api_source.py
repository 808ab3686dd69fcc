"""`kind: json_api` for real APIs (issue 16): public page URLs from a template, declared date
formats, pagination (page, offset, cursor, next URL), keys from the environment, masked
everywhere, and network failures named as such.

The Regulations.gov fixture (tests/fixtures/json_api/regulations-gov-v4-documents.json) is
written by us in the v4 ``/documents`` format as the API serves it (JSON:API style, Jackson
pretty-printed with `` : ``): five made-up AI documents, three notices and two "Supporting &
Related Material" records, and a ``meta`` page block. The real response it follows
(../shared/corpus/real/jsonapi/regulations_gov_v4_documents.json) is read in place, never
copied here, as an extra case of the tests that run on ours. The shipped
``regulations-gov-ai`` source is disabled (it needs a key), so it is tested here rather than in
test_shipped_sources.py.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from core.sources_config import JsonApiPagination, JsonApiSource, load_sources
from core.yamlconf import ConfigError
from pipeline.urls import mask_secrets, register_secret
from services.dryrun import parse_fixture
from spiders import runner
from spiders.crawlreport import SecretMaskFilter
from spiders.parsing import expand_url_template, json_api_next_url, json_date
from tests.support.cases import our_case, real_cases
from tests.support.faultserver import closed_port
from tests.support.json_api import FakeApi
from tests.support.paths import FIXTURES, PW, ROOT

FIXTURE = FIXTURES / "json_api" / "regulations-gov-v4-documents.json"
KEY = "k3y-VALUE-8f1e2d"  # fake: what an operator exports; must never be printed


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def shipped(source_id: str) -> JsonApiSource:
    source = next(s for s in load_sources(ROOT / "sources.yaml") if s.id == source_id)
    assert isinstance(source, JsonApiSource)
    return source


# --------------------------------------------------------------------------- the fixture (ours)


def test_regulations_gov_fixture_gives_public_pages_utc_dates_and_categories() -> None:
    source = shipped("regulations-gov-ai")
    assert source.params_env == {"api_key": "REGULATIONS_GOV_KEY"} and "api_key" not in source.url
    result = parse_fixture(source, FIXTURE.read_bytes())
    assert [(i.published, i.title, i.url) for i in result.kept] == [
        (
            utc("2026-05-12T04:00:00"),
            "Request for Information on Evaluating the Security of Artificial Intelligence Agent Systems",
            "https://www.regulations.gov/document/NIST-2026-0003-0001",
        ),
        (
            utc("2026-05-08T04:00:00"),
            "Disclosures About Artificial Intelligence in Consumer Advertising; Public Workshop",
            "https://www.regulations.gov/document/FTC-2026-0051-0001",
        ),
        (
            utc("2026-04-30T04:00:00"),
            "Agency Use of Artificial Intelligence in Benefits Adjudication; Request for Comment",
            "https://www.regulations.gov/document/OMB-2026-0004-0001",
        ),
    ]
    assert [i.guid for i in result.kept] == [
        "NIST-2026-0003-0001",
        "FTC-2026-0051-0001",
        "OMB-2026-0004-0001",
    ]
    assert {tuple(i.categories) for i in result.kept} == {("Notice",)}
    # the two "Supporting & Related Material" records are dropped by the source's category filter
    assert result.dropped == {"exclude.category '^Supporting & Related Material$'": 2}
    # no item points at the API host (what `url: id` used to give)
    assert not any("api.regulations.gov" in i.url for i in result.kept)


def test_regulations_gov_fixture_next_page_is_page_number_two() -> None:
    source = shipped("regulations-gov-ai")
    data = json.loads(FIXTURE.read_bytes())
    nxt = json_api_next_url(source.url, data, source.pagination, page=1, records=5)
    assert nxt is not None
    query = parse_qs(urlsplit(nxt).query)
    assert query["page[number]"] == ["2"] and query["page[size]"] == ["25"]
    assert json_api_next_url(source.url, data, source.pagination, page=3, records=5) is None  # max_pages


# --------------------------------------------------------------------------- ours and the real capture

V4_RESPONSES = [our_case(FIXTURE), *real_cases("jsonapi/regulations_gov_v4_documents.json")]
"""Our v4 response, and the real one as an extra case when ../shared is there."""


@pytest.mark.parametrize("path", V4_RESPONSES)
def test_v4_response_parses_with_the_shipped_source(path: Path) -> None:
    """The shipped field paths, URL template, date format and filter on a v4 response, the
    expectation computed from its records."""
    records = json.loads(path.read_bytes())["data"]
    result = parse_fixture(shipped("regulations-gov-ai"), path.read_bytes())
    material = [r for r in records if r["attributes"]["documentType"] == "Supporting & Related Material"]
    assert material and len(result.kept) == len(records) - len(material)
    assert result.dropped == {"exclude.category '^Supporting & Related Material$'": len(material)}
    kept = [r for r in records if r not in material]
    assert [i.url for i in result.kept] == [f"https://www.regulations.gov/document/{r['id']}" for r in kept]
    assert [i.title for i in result.kept] == [r["attributes"]["title"] for r in kept]
    for item, record in zip(result.kept, kept, strict=True):
        posted = datetime.strptime(record["attributes"]["postedDate"], "%Y-%m-%dT%H:%M:%SZ")
        assert item.published == posted.replace(tzinfo=UTC)
        assert item.categories == [record["attributes"]["documentType"]]


@pytest.mark.parametrize("path", V4_RESPONSES)
def test_v4_response_has_a_next_page(path: Path) -> None:
    data = json.loads(path.read_bytes())
    source = shipped("regulations-gov-ai")
    assert data["meta"]["hasNextPage"] is True
    nxt = json_api_next_url(source.url, data, source.pagination, page=1, records=len(data["data"]))
    assert nxt is not None and parse_qs(urlsplit(nxt).query)["page[number]"] == ["2"]


# --------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("value", "fmt", "iso"),
    [
        ("2024-11-15T05:00:00Z", "%Y-%m-%dT%H:%M:%SZ", "2024-11-15T05:00:00+00:00"),
        ("05/04/2026", "%d/%m/%Y", "2026-04-05T00:00:00+00:00"),  # day first: guessing says May 4
        ("05/04/2026", None, "2026-05-04T00:00:00+00:00"),
        (1778587200, "epoch", "2026-05-12T12:00:00+00:00"),
        ("1778587200000", "epoch_ms", "2026-05-12T12:00:00+00:00"),
        ("2026-05-12T14:00:00+02:00", "iso", "2026-05-12T14:00:00+02:00"),
        ("12 May 2026", "%Y-%m-%d", None),  # does not fit the declared format
        ("", "%Y-%m-%d", None),
    ],
)
def test_json_date_reads_the_declared_format(value: Any, fmt: str | None, iso: str | None) -> None:
    assert json_date(value, fmt) == iso


def test_url_template_quotes_values_and_skips_records_without_them() -> None:
    template = "https://www.regulations.gov/document/{id}?docket={attributes.docketId}"
    record = {"id": "EPA-HQ/../x y", "attributes": {"docketId": "EPA-HQ-OAR"}}
    assert expand_url_template(template, record) == (
        "https://www.regulations.gov/document/EPA-HQ%2F..%2Fx%20y?docket=EPA-HQ-OAR"
    )
    assert expand_url_template(template, {"id": "A"}) is None
    assert expand_url_template(template, {"id": {"nested": 1}, "attributes": {"docketId": "d"}}) is None


def pagination(**kwargs: Any) -> JsonApiPagination:
    return JsonApiPagination.model_validate(kwargs)


def test_next_url_for_each_pagination_type() -> None:
    url = "https://api.example.org/v1/items?q=ai"
    page = pagination(type="page", param="page", max_pages=3)
    assert json_api_next_url(url, {}, page, 1, 10) == "https://api.example.org/v1/items?q=ai&page=2"
    assert json_api_next_url(url, {}, page, 2, 10) == "https://api.example.org/v1/items?q=ai&page=3"
    assert json_api_next_url(url, {}, page, 3, 10) is None  # max_pages
    assert json_api_next_url(url, {}, page, 1, 0) is None  # an empty page ends it
    more = pagination(type="page", param="page", has_more="meta.more")
    assert json_api_next_url(url, {"meta": {"more": False}}, more, 1, 10) is None
    assert json_api_next_url(url, {"meta": {"more": True}}, more, 1, 10) is not None

    offset = pagination(type="offset", param="offset", size=20)
    assert json_api_next_url(url, {}, offset, 1, 20) == "https://api.example.org/v1/items?q=ai&offset=20"
    assert json_api_next_url(url, {}, offset, 2, 20) == "https://api.example.org/v1/items?q=ai&offset=40"
    assert json_api_next_url(url, {}, offset, 1, 7) is None  # a short page is the last

    cursor = pagination(type="cursor", param="cursor", cursor="links.next_cursor")
    data = {"links": {"next_cursor": "abc=="}}
    assert (
        json_api_next_url(url, data, cursor, 1, 5) == "https://api.example.org/v1/items?q=ai&cursor=abc%3D%3D"
    )
    assert json_api_next_url(url, {"links": {}}, cursor, 1, 5) is None

    nxt = pagination(type="next_url", next_url="next_page_url")
    assert json_api_next_url(url, {"next_page_url": "/v1/items?page=2"}, nxt, 1, 5) == (
        "https://api.example.org/v1/items?page=2"
    )
    assert json_api_next_url(url, {"next_page_url": None}, nxt, 1, 5) is None
    assert json_api_next_url(url, {}, None, 1, 5) is None  # no pagination declared: one page


# --------------------------------------------------------------------------- configuration errors


def write_sources(path: Path, body: str) -> Path:
    path.write_text("sources:\n" + body, encoding="utf-8")
    return path


API_ENTRY = """\
  - id: api
    kind: json_api
    url: https://api.example.org/v1/items
    fields: {list: data, title: title, id: id}
"""


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        ("    url_template: https://example.org/doc/\n", 6, "at least one {field} placeholder"),
        ("    url_template: /doc/{id}\n", 6, "absolute http(s) URL"),
        ("", 2, "give fields.url"),
        ("    url_template: https://example.org/{id}\n    pagination: {type: offset, param: o}\n", 7, "size"),
        (
            "    url_template: https://example.org/{id}\n    pagination: {type: cursor, param: c}\n",
            7,
            "cursor",
        ),
        (
            "    url_template: https://example.org/{id}\n    params_env: {api_key: 'not a name'}\n",
            7,
            "pattern",
        ),
    ],
)
def test_bad_json_api_settings_name_file_line_and_field(
    tmp_path: Path, extra: str, line: int, message: str
) -> None:
    path = write_sources(tmp_path / "sources.yaml", API_ENTRY + extra)
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    text = str(info.value)
    assert text.startswith(f"{path}:{line}: "), text
    assert message in text


def test_bad_date_format_is_a_config_error(tmp_path: Path) -> None:
    entry = API_ENTRY.replace("id: id}", "id: id, date: d, date_format: yyyy-mm-dd}")
    path = write_sources(tmp_path / "sources.yaml", entry + "    url_template: https://example.org/{id}\n")
    with pytest.raises(
        ConfigError, match=r"sources.yaml:5: sources\[0\]\(api\)\.fields\.date_format: .*strptime"
    ):
        load_sources(path)


def test_missing_key_variable_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGULATIONS_GOV_KEY", raising=False)
    source = shipped("regulations-gov-ai")
    with pytest.raises(ConfigError) as info:
        source.secret_params()
    message = str(info.value)
    assert "\n" not in message
    assert (
        "REGULATIONS_GOV_KEY" in message
        and "regulations-gov-ai" in message
        and "params_env.api_key" in message
    )
    monkeypatch.setenv("REGULATIONS_GOV_KEY", KEY)
    assert source.secret_params() == {"api_key": KEY}


# --------------------------------------------------------------------------- masking


def test_a_key_from_the_environment_is_masked_whatever_its_parameter_name() -> None:
    secret = "zz-Registered-Secret-77"
    text = f"HTTP 500 from https://api.example.org/v1?client={secret}&q=1 ({secret})"
    assert secret in mask_secrets(text)  # `client` is not a credential name: not masked yet
    register_secret(secret)
    assert mask_secrets(text) == "HTTP 500 from https://api.example.org/v1?client=****&q=1 (****)"


def test_log_records_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    secret = "zz-Log-Secret-1234"
    register_secret(secret)
    record = logging.LogRecord(
        "scrapy",
        logging.ERROR,
        __file__,
        1,
        "Gave up retrying <GET %s>",
        (f"https://api.example.org/v1?x={secret}",),
        None,
    )
    assert SecretMaskFilter().filter(record)
    assert secret not in record.getMessage() and "x=****" in record.getMessage()


# --------------------------------------------------------------------------- a real crawl on loopback


def keyed_sources(path: Path, base: str, max_pages: int = 2) -> Path:
    return write_sources(
        path,
        "  - id: keyed-api\n    kind: json_api\n    private_network: true\n"
        f"    url: {base}/v4/documents?filter%5BsearchTerm%5D=ai\n"
        "    params_env: {api_key: PW_TEST_API_KEY}\n"
        "    fields: {list: data, title: attributes.title, id: id, date: attributes.postedDate,"
        " date_format: '%Y-%m-%dT%H:%M:%SZ', category: attributes.documentType}\n"
        "    url_template: https://www.regulations.gov/document/{id}\n"
        "    pagination: {type: page, param: 'page[number]', has_more: meta.hasNextPage,"
        f" max_pages: {max_pages}}}\n"
        "    exclude: {category: ['^Supporting']}\n",
    )


@pytest.fixture
def api() -> Iterator[FakeApi]:
    with FakeApi() as server:
        yield server


def test_crawl_sends_the_key_follows_pages_and_never_shows_the_key(
    api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PW_TEST_API_KEY", KEY)
    sources = keyed_sources(tmp_path / "sources.yaml", api.base, max_pages=2)
    result = runner.crawl("keyed-api", sources_path=sources, fast=True, timeout=90)
    assert result.failed_reason() is None, result.log_tail
    # two pages (max_pages), each with the key from the environment
    assert len(api.requests) == 2
    for n, path in enumerate(api.requests, 1):
        query = parse_qs(urlsplit(path).query)
        assert query["api_key"] == [KEY] and query["filter[searchTerm]"] == ["ai"]
        assert query.get("page[number]", ["1"]) == [str(n)]
    # public page URLs, UTC dates; the "Supporting" record of each page dropped by the filter
    assert [(i.url, i.published) for i in result.items] == [
        ("https://www.regulations.gov/document/DOC-1-1", utc("2026-05-01T01:00:00")),
        ("https://www.regulations.gov/document/DOC-2-1", utc("2026-05-02T01:00:00")),
    ]
    assert result.stats["policywatch/filtered"] == 2
    assert KEY not in json.dumps(result.stats, default=str) and KEY not in result.log_tail


def test_an_http_error_names_the_url_with_the_key_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PW_TEST_API_KEY", KEY)
    with FakeApi(status=403) as api:
        sources = keyed_sources(tmp_path / "sources.yaml", api.base)
        result = runner.crawl("keyed-api", sources_path=sources, fast=True, timeout=90)
    reason = result.failed_reason()
    assert reason is not None and "403" in reason and "api_key=****" in reason, reason
    assert KEY not in reason and KEY not in result.log_tail and KEY not in " ".join(result.errors)


def test_crawl_with_the_key_unset_is_not_started_and_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PW_TEST_API_KEY", raising=False)
    sources = keyed_sources(tmp_path / "sources.yaml", f"http://127.0.0.1:{closed_port()}")
    result = runner.crawl("keyed-api", sources_path=sources, fast=True, timeout=60)
    assert result.returncode is None  # no process was started
    assert result.failed_reason() == (
        "source keyed-api: environment variable PW_TEST_API_KEY is not set "
        "(params_env.api_key in the sources file); export it before fetching this source"
    )


# --------------------------------------------------------------------------- the dry-run command


def pw(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PW), *args], cwd=ROOT, capture_output=True, text=True, timeout=180, env=env or dict(os.environ)
    )


def test_dry_run_of_an_unreachable_api_is_a_network_error_with_the_key_masked(tmp_path: Path) -> None:
    sources = keyed_sources(tmp_path / "sources.yaml", f"http://127.0.0.1:{closed_port()}")
    proc = pw(
        "sources",
        "dry-run",
        "keyed-api",
        "--sources",
        str(sources),
        env={**os.environ, "PW_TEST_API_KEY": KEY},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.startswith("Network error: source keyed-api:"), proc.stderr
    assert "Configuration error" not in proc.stderr
    assert KEY not in proc.stdout + proc.stderr and "api_key=****" in proc.stderr


def test_dry_run_of_an_unreachable_feed_is_a_network_error(tmp_path: Path) -> None:
    sources = write_sources(
        tmp_path / "sources.yaml",
        f"  - id: gone\n    kind: feed\n    url: http://127.0.0.1:{closed_port()}/feed.xml\n"
        "    private_network: true\n    timeout_seconds: 3\n",
    )
    proc = pw("sources", "dry-run", "gone", "--sources", str(sources))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.startswith("Network error: source gone:"), proc.stderr
    assert "Traceback" not in proc.stderr


def test_dry_run_with_the_key_unset_is_a_config_error_naming_the_variable(tmp_path: Path) -> None:
    sources = keyed_sources(tmp_path / "sources.yaml", f"http://127.0.0.1:{closed_port()}")
    env = {k: v for k, v in os.environ.items() if k != "PW_TEST_API_KEY"}
    proc = pw("sources", "dry-run", "keyed-api", "--sources", str(sources), env=env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[0] == "Configuration error"
    assert len(lines) == 2 and "environment variable PW_TEST_API_KEY is not set" in lines[1]


def test_dry_run_of_the_fixture_needs_no_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "REGULATIONS_GOV_KEY"}
    proc = pw(
        "sources", "dry-run", "regulations-gov-ai", "--fixture", str(FIXTURE), "--format", "json", env=env
    )
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["url"] for r in rows][:1] == ["https://www.regulations.gov/document/NIST-2026-0003-0001"]
    assert len(rows) == 3 and "2 item(s) dropped by exclude.category" in proc.stderr


def test_spider_start_with_the_key_unset_records_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """`scrapy crawl ID` straight (no runner): the spider sends nothing and says why."""
    import asyncio

    from spiders.spiders.json_api import JsonApiSpider

    monkeypatch.delenv("REGULATIONS_GOV_KEY", raising=False)
    spider_cls = type("Probe", (JsonApiSpider,), {"name": "probe", "source": shipped("regulations-gov-ai")})
    spider = spider_cls()
    errors: list[str] = []
    stats = SimpleNamespace(
        get_value=lambda key, default=None: errors,
        set_value=lambda key, value: errors.__init__(value),  # type: ignore[misc]
        inc_value=lambda *a, **k: None,
    )
    spider.crawler = SimpleNamespace(stats=stats)  # type: ignore[assignment]

    async def requests() -> list[Any]:
        return [r async for r in spider.start()]

    assert asyncio.run(requests()) == []
    assert len(errors) == 1 and "REGULATIONS_GOV_KEY is not set" in errors[0]

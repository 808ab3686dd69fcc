"""spiders.scaffold: a new site spider arrives with a fixture and a test that fails until filled in."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from scrapy.http import HtmlResponse

from spiders.scaffold import new_source


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_new_source_writes_spider_fixture_and_failing_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("spiders.sources.sources_path", lambda: None)  # no config: START_URL is used
    paths = new_source("meti-press", "https://www.meti.go.jp/english/press/", tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == [
        "spiders/spiders/sites/meti_press.py",
        "tests/fixtures/meti-press.html",
        "tests/test_source_meti_press.py",
    ]
    with pytest.raises(FileExistsError):
        new_source("meti-press", "https://www.meti.go.jp/english/press/", tmp_path)
    with pytest.raises(ValueError):
        new_source("Bad Id", "https://x.example/", tmp_path)

    module_name = "spiders.spiders.sites.meti_press"
    monkeypatch.delitem(sys.modules, module_name, raising=False)
    spider_module = _load(module_name, paths[0])
    spider = spider_module.MetiPressSpider()
    assert spider.name == "meti-press"
    response = HtmlResponse(url=spider_module.START_URL, body=paths[1].read_bytes(), encoding="utf-8")
    [item] = list(spider.parse(response))
    assert (item.source_id, item.title, item.url) == (
        "meti-press",
        "Placeholder",
        "https://www.meti.go.jp/placeholder",
    )

    generated = _load("test_source_meti_press_generated", paths[2])
    with pytest.raises(AssertionError, match="save the real page"):
        generated.test_fixture_is_a_saved_page()
    with pytest.raises(AssertionError, match="TODO"):
        generated.test_parse()
    sys.modules.pop("test_source_meti_press_generated", None)

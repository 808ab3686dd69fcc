"""A site spider is a first-class source (issue 16, item 1).

``policywatch new-source ID URL --kind spider --format html|json|xml`` writes the spider module
under ``spiders/spiders/sites/``, its fixture under ``tests/fixtures/sources/``, its sources.yaml
entry and an ``EXPECTED`` row that fails until filled in; ``sources dry-run --fixture`` runs the
spider's own parse; ``scrapy list`` shows only declared site spiders; ``scrapy check`` runs the
spiders' contracts offline against their fixtures. The scaffold-to-green path is run for real
in a scratch copy of the project (for each format), as a maintainer would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from spiders.scaffold import EXPECTED_MARKER, new_source
from spiders.spiders.base import SiteSpider, SourceSpider
from tests.support.paths import ROOT

COPIED = (
    "policywatch",
    "core",
    "pipeline",
    "spiders",
    "models",
    "alerts",
    "services",
    "flows",
    "deployments",
    "rules",
)


def scratch_project(tmp_path: Path) -> Path:
    """A copy of the checkout's code, config and shipped-sources test (no .git, no venv)."""
    root = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        shutil.copytree(ROOT / name, root / name, ignore=ignore)
    for name in ("sources.yaml", "rules.yaml", "scrapy.cfg", "pyproject.toml", "subscriptions.example.yaml"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, root / name)
    (root / "tests" / "integration").mkdir(parents=True)
    for name in (
        "__init__.py",
        "conftest.py",
        "integration/__init__.py",
        "integration/test_shipped_sources.py",
    ):
        shutil.copy2(ROOT / "tests" / name, root / "tests" / name)
    shutil.copytree(ROOT / "tests" / "support", root / "tests" / "support", ignore=ignore)
    shutil.copytree(ROOT / "tests" / "fixtures" / "sources", root / "tests" / "fixtures" / "sources")
    return root


def run(root: Path, *cmd: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200"}
    for var in ("POLICYWATCH_SOURCES", "POLICYWATCH_BASE_URL", "SCRAPY_SETTINGS_MODULE"):
        env.pop(var, None)
    return subprocess.run(list(cmd), cwd=root, env=env, capture_output=True, text=True, timeout=300)


def pw(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(root, sys.executable, "-m", "policywatch.cli", *args)


def pytest_in(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(
        root,
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/integration/test_shipped_sources.py",
        *args,
    )


# Each format: the fixture a maintainer writes in the site's format, and the row it gives.
FILLED = {
    "html": (
        '<html><body><main><article><h2><a href="/news/ai-code">AI code of practice adopted</a></h2>'
        '<time datetime="2026-05-12">12 May 2026</time></article></main></body></html>\n',
        "https://example.org/news/ai-code",
    ),
    "json": (
        '{"items": [{"title": "AI code of practice adopted", "url": "/news/ai-code",'
        ' "date": "2026-05-12"}]}\n',
        "https://example.org/news/ai-code",
    ),
    "xml": (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><item>'
        "<title>AI code of practice adopted</title><link>https://example.org/news/ai-code</link>"
        "<pubDate>Tue, 12 May 2026 00:00:00 GMT</pubDate></item></channel></rss>\n",
        "https://example.org/news/ai-code",
    ),
}


@pytest.mark.parametrize("fmt", ["html", "json", "xml"])
def test_scaffold_fails_until_filled_in_then_passes(fmt: str, tmp_path: Path) -> None:
    root = scratch_project(tmp_path)
    sid = f"demo-{fmt}"
    made = pw(root, "new-source", sid, "https://example.org/news", "--kind", "spider", "--format", fmt)
    assert made.returncode == 0, made.stderr
    module = root / "spiders" / "spiders" / "sites" / f"demo_{fmt}.py"
    fixture = root / "tests" / "fixtures" / "sources" / f"{sid}.{fmt}"
    assert module.is_file() and fixture.is_file()
    assert not (root / "tests" / "fixtures" / f"{sid}.html").exists()
    assert f"--fixture tests/fixtures/sources/{sid}.{fmt} --format expected" in made.stdout

    # declared: it loads (and only it, of the new ones); its contracts run offline
    listed = run(root, sys.executable, "-m", "scrapy", "list")
    assert sid in listed.stdout.split(), listed.stderr
    checked = run(root, sys.executable, "-m", "scrapy", "check", sid)
    assert checked.returncode == 0 and "Ran 3 contracts" in checked.stderr, checked.stderr

    # the placeholder, the TODOs and the empty row fail, naming what to do
    failing = pytest_in(root, "-k", f"{sid} or every_enabled")
    assert failing.returncode == 1, failing.stdout
    assert "scaffold's placeholder" in failing.stdout and "still has a TODO" in failing.stdout

    # the maintainer writes the fixture, the entry, and pastes the dry run's row
    body, url = FILLED[fmt]
    fixture.write_text(body, encoding="utf-8")
    sources = root / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    text = text.replace(
        f"name: {sid}  # TODO: the publisher and what this page is", "name: Example ministry news"
    )
    text = text.replace(
        "jurisdictions: []  # TODO: implied by the publisher, e.g. [EU]", "jurisdictions: [EU]"
    )
    text = text.replace(
        "TODO: written by us in the site's format: say what real capture (if any) it was modelled on",
        "written by us for this test, in the format the scaffold's spider reads",
    )
    sources.write_text(text, encoding="utf-8")
    row = pw(root, "sources", "dry-run", sid, "--fixture", str(fixture), "--format", "expected")
    assert row.returncode == 0, row.stderr
    assert '"AI code of practice adopted"' in row.stdout and f'"{url}"' in row.stdout
    assert 'utc("2026-05-12T00:00:00")' in row.stdout
    shipped = root / "tests" / "integration" / "test_shipped_sources.py"
    code = shipped.read_text(encoding="utf-8")
    start = code.index("    # TODO: write tests/fixtures/sources/")
    end = code.index(f'    "{sid}": [],\n') + len(f'    "{sid}": [],\n')
    shipped.write_text(code[:start] + row.stdout + code[end:], encoding="utf-8")

    passing = pytest_in(root, "-k", f"{sid} or every_enabled")
    assert passing.returncode == 0, passing.stdout
    table = pw(root, "sources", "dry-run", sid, "--fixture", str(fixture))
    assert table.returncode == 0 and "1 item(s) (nothing stored)" in table.stdout, table.stdout + table.stderr


def test_scaffold_refuses_what_exists_and_bad_input(tmp_path: Path) -> None:
    root = tmp_path
    (root / "sources.yaml").write_text("sources:\n  - id: taken\n    kind: feed\n    url: https://x.org/f\n")
    (root / "tests" / "integration").mkdir(parents=True)
    shipped = root / "tests" / "integration" / "test_shipped_sources.py"
    shipped.write_text("EXPECTED = {\n" + EXPECTED_MARKER + "}\n")
    with pytest.raises(ValueError, match="must match"):
        new_source("Bad Id", "https://x.example/", root)
    with pytest.raises(ValueError, match="format 'csv'"):
        new_source("ok-id", "https://x.example/", root, "csv")
    with pytest.raises(FileExistsError, match="declared already"):
        new_source("taken", "https://x.example/", root)
    written = new_source("meti-press", "https://www.meti.go.jp/english/press/", root, "html")
    assert [p.relative_to(root).as_posix() for p in written] == [
        "spiders/spiders/sites/meti_press.py",
        "tests/fixtures/sources/meti-press.html",
        "sources.yaml",
        "tests/integration/test_shipped_sources.py",
    ]
    with pytest.raises(FileExistsError, match="refusing to overwrite"):
        new_source("meti-press", "https://www.meti.go.jp/english/press/", root, "json")
    shipped.write_text("EXPECTED = {}\n")
    with pytest.raises(ValueError, match="is missing from EXPECTED"):
        new_source("other-id", "https://x.example/", root)


def test_new_source_command_refuses_other_kinds_and_formats() -> None:
    done = run(
        ROOT,
        sys.executable,
        "-m",
        "policywatch.cli",
        "new-source",
        "x-y",
        "https://x.org/",
        "--kind",
        "listing",
    )
    assert done.returncode == 2 and "needs no code" in done.stderr
    done = run(
        ROOT,
        sys.executable,
        "-m",
        "policywatch.cli",
        "new-source",
        "x-y",
        "https://x.org/",
        "--format",
        "csv",
    )
    assert done.returncode == 2 and "csv" in done.stderr


def test_emit_and_count_work_without_a_crawler() -> None:
    """A spider made in a unit test has no crawler: emit() and count() must not crash on it."""

    class Bare(SourceSpider):
        name = "bare"

    spider = Bare()
    items = list(
        spider.emit(
            [
                {"url": "https://example.org/a", "title": "A"},
                {"url": "javascript:alert(1)", "title": "B"},
            ]
        )
    )
    assert [(i.source_id, i.url) for i in items] == [("bare", "https://example.org/a")]
    assert spider.local_counts == {"candidates": 2, "skipped_scheme": 1}


def test_a_site_spider_without_a_source_starts_at_its_own_url() -> None:
    class Loose(SiteSpider):
        name = "loose"
        start_url = "https://example.org/list"

    assert Loose().entry_url == "https://example.org/list"

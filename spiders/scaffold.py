"""Scaffold a site spider (a ``kind: spider`` source), City Bureau style.

A hand-written spider is the exception (decision 3); when one is needed it arrives as a
first-class source: its module under ``spiders/spiders/sites/``, its fixture under
``tests/fixtures/sources/`` in the site's format, its entry in ``sources.yaml`` and an empty
``EXPECTED`` row in ``tests/integration/test_shipped_sources.py``. The shipped-sources test fails
until the fixture is written and the row is filled in (``policywatch sources dry-run ID --fixture FILE
--format expected`` prints it), so a site redesign shows up as a failing test rather than as
silent zero-item crawls.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

TEMPLATES = Path(__file__).parent / "templates"
FORMATS = ("html", "json", "xml")
EXPECTED_MARKER = "    # policywatch new-source adds its row above this line\n"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{1,62}$")


def _names(source_id: str) -> dict[str, str]:
    module = source_id.replace("-", "_")
    class_name = "".join(part.capitalize() for part in re.split(r"[-_]", source_id)) + "Spider"
    if class_name[0].isdigit():
        class_name = "S" + class_name
    return {"source_id": source_id, "module": module, "class_name": class_name}


def _render(template: str, values: dict[str, str]) -> str:
    return Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(values)


def expected_row(source_id: str, fmt: str) -> str:
    """The empty ``EXPECTED`` row: the shipped-sources test fails on it until it is filled in."""
    fixture = f"tests/fixtures/sources/{source_id}.{fmt}"
    return (
        f"    # TODO: write {fixture}, then paste what\n"
        f"    # .venv/bin/policywatch sources dry-run {source_id} --fixture {fixture} --format expected\n"
        f"    # prints, after checking it, in place of the next line.\n"
        f'    "{source_id}": [],\n'
    )


def new_source(source_id: str, url: str, root: Path, fmt: str = "html") -> list[Path]:
    """Write the spider module and the fixture; add the source to ``sources.yaml`` and its empty
    row to ``EXPECTED``. Returns the paths written or changed, in that order.

    Refuses (ValueError, FileExistsError; one line each) before writing anything when the id or
    format is bad, a file exists, or the id is already declared or expected.
    """
    if not _ID.match(source_id):
        raise ValueError(f"source id {source_id!r} must match {_ID.pattern}")
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    values = {**_names(source_id), "url": url}
    module = root / "spiders" / "spiders" / "sites" / f"{values['module']}.py"
    fixtures = root / "tests" / "fixtures" / "sources"
    sources_file = root / "sources.yaml"
    shipped_test = root / "tests" / "integration" / "test_shipped_sources.py"
    existing = [str(p) for p in (module, *sorted(fixtures.glob(f"{source_id}.*"))) if p.exists()]
    if existing:
        raise FileExistsError(f"refusing to overwrite: {', '.join(existing)}")
    for path in (sources_file, shipped_test):
        if not path.is_file():
            raise FileNotFoundError(f"{path}: not found (run new-source in a checkout of the project)")
    sources_text = sources_file.read_text(encoding="utf-8")
    if re.search(rf"^\s*-\s*id:\s*['\"]?{re.escape(source_id)}['\"]?\s*$", sources_text, re.MULTILINE):
        raise FileExistsError(f"{sources_file}: source {source_id} is declared already")
    shipped_text = shipped_test.read_text(encoding="utf-8")
    if EXPECTED_MARKER not in shipped_text:
        raise ValueError(f"{shipped_test}: the line {EXPECTED_MARKER.strip()!r} is missing from EXPECTED")
    if f'    "{source_id}": [' in shipped_text:
        raise FileExistsError(f"{shipped_test}: EXPECTED has a row for {source_id} already")

    fixture = fixtures / f"{source_id}.{fmt}"
    module.parent.mkdir(parents=True, exist_ok=True)
    fixture.parent.mkdir(parents=True, exist_ok=True)
    module.write_text(_render(f"site_spider_{fmt}.py.tmpl", values), encoding="utf-8")
    fixture.write_text(_render(f"fixture.{fmt}.tmpl", values), encoding="utf-8")
    entry = _render("source_entry.yaml.tmpl", values)
    sources_file.write_text(sources_text.rstrip("\n") + "\n" + entry, encoding="utf-8")
    shipped_test.write_text(
        shipped_text.replace(EXPECTED_MARKER, expected_row(source_id, fmt) + EXPECTED_MARKER, 1),
        encoding="utf-8",
    )
    return [module, fixture, sources_file, shipped_test]

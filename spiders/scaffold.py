"""Scaffold a site-specific spider: module + stored fixture + failing test (city-scrapers style).

A hand-written spider is the exception (decision 3); when one is needed it should arrive with
the page it was written against and a test that pins its output, so a site redesign shows up
as a failing test rather than as silent zero-item crawls.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

TEMPLATES = Path(__file__).parent / "templates"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{1,62}$")


def _names(source_id: str) -> dict[str, str]:
    module = source_id.replace("-", "_")
    class_name = "".join(part.capitalize() for part in re.split(r"[-_]", source_id)) + "Spider"
    if class_name[0].isdigit():
        class_name = "S" + class_name
    return {"source_id": source_id, "module": module, "class_name": class_name}


def new_source(source_id: str, url: str, root: Path) -> list[Path]:
    """Write ``spiders/spiders/sites/<id>.py``, ``tests/fixtures/<id>.html``, ``tests/test_source_<id>.py``.

    Refuses to overwrite anything. Returns the written paths. Add the source to sources.yaml
    with ``kind: spider`` and the same id.
    """
    if not _ID.match(source_id):
        raise ValueError(f"source id {source_id!r} must match {_ID.pattern}")
    values = {**_names(source_id), "url": url}
    targets = {
        "site_spider.py.tmpl": root / "spiders" / "spiders" / "sites" / f"{values['module']}.py",
        "fixture.html.tmpl": root / "tests" / "fixtures" / f"{source_id}.html",
        "test_source.py.tmpl": root / "tests" / f"test_source_{values['module']}.py",
    }
    existing = [str(p) for p in targets.values() if p.exists()]
    if existing:
        raise FileExistsError(f"refusing to overwrite: {', '.join(existing)}")
    written: list[Path] = []
    for template, target in targets.items():
        text = Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(values)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written

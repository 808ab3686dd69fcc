"""The seed articles as the tests read them: ours (``tests/fixtures/seeds``, always) and the five
real founding articles (``../shared/corpus/seeds``) as extra cases when they are there.

Rows are built the way ``shared/tools/seeds_jsonl.py`` builds them for ``policywatch classify``
(a WordPress post's rendered title and tag-stripped content, else first line = title), so the
tests read what the acceptance script feeds the CLI, without needing that script.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import FIXTURES, SEEDS

OUR_SEEDS = FIXTURES / "seeds"


def seed_folders() -> list[tuple[str, Path]]:
    """``("ours", tests/fixtures/seeds)``, then ``("real", ../shared/corpus/seeds)`` if present."""
    folders = [("ours", OUR_SEEDS)]
    if (SEEDS / "labels.json").is_file():
        folders.append(("real", SEEDS))
    return folders


def labels(folder: Path) -> dict[str, Any]:
    """The folder's ``labels.json`` without its ``_about`` notes."""
    data = json.loads((folder / "labels.json").read_text("utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def seed_row(path: Path) -> dict[str, str]:
    """One seed as a JSON-lines row for ``policywatch classify`` / ``import``."""
    raw = path.read_text(encoding="utf-8")
    row = {"id": path.name}
    if raw.lstrip().startswith("{"):
        post = json.loads(raw)
        row["title"] = html.unescape(post["title"]["rendered"])
        row["text"] = html.unescape(re.sub(r"<[^>]+>", " ", post["content"]["rendered"]))
        row["url"] = post["link"]
        row["published"] = post["date_gmt"]
    else:
        lines = [line for line in raw.splitlines() if line.strip()]
        row["title"], row["text"] = lines[0], "\n".join(lines[1:])
    return row


def seed_jsonl(folder: Path, out: Path) -> Path:
    """Every seed of the folder as JSON lines in ``out``."""
    rows = [seed_row(path) for path in sorted(folder.glob("*.txt"))]
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return out


def every_seed() -> list[pytest.ParameterSet]:
    """One case per labelled seed of each folder: ``ours:000_...txt``, ``real:000_...txt``."""
    return [
        pytest.param(folder / name, id=f"{tag}:{name}")
        for tag, folder in seed_folders()
        for name in sorted(labels(folder))
    ]

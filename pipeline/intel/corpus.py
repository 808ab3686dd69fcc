"""The real, labelled news corpus beside the project (``../shared/corpus/news``), read in place.

Its texts belong to their publishers: training, evaluation and tests read them from there and
never copy them into the project. Without ``../shared`` (a fresh clone elsewhere), whatever needs
the corpus says so and stops or skips.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.config import current
from core.yamlconf import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
SPLITS = ("train", "dev", "test")
TRAINING_SPLITS = ("train", "dev")
"""What the shipped model is fitted on, and what leave-series-out holds series out of. Settings
were chosen on these two (leave-series-out, and ``dev`` held out while ``train`` alone was fitted);
since 2026-12-08 the shipped model is fitted on both: held out by series over train+dev, fitting
on both splits' other series rather than on train's alone scores macro-F1 0.814 -> 0.831 (0.817 ->
0.833 with the generic triggers alone), better on each of 8 random assignments of series to folds.
``test`` is never fitted or tuned on: it is for reporting."""


def corpus_dir() -> Path:
    """``POLICYWATCH_CORPUS`` (read through ``core.config``, the one place the environment is
    read, when asked: a CLI flag or a test may set it after import) or ``../shared/corpus/news``
    beside the project root."""
    return current().corpus or PROJECT_ROOT.parent / "shared" / "corpus" / "news"


def news_path() -> Path | None:
    path = corpus_dir() / "news.jsonl"
    return path if path.is_file() else None


def corpus_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True, slots=True)
class LabelledItem:
    id: str
    split: str
    title: str
    text: str
    published: str | None
    lang: str
    shape: str
    event_type: str
    event: dict[str, Any] | None
    jurisdictions: list[str]
    url: str


def read_labelled(path: Path, split: str | None = None) -> list[LabelledItem]:
    """Labelled JSON lines (the corpus's shape; a file without ``split`` counts as one split).

    A line that is not JSON, or lacks ``event_type``, stops with file:line, so a typo in a
    labelled file is never silently scored as 'none'."""
    out: list[LabelledItem] = []
    with path.open(encoding="utf-8") as fh:
        for no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{path}:{no}: not JSON ({exc.msg})") from None
            if not isinstance(r, dict) or "event_type" not in r:
                raise ConfigError(f"{path}:{no}: event_type: field required (a labelled item)")
            if split and r.get("split", split) != split:
                continue
            text = r.get("text") or ""
            out.append(
                LabelledItem(
                    id=str(r.get("id", no)),
                    split=str(r.get("split") or ""),
                    title=r.get("title") or "",
                    text=text,
                    published=r.get("published"),
                    lang=r.get("lang") or "?",
                    shape=r.get("shape") or ("feed" if len(text) < 700 else "page"),
                    event_type=r["event_type"],
                    event=r.get("event"),
                    jurisdictions=list(r.get("jurisdictions") or []),
                    url=r.get("url") or "",
                )
            )
    return out


def published_date(item: LabelledItem) -> datetime | None:
    """The item's publication date as the pipeline gets it (midnight UTC), or None."""
    try:
        return datetime.fromisoformat(item.published).replace(tzinfo=UTC) if item.published else None
    except ValueError:
        return None


def seeds_dir() -> Path:
    """The five founding articles (``../shared/corpus/seeds``), labelled in ``labels.json``."""
    return corpus_dir().parent / "seeds"


def read_seeds(folder: Path) -> list[LabelledItem]:
    """The seeds as ``policywatch classify`` gets them from ``shared/tools/seeds_jsonl.py``: a
    WordPress post's rendered title and tag-stripped content, else first line = title."""
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    out = []
    for path in sorted(folder.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        published = None
        if raw.lstrip().startswith("{"):
            post = json.loads(raw)
            title = html.unescape(post["title"]["rendered"])
            text = html.unescape(re.sub(r"<[^>]+>", " ", post["content"]["rendered"]))
            published = str(post["date_gmt"])[:10]
        else:
            lines = [line for line in raw.splitlines() if line.strip()]
            title, text = lines[0], "\n".join(lines[1:])
        label = labels[path.name]
        out.append(
            LabelledItem(
                id=path.name,
                split="seeds",
                title=title,
                text=text,
                published=published,
                lang="en",
                shape="page",
                event_type=label["primary"],
                event=None,
                jurisdictions=list(label.get("jurisdictions") or []),
                url="",
            )
        )
    return out

"""The project's rules.yaml points at the rules folder: one set of rules, two ways to name it.

A maintainer looking for "the rules" finds rules.yaml at the top of the checkout, which says
where they live (rules/, one file per concern); loading either gives the very same rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.settings import RULES_DIR
from core.yamlconf import ConfigError
from pipeline.intel.rules_loading import load_rules
from tests.support.paths import ROOT


def test_the_checkouts_rules_yaml_names_the_shipped_folder() -> None:
    via_pointer = load_rules(ROOT / "rules.yaml")
    via_folder = load_rules(RULES_DIR)
    assert via_pointer.model_dump() == via_folder.model_dump()
    assert len(via_pointer.series) > 10


def test_a_pointer_to_a_missing_folder_is_a_one_line_config_error(tmp_path: Path) -> None:
    pointer = tmp_path / "rules.yaml"
    pointer.write_text("# mine\nfolder: nowhere\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_rules(pointer)
    assert "nowhere" in str(exc.value) and "\n" not in str(exc.value)


def test_editing_a_file_of_the_pointed_folder_is_a_new_version(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    for f in RULES_DIR.glob("*.yaml"):
        (folder / f.name).write_bytes(f.read_bytes())
    pointer = tmp_path / "rules.yaml"
    pointer.write_text("folder: rules\n", encoding="utf-8")
    before = load_rules(pointer)
    topics = folder / "topics.yaml"
    text = topics.read_text(encoding="utf-8")
    added = "topics:\n  - id: zz_new_topic\n    aliases: [zz new topic]"
    topics.write_text(text.replace("topics:", added, 1), encoding="utf-8")
    st = topics.stat()
    os.utime(topics, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    after = load_rules(pointer)
    assert "zz_new_topic" in {t.id for t in after.topics}
    assert "zz_new_topic" not in {t.id for t in before.topics}

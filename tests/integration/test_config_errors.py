"""Bad configuration names the file, the line and the field, before anything is fetched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from alerts.subscriptions import load_subscriptions
from core.settings import RULES_DIR, rule_files, rules_text
from core.sources_config import load_sources
from core.yamlconf import ConfigError
from tests.support.paths import ROOT


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_files_are_valid() -> None:
    root = ROOT
    assert len(load_sources(root / "sources.yaml")) >= 5
    subs = load_subscriptions(root / "subscriptions.example.yaml", environ={})
    assert [s.name for s in subs.subscribers] == ["policy-team", "eu-asia-desk"]


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        (
            "sources:\n  - id: a-feed\n    kind: feed\n    url: http://x.org/rss\n"
            "  - id: b\n    kind: feeed\n    url: http://x.org\n",
            5,
            "sources[1](b)",
            "does not match any of the expected tags",
        ),
        (
            "sources:\n  - id: a-feed\n    kind: feed\n    url: not a url\n",
            4,
            "sources[0](a-feed).url",
            "URL",
        ),
        (
            "sources:\n  - id: a-feed\n    kind: feed\n    url: http://x.org/rss\n    tier: weekly\n",
            5,
            "sources[0](a-feed).tier",
            "Input should be",
        ),
        (
            "sources:\n  - id: a-feed\n    kind: feed\n    url: http://x.org/rss\n    colour: red\n",
            5,
            "sources[0](a-feed).colour",
            "Extra inputs",
        ),
    ],
)
def test_source_errors_name_file_line_field(
    tmp_path: Path, text: str, line: int, field: str, message: str
) -> None:
    path = write(tmp_path, "sources.yaml", text)
    with pytest.raises(ConfigError) as err:
        load_sources(path)
    assert f"{path}:{line}: {field}" in str(err.value)
    assert message in str(err.value)


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = write(tmp_path, "sources.yaml", "sources:\n  - id: x\n    url: [unclosed\n")
    with pytest.raises(ConfigError, match=rf"{path}:\d+: invalid YAML"):
        load_sources(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_sources(tmp_path / "nope.yaml")


SUBS = """subscribers:
  - name: team
    channels:
      - name: mail
        url_env: PW_TEST_MAIL
    filters:
      event_types: [summit]
"""


def test_missing_env_var_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "subs.yaml", SUBS)
    with pytest.raises(ConfigError) as err:
        load_subscriptions(path, environ={})
    assert (
        f"{path}:4: subscribers[0](team).channels[0](mail): environment variable PW_TEST_MAIL is not set"
        in str(err.value)
    )


def test_bad_apprise_url_is_named_and_redacted(tmp_path: Path) -> None:
    path = write(tmp_path, "subs.yaml", SUBS)
    with pytest.raises(ConfigError) as err:
        load_subscriptions(path, environ={"PW_TEST_MAIL": "nosuchscheme://user:hunter2@host"})
    assert "not a valid Apprise URL" in str(err.value)
    assert "hunter2" not in str(err.value)


def test_secret_urls_are_not_allowed_inline(tmp_path: Path) -> None:
    path = write(tmp_path, "subs.yaml", SUBS.replace("url_env: PW_TEST_MAIL", "url: mailto://u:p@x.org"))
    with pytest.raises(ConfigError, match=r"subs.yaml:4: subscribers\[0\]\(team\).channels\[0\]\(mail\)"):
        load_subscriptions(path, environ={})


def test_unknown_event_type_filter(tmp_path: Path) -> None:
    path = write(tmp_path, "subs.yaml", SUBS.replace("[summit]", "[summit, picnic]"))
    with pytest.raises(ConfigError, match=r"subs.yaml:7: subscribers\[0\]\(team\).filters.event_types.1"):
        load_subscriptions(path, environ={"PW_TEST_MAIL": "json://127.0.0.1:9/x"})


def test_duplicate_source_id_is_named_at_its_own_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sources.yaml",
        "sources:\n  - id: a-feed\n    kind: feed\n    url: http://x.org/rss\n"
        "  - id: b-feed\n    kind: feed\n    url: http://y.org/rss\n"
        "  - id: a-feed\n    kind: feed\n    url: http://z.org/rss\n",
    )
    with pytest.raises(ConfigError) as err:
        load_sources(path)
    assert str(err.value) == (
        f"{path}:8: sources[2](a-feed).id: duplicate source id 'a-feed' (first at line 2)"
    )


TWO_SUBS = """subscribers:
  - name: dpc-desk
    channels:
      - name: mail
        url: pwconsole://
    filters:
      series: [Digital Partnership Council]
  - name: summit-desk
    channels:
      - name: mail
        url: pwconsole://
      - name: NAME2
        url: pwconsole://
"""


def test_same_channel_name_under_two_subscribers_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path, "subs.yaml", TWO_SUBS.replace("NAME2", "chat"))
    subs = load_subscriptions(path, environ={})
    assert [c.name for c in subs.channels["summit-desk"]] == ["mail", "chat"]


def test_duplicate_subscriber_name_is_named_at_its_own_line(tmp_path: Path) -> None:
    path = write(tmp_path, "subs.yaml", TWO_SUBS.replace("NAME2", "chat").replace("summit-desk", "dpc-desk"))
    with pytest.raises(ConfigError) as err:
        load_subscriptions(path, environ={})
    assert str(err.value) == (
        f"{path}:8: subscribers[1](dpc-desk).name: duplicate subscriber name 'dpc-desk' (first at line 2)"
    )


def test_duplicate_channel_name_is_named_at_its_own_line(tmp_path: Path) -> None:
    text = (
        TWO_SUBS.replace("NAME2", "mail")
        + "operators:\n  channels:\n    - name: ops\n      url: pwconsole://\n"
    )
    text += "    - name: ops\n      url: pwconsole://\n"
    path = write(tmp_path, "subs.yaml", text)
    with pytest.raises(ConfigError) as err:
        load_subscriptions(path, environ={})
    assert str(err.value).splitlines() == [
        f"{path}:12: subscribers[1](summit-desk).channels[1](mail).name: "
        "duplicate channel name 'mail' (first at line 10)",
        f"{path}:18: operators.channels[1](ops).name: duplicate channel name 'ops' (first at line 16)",
    ]


@pytest.mark.parametrize(
    ("text", "line", "key", "first"),
    [
        ("sources:\n  - id: a-feed\n    kind: feed\n    url: http://x.org/rss\n    id: b-feed\n", 5, "id", 2),
        ("sources: []\nsources:\n  - id: a-feed\n", 2, "sources", 1),
        ("sources:\n  - {id: a-feed, kind: feed, url: 'http://x.org/rss', kind: listing}\n", 2, "kind", 2),
    ],
)
def test_duplicate_yaml_key_is_named_at_its_line(
    tmp_path: Path, text: str, line: int, key: str, first: int
) -> None:
    path = write(tmp_path, "sources.yaml", text)
    with pytest.raises(ConfigError) as err:
        load_sources(path)
    assert str(err.value) == f"{path}:{line}: duplicate key {key!r} (first at line {first})"


def test_duplicate_key_in_subscriptions_is_an_error(tmp_path: Path) -> None:
    """The silent case of the report: a second ``filters:`` replaced the first one."""
    text = TWO_SUBS.replace("NAME2", "chat").replace(
        "      series: [Digital Partnership Council]\n",
        "      series: [Digital Partnership Council]\n    filters:\n      keywords: [summit]\n",
    )
    path = write(tmp_path, "subs.yaml", text)
    with pytest.raises(ConfigError, match=rf"^{path}:8: duplicate key 'filters' \(first at line 6\)$"):
        load_subscriptions(path, environ={})


def test_yaml_anchors_are_walked_once(tmp_path: Path) -> None:
    """A YAML bomb (anchors of anchors) must not make the duplicate-key check expand it."""
    lines = ["a0: &a0 {k: v}"] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = write(tmp_path, "sources.yaml", "\n".join(lines) + "\nsources: []\n")
    with pytest.raises(ConfigError, match="Extra inputs"):
        load_sources(path)


def test_catastrophic_rule_pattern_is_a_config_error_with_its_line(tmp_path: Path) -> None:
    """(a+)+$ took 34 s on 28 characters; it must fail at load, with file and line."""
    from pipeline.intel.rules_loading import load_rules

    shipped = rules_text()  # the shipped rules folder as one rules.yaml
    marker = "boilerplate_markers:\n"
    assert marker in shipped
    path = write(tmp_path, "rules.yaml", shipped.replace(marker, marker + "  - '(a+)+$'\n", 1))
    line = shipped[: shipped.index(marker)].count("\n") + 2
    with pytest.raises(ConfigError) as err:
        load_rules(path)
    assert str(err.value).startswith(
        f"{path}:{line}: boilerplate_markers[0]: Value error, regular expression"
    )
    assert "backtrack catastrophically" in str(err.value)


def _rules_folder(tmp_path: Path) -> Path:
    """A copy of the shipped rules folder (without the cues, which have their own schema)."""
    folder = tmp_path / "rules"
    folder.mkdir()
    for path in rule_files(RULES_DIR):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def test_an_error_in_a_rules_folder_names_its_file_and_line(tmp_path: Path) -> None:
    from pipeline.intel.rules_loading import load_rules

    folder = _rules_folder(tmp_path)
    events = folder / "events.yaml"
    text = events.read_text(encoding="utf-8")
    marker = "boilerplate_markers:\n"
    events.write_text(text.replace(marker, marker + "  - '(a+)+$'\n", 1), encoding="utf-8")
    line = text[: text.index(marker)].count("\n") + 2
    with pytest.raises(ConfigError) as err:
        load_rules(folder)
    expected = f"{events}:{line}: boilerplate_markers[0]: Value error, regular expression"
    assert str(err.value).startswith(expected)


def test_a_rules_folder_holds_each_key_once_and_every_key(tmp_path: Path) -> None:
    from pipeline.intel.rules_loading import load_rules

    folder = _rules_folder(tmp_path)
    (folder / "more.yaml").write_text("# mine\ntopics: []\n", encoding="utf-8")
    twice = rf"^{folder / 'topics.yaml'}:\d+: topics: also in {folder / 'more.yaml'}"
    with pytest.raises(ConfigError, match=twice):
        load_rules(folder)
    (folder / "more.yaml").unlink()
    (folder / "status.yaml").unlink()
    with pytest.raises(ConfigError, match=rf"^{folder}: status: Field required"):
        load_rules(folder)


def test_catastrophic_cue_pattern_is_a_config_error_with_its_line(tmp_path: Path) -> None:
    from pipeline.intel.cues import load_cues

    text = "version: 1\nfamilies:\n  summit:\n    about: summits\n    patterns:\n"
    path = write(tmp_path, "cues.yaml", text + "      - '\\bsummits?\\b'\n      - '(\\w+\\s?)+$'\n")
    with pytest.raises(ConfigError, match=rf"^{path}:7: families\.summit\.patterns\[1\]: .*catastrophically"):
        load_cues(path)


def test_catastrophic_rule_fails_the_cli_fast(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    shipped = rules_text()  # the shipped rules folder as one rules.yaml
    rules = write(
        tmp_path,
        "rules.yaml",
        shipped.replace("boilerplate_markers:\n", "boilerplate_markers:\n  - '(a+)+$'\n"),
    )
    items = write(tmp_path, "in.jsonl", '{"id": 1, "title": "t", "text": "' + "a" * 40 + '!"}\n')
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "policywatch"), "classify", str(items)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "POLICYWATCH_RULES": str(rules)},
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{rules}:" in proc.stderr and "(a+)+$" in proc.stderr and "catastrophically" in proc.stderr


@pytest.mark.parametrize(
    "url",
    [
        "mailto://watch:Hunter2Secret@",
        "mailtos://watch:Hunter2Secret@smtp.example.org:notaport",
        "slack://Hunter2Secret/",
        "json://watch:Hunter2Secret@[::1",
        "nosuchscheme://watch:Hunter2Secret@host",
    ],
)
def test_apprise_log_lines_mask_malformed_url_secrets(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, url: str
) -> None:
    """Apprise logs the URL it cannot load at ERROR level: wherever logging is set up (Prefect,
    a service), that line reached stderr with the password in clear, or half-masked as 'H...t'."""
    path = write(tmp_path, "subs.yaml", SUBS)
    with caplog.at_level("DEBUG"), pytest.raises(ConfigError, match="not a valid Apprise URL"):
        load_subscriptions(path, environ={"PW_TEST_MAIL": url})
    apprise_lines = [r.getMessage() for r in caplog.records if r.name == "apprise"]
    assert apprise_lines, "Apprise logged nothing: the filter was not exercised"
    for line in apprise_lines:
        assert "Hunter2Secret" not in line and "H...t" not in line, line


def test_run_with_a_malformed_channel_url_prints_no_password(tmp_path: Path) -> None:
    """The reported case, end to end: `policywatch run` sets up Prefect's logging, which prints
    Apprise's 'Could not load E-Mail URL' line on stderr."""
    import os
    import subprocess
    import sys

    subs = write(tmp_path, "subs.yaml", SUBS)
    sources = write(
        tmp_path, "sources.yaml", "sources:\n  - id: a-feed\n    kind: feed\n    url: http://x.org/rss\n"
    )
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "policywatch"), "run", "--sources", str(sources)],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "POLICYWATCH_SUBSCRIPTIONS": str(subs),
            "PW_TEST_MAIL": "mailto://watch:Hunter2Secret@",
        },
    )
    assert proc.returncode == 2 and "not a valid Apprise URL" in proc.stderr
    assert "Could not load E-Mail URL: ****" in proc.stderr  # Apprise's own line, masked
    assert "Hunter2Secret" not in proc.stderr + proc.stdout


def _policywatch(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "policywatch"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


def test_reclassify_stops_on_a_broken_sources_file(tmp_path: Path) -> None:
    """A broken sources.yaml used to be swallowed by reclassify (every publisher's implied
    jurisdiction silently dropped); now it is the one-line config error, exit 2, nothing replayed."""
    assert _policywatch("db", "upgrade", env={}).returncode == 0
    broken = write(tmp_path, "sources.yaml", "sources:\n  - id: x\n    kind: feed\n    url: not a url\n")
    proc = _policywatch("reclassify", env={"POLICYWATCH_SOURCES": str(broken)})
    assert proc.returncode == 2, proc.stderr
    assert "Configuration error" in proc.stderr and f"{broken}:4:" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and "Reclassified" not in proc.stdout


def test_sources_list_without_a_store_still_lists(tmp_path: Path) -> None:
    """The store only adds health to the list: unreachable, every source is 'never polled'."""
    sources = write(
        tmp_path, "sources.yaml", "sources:\n  - id: only-one\n    kind: feed\n    url: https://e.org/f\n"
    )
    proc = _policywatch(
        "sources",
        "list",
        "--sources",
        str(sources),
        env={"POLICYWATCH_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "COLUMNS": "200"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "only-one" in proc.stdout and "never polled" in proc.stdout

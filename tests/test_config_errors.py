"""Bad configuration names the file, the line and the field, before anything is fetched."""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts.subscriptions import load_subscriptions
from policywatch.sources_config import load_sources
from policywatch.yamlconf import ConfigError


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_files_are_valid() -> None:
    root = Path(__file__).resolve().parents[1]
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

"""Packaging: requirements.lock agrees with pyproject.toml, and the wheel is one namespace that
works away from the checkout (issue 15: `pip install .` gave a policywatch that could not find
rules.yaml, and put `models`, `pipeline`, ... at the top of site-packages).

Offline: the wheel is built with the hatchling of the test environment (a dev dependency),
installed with --no-deps into a temporary folder and run with this environment's dependencies.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.support.paths import ROOT

APP_PACKAGES = ("core", "pipeline", "spiders", "models", "alerts", "services", "flows", "deployments")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _lock() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for n, line in enumerate((ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep, f"requirements.lock:{n}: {line!r} is not pinned with =="
        key = canonicalize_name(name)
        assert key not in pins, f"requirements.lock:{n}: {name} pinned twice"
        pins[key] = Version(version)
    return pins


def _declared() -> list[Requirement]:
    project = _pyproject()["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in project.get("optional-dependencies", {}).values():
        reqs += [Requirement(r) for r in extra]
    return reqs


def test_lock_pins_every_declared_dependency_within_its_specifier() -> None:
    lock = _lock()
    problems = []
    for req in _declared():
        pinned = lock.get(canonicalize_name(req.name))
        if pinned is None:
            problems.append(f"{req}: not in requirements.lock")
        elif not req.specifier.contains(pinned, prereleases=True):
            problems.append(f"{req}: requirements.lock pins {pinned}")
    assert not problems, "requirements.lock disagrees with pyproject.toml:\n" + "\n".join(problems)


def test_lock_covers_what_the_dependencies_pull_in_and_the_environment_matches_it() -> None:
    """Every distribution reachable from the declared dependencies (as installed here, markers
    evaluated) is pinned in the lock, and this environment (built by `make install` with
    ``-c requirements.lock``) has the pinned version: the lock is complete and honoured."""
    lock = _lock()
    env: dict[str, str] = {k: str(v) for k, v in default_environment().items()}
    todo = [(req, "pyproject.toml") for req in _declared()]
    seen: set[str] = set()
    missing, differing = [], []
    while todo:
        req, parent = todo.pop()
        extras = req.extras or {""}
        if req.marker and not any(req.marker.evaluate({**env, "extra": e}) for e in extras):
            continue
        key = canonicalize_name(req.name)
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            missing.append(f"{req.name} (needed by {parent}) is not installed")
            continue
        if key not in lock:
            missing.append(f"{req.name} (needed by {parent}) is not in requirements.lock")
        elif Version(dist.version) != lock[key]:
            differing.append(f"{req.name}: installed {dist.version}, locked {lock[key]}")
        for raw in dist.requires or []:
            sub = Requirement(raw)
            if sub.marker is None or any(sub.marker.evaluate({**env, "extra": e}) for e in req.extras):
                todo.append((sub, req.name))
    assert len(seen) > 50  # the walk really followed the tree (prefect alone pulls in dozens)
    assert not missing, "\n".join(missing)
    assert not differing, "the environment does not honour requirements.lock:\n" + "\n".join(differing)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling", reason="hatchling (a dev dependency) builds the wheel offline")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("ai_policy_watch-*.whl")
    return built


def test_wheel_is_one_namespace_with_the_default_config_files(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/", 1)[0] for n in names}
    assert tops == {"policywatch", next(t for t in tops if t.endswith(".dist-info"))}, sorted(tops)
    for data in (
        "policywatch/sources.yaml",
        "policywatch/rules/events.yaml",
        "policywatch/rules/series.yaml",
        "policywatch/rules/cues.yaml",
        "policywatch/subscriptions.example.yaml",
        "policywatch/models/alembic.ini",
        "policywatch/pipeline/intel/event_type_model.json",
        "policywatch/alerts/templates/alert.txt",
        "policywatch/demo/sources.yaml",
        # the site spiders and what `new-source` writes from
        "policywatch/spiders/spiders/sites/ec_presscorner_digital.py",
        "policywatch/spiders/spiders/sites/us_congress_bills.py",
        "policywatch/spiders/loader.py",
        "policywatch/spiders/contracts.py",
        *(
            f"policywatch/spiders/templates/{t.name}"
            for t in sorted((ROOT / "spiders" / "templates").iterdir())
        ),
    ):
        assert data in names, data
    for pkg in APP_PACKAGES:
        assert f"policywatch/{pkg}/__init__.py" in names, pkg
    assert not [n for n in names if "__pycache__" in n or n.startswith("policywatch/tests/")]


def test_installed_wheel_runs_from_an_unrelated_directory(wheel: Path, tmp_path: Path) -> None:
    """The wheel alone on the path (this environment gives the dependencies): the short names
    resolve to the packaged modules, the default rules are the packaged ones, `init` writes
    copies that the next command finds, `classify` works."""
    target, work = tmp_path / "site", tmp_path / "elsewhere"
    work.mkdir()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-compile",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYWATCH_")}
    env["PYTHONPATH"] = str(target)  # before site-packages, where the checkout's editable path is
    env["POLICYWATCH_DATA_DIR"] = str(tmp_path / "data")

    def py(code: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    probe = py(
        "import json, sys, policywatch, pipeline.intel.rules_loading as loading, models.tables\n"
        "from core import settings\n"
        "print(json.dumps({'policywatch': policywatch.__file__, 'rules_mod': loading.__file__,\n"
        "  'same': loading is sys.modules['policywatch.pipeline.intel.rules_loading'],\n"
        "  'rules': str(settings.rules_path()), 'default_rules': str(loading.default_rules_path()),\n"
        "  'subs': str(settings.subscriptions_path()), 'checkout': settings.is_checkout()}))"
    )
    assert probe.returncode == 0, probe.stderr
    got = json.loads(probe.stdout)
    assert got["policywatch"].startswith(str(target)) and got["rules_mod"].startswith(str(target)), got
    assert got["same"] is True and got["checkout"] is False
    assert got["rules"] == got["default_rules"] == str(target / "policywatch" / "rules")
    assert got["subs"] == str(target / "policywatch" / "subscriptions.example.yaml")

    cli = "import sys; from policywatch.cli import app; sys.argv[0] = 'policywatch'; app()"
    version = py(cli, "--version")
    assert version.returncode == 0 and version.stdout.startswith("policywatch "), version
    (work / "items.jsonl").write_text(
        json.dumps(
            {
                "id": "x1",
                "title": "EU and Japan to hold the Digital Partnership Council in Tokyo on 12 May 2026",
                "text": "The third EU-Japan Digital Partnership Council will meet in Tokyo on 12 May 2026.",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    classified = py(cli, "classify", "items.jsonl")
    assert classified.returncode == 0, classified.stderr
    row = json.loads(classified.stdout)
    assert row["id"] == "x1" and row["ai_policy"] is not None and row["events"], row

    init = py(cli, "init", "proj")
    assert init.returncode == 0, init.stderr
    for name in ("sources.yaml", "rules.yaml", "subscriptions.yaml"):
        assert (work / "proj" / name).is_file(), init.stdout
    (work / "proj" / "rules.yaml").write_text("not: [valid", encoding="utf-8")  # the copy is what is read
    broken = subprocess.run(
        [sys.executable, "-c", cli, "classify", str(work / "items.jsonl")],
        cwd=work / "proj",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert broken.returncode == 2 and "rules.yaml" in broken.stderr, broken
    assert "Traceback" not in broken.stderr

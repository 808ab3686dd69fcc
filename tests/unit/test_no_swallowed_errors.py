"""No broad ``except`` swallows an error unless it says why.

A handler that catches ``Exception``, ``BaseException`` or everything (a bare ``except:``) either
ends by raising (the error goes on, with context) or is a last-resort boundary that a maintainer
chose on purpose: the per-source isolation of a run, the delivery of one alert, a log filter that
must never break logging. Those carry a ``# boundary:`` comment, on the ``except`` line or the
line above, saying why going on is right there. Any other broad handler hides bugs that change
results (a reclassify that once dropped every implied jurisdiction this way), so this test reads
every module of the shipped code with ``ast`` and names each one, file and line.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.sources_config import ListingSelectors
from tests.support.paths import ROOT

PACKAGES = (
    "core",
    "pipeline",
    "spiders",
    "models",
    "alerts",
    "services",
    "flows",
    "deployments",
    "policywatch",
    "testkit",
    "bench",
)
MARKER = "# boundary:"
BROAD = {"Exception", "BaseException"}


@dataclass(frozen=True, slots=True)
class Handler:
    path: str
    line: int
    caught: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: except {self.caught}"


def _is_broad(node: ast.expr | None) -> bool:
    """``except:``, ``except Exception``, ``except BaseException``, or a tuple naming one."""
    if node is None:
        return True
    if isinstance(node, ast.Tuple):
        return any(_is_broad(element) for element in node.elts)
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return name in BROAD


def _ends_in_raise(body: list[ast.stmt]) -> bool:
    """The handler's last statement raises: the error goes on, whatever the body did first. A
    body that can fall off its end (a ``raise`` only under an ``if``) swallows on that path."""
    return bool(body) and isinstance(body[-1], ast.Raise)


def _marked(lines: list[str], line: int) -> bool:
    """The marker on the ``except`` line or on the line above it (1-based ``line``)."""
    return any(MARKER in lines[i - 1] for i in (line, line - 1) if 1 <= i <= len(lines))


def swallowing_handlers(path: Path, label: str) -> list[Handler]:
    """Every broad handler in one file that neither ends by raising nor is marked a boundary."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found: list[Handler] = []
    for node in ast.walk(ast.parse(text, str(path))):
        if not isinstance(node, ast.ExceptHandler) or not _is_broad(node.type):
            continue
        if _ends_in_raise(node.body) or _marked(lines, node.lineno):
            continue
        caught = ast.unparse(node.type) if node.type is not None else "(bare)"
        found.append(Handler(label, node.lineno, caught))
    return found


def project_files(root: Path = ROOT) -> list[Path]:
    files = sorted(root.glob("*.py"))
    for package in PACKAGES:
        found = (root / package).rglob("*.py")
        files += sorted(p for p in found if "migrations/versions" not in p.as_posix())
    return files


def test_no_broad_except_swallows_silently() -> None:
    files = project_files()
    assert len(files) > 100, "the scan missed the packages: it would check nothing"
    bad = [h for path in files for h in swallowing_handlers(path, str(path.relative_to(ROOT)))]
    listing = "\n".join(f"  {h}" for h in bad)
    assert not bad, (
        f"{len(bad)} broad except(s) neither end by raising nor say why they are a boundary "
        f"(narrow them, re-raise with context, or add `{MARKER} why` on the line or above):\n{listing}"
    )


def test_the_checker_sees_what_it_must(tmp_path: Path) -> None:
    """The checker itself, on made-up code: each way of swallowing is caught, each accepted way
    to handle a broad error passes, and a narrow handler is none of its business."""
    source = tmp_path / "mod.py"
    source.write_text(
        "def f():\n"
        "    try:\n        g()\n    except Exception:\n        pass\n"  # 4: swallowed
        "    try:\n        g()\n    except:\n        return 1\n"  # 8: bare, swallowed
        "    try:\n        g()\n    except (ValueError, BaseException) as e:\n"  # 12: tuple
        "        if e:\n            raise\n"  # raises only sometimes: swallowed otherwise
        "    try:\n        g()\n    except Exception as e:\n        raise RuntimeError('x') from e\n"
        "    try:\n        g()\n    except Exception:  # boundary: one source's failure, recorded\n"
        "        log()\n"
        "    try:\n        g()\n    # boundary: the delivery of one alert\n    except builtins.Exception:\n"
        "        log()\n"
        "    try:\n        g()\n    except ValueError:\n        pass\n"
        "    try:\n        g()\n    except Exception:  # just ignore it\n        pass\n",  # 34
        encoding="utf-8",
    )
    found = swallowing_handlers(source, "mod.py")
    assert [(h.line, h.caught) for h in found] == [
        (4, "Exception"),
        (8, "(bare)"),
        (12, "(ValueError, BaseException)"),
        (34, "Exception"),
    ]


@pytest.mark.parametrize(
    ("selector", "kind"),
    [("a[", "CSS"), ("a::foo", "CSS"), ("a:nth-child(x)", "CSS"), ("//a[", "XPath")],
)
def test_a_bad_selector_is_still_a_config_error(selector: str, kind: str) -> None:
    """The selector check catches only what cssselect and parsel raise for a bad selector (its
    ``except Exception`` was narrowed): each kind of bad selector is still a config error."""
    with pytest.raises(ValidationError, match=f"invalid {kind} selector"):
        ListingSelectors(links=selector)


def test_a_good_selector_passes() -> None:
    selectors = ListingSelectors(links="ul li a::attr(href)", date="//time/@datetime")
    assert (selectors.links, selectors.date) == ("ul li a::attr(href)", "//time/@datetime")

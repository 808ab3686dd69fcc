"""AI Policy Watch.

In a checkout the project's packages sit at the top level (``core``, ``pipeline``, ``spiders``,
``models``, ``alerts``, ``services``, ``flows``, ``deployments``) and import each other by those
names. An installed wheel (``pip install .``) keeps them inside this package instead
(``policywatch.pipeline``, ...), so that the project owns one name in site-packages. Importing
``policywatch`` then lets the short names resolve to the packaged modules, in this process only:
``pipeline.classify`` *is* ``policywatch.pipeline.classify`` (one module object under two names,
never two copies).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import sys
from importlib.machinery import ModuleSpec
from types import ModuleType

APP_PACKAGES = ("core", "pipeline", "spiders", "models", "alerts", "services", "flows", "deployments")
_HERE = os.path.dirname(os.path.abspath(__file__))


class _PackagedNames(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``import pipeline.x`` -> the module ``policywatch.pipeline.x`` (installed wheels only)."""

    def find_spec(
        self, fullname: str, path: object = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        top = fullname.partition(".")[0]
        if top not in APP_PACKAGES:
            return None
        loaded = sys.modules.get(top)
        if loaded is not None and loaded.__name__ != f"{__name__}.{top}":
            return None  # this process already has a real top-level package of that name: leave it
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        return importlib.import_module(f"{__name__}.{spec.name}")

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: ``create_module`` returned the packaged module, already executed."""


def _installed_layout() -> bool:
    """True for a wheel's layout (the packages inside this one), unless this folder is itself on
    sys.path (a Scrapy child process is started with it there: the short names are real there)."""
    if not os.path.isdir(os.path.join(_HERE, "pipeline")):
        return False
    on_path = {os.path.realpath(p or os.curdir) for p in sys.path}
    return os.path.realpath(_HERE) not in on_path


if _installed_layout() and not any(isinstance(f, _PackagedNames) for f in sys.meta_path):
    sys.meta_path.insert(0, _PackagedNames())

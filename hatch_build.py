"""Wheel build hook: the default config files at the checkout's root become package data.

In the wheel they sit inside the one package, ``policywatch/sources.yaml`` ..., where the code
looks for its defaults when installed (``core.settings.DEFAULTS_DIR``; ``spiders.sources``
finds them at the package's root, as in the checkout). The rules folder (``rules/``) is mapped to
``policywatch/rules/`` by pyproject.toml. An editable install (``make install``) gets no copies:
it reads the checkout's own files.
"""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

DEFAULT_CONFIG = ("sources.yaml", "subscriptions.example.yaml")


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        for name in DEFAULT_CONFIG:
            build_data["force_include"][name] = f"policywatch/{name}"

"""Secret values read from the environment, registered once so that every message masks them.

A source's ``params_env`` keys are read when a fetch needs them (``core.sources_config``); the
masking itself (``pipeline.urls.mask_secrets``) runs wherever text leaves the process. The
registry sits here, at the bottom, so the configuration layer can register a key without
importing the pipeline above it.
"""

from __future__ import annotations

from urllib.parse import quote, quote_plus

MIN_SECRET_LENGTH = 4
"""Shorter values are not masked as text (masking every ``abc`` in a message helps no one)."""

_REGISTERED: set[str] = set()


def register_secret(value: str) -> None:
    """Mask this exact value wherever ``mask_secrets`` runs in this process, whatever query
    parameter or header carries it: for keys read from the environment (``params_env``)."""
    value = value.strip()
    if len(value) >= MIN_SECRET_LENGTH:
        _REGISTERED.update({value, quote(value, safe=""), quote_plus(value)})


def registered_secrets() -> list[str]:
    """Every registered form of every secret, longest first (so a longer one is masked whole)."""
    return sorted(_REGISTERED, key=len, reverse=True)

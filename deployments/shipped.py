"""The deployments as ``deployments/prefect.yaml`` defines them: the one place a schedule lives.

``prefect deploy`` reads that file for work pools; ``policywatch serve`` builds its served
deployments from the same entries (name, tier, schedule, description, tags), so a schedule,
a description or a tag is written once. ``POLICYWATCH_CRON_*`` and ``POLICYWATCH_EVERY_*``
override a served schedule on one machine without editing the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

PREFECT_YAML = Path(__file__).resolve().with_name("prefect.yaml")


@dataclass(frozen=True, slots=True)
class ShippedDeployment:
    """One deployment of prefect.yaml, as ``serve`` needs it."""

    name: str
    tier: str
    cron: str
    """Read in UTC, as both ``prefect deploy`` (the file says so) and ``serve`` read it."""
    description: str
    tags: tuple[str, ...]


def shipped_deployments(path: Path = PREFECT_YAML) -> list[ShippedDeployment]:
    """Every deployment of ``path`` in file order. A deployment without exactly one cron schedule
    or a ``tier`` parameter is an error naming it: serve could not run it as deploy would."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    out: list[ShippedDeployment] = []
    for entry in raw.get("deployments") or []:
        name = str(entry.get("name"))
        schedules = entry.get("schedules") or []
        tier = (entry.get("parameters") or {}).get("tier")
        if (
            len(schedules) != 1
            or "cron" not in schedules[0]
            or schedules[0].get("timezone", "UTC") != "UTC"
            or not tier
        ):
            raise ValueError(
                f"{path}: deployment {name!r} needs one cron schedule (UTC) and a 'tier' parameter"
            )
        out.append(
            ShippedDeployment(
                name=name,
                tier=str(tier),
                cron=str(schedules[0]["cron"]),
                description=str(entry.get("description") or ""),
                tags=tuple(str(t) for t in entry.get("tags") or ()),
            )
        )
    return out

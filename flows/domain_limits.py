"""Per-host global concurrency limits (``domain:<host>``), created where runs happen (issue 14).

A host's limit is what keeps several processes polite to it: two workers of a work pool, or two
deployments run at once, each hold slots of it while a batch of that host's feeds fetches
(``flows.monitor.poll_feeds_task``). Only `policywatch serve` used to create them, so in a work
pool deployed from ``deployments/prefect.yaml`` nothing did, and every worker was polite on its
own. Now every monitor run makes sure the limits of the hosts it is about to poll exist (one API
call to read them all, one per missing host to create it), and `serve` calls the same function
for every source at start-up. A run that cannot reach the API says so once and stays polite
within its own process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

from core.config import current

log = logging.getLogger(__name__)

PREFIX = "domain:"
PAGE = 200
"""Limits read per API call: Prefect's server refuses a page bigger than its
``PREFECT_SERVER_API_DEFAULT_LIMIT`` (200) with a 422, which made the earlier read of 1,000 at
once fail, every time, silently."""


def domain_limit(url: str) -> str:
    """The global concurrency limit shared by everything that touches one site, whatever the
    deployment or worker: ``domain:<host>`` (the port does not make another site)."""
    return PREFIX + (urlsplit(url).hostname or "unknown")


def domain_slots() -> int:
    """Requests to one host at once, across every process: ``POLICYWATCH_DOMAIN_CONCURRENCY`` (2)."""
    return current().domain_concurrency


def server_outlives_run() -> bool:
    """Whether runs talk to a Prefect server of their own (``PREFECT_API_URL``): `serve`'s, or a
    work pool's. Without one, Prefect starts a throwaway server inside the process
    (`policywatch run`, the demo): its limits would be seen by that process alone, which its
    semaphores already keep polite, and the slots of a run killed mid-fetch would stay taken in
    its database for every later run (such a server runs no repossessor to expire their leases,
    and forgets the leases when it stops; ``flows.host_slots``)."""
    from prefect.settings import get_current_settings

    return bool(get_current_settings().api.url)


def wanted_limits(urls: Iterable[str]) -> list[str]:
    """The limit names for these URLs, each once, sorted; a URL without a host has none."""
    return sorted({domain_limit(url) for url in urls if urlsplit(url).hostname})


def limits_to_change(
    wanted: Iterable[str], existing: Mapping[str, int], slots: int, resize: bool
) -> tuple[list[str], list[str]]:
    """(to create, to resize): the wanted limits that do not exist, and, when ``resize``, those
    that exist with another number of slots. Without ``resize`` an existing limit is left as it
    is: an operator's ``prefect gcl update domain:<host> --limit N`` is not undone by each run."""
    wanted = list(wanted)
    create = [name for name in wanted if name not in existing]
    change = [name for name in wanted if resize and name in existing and existing[name] != slots]
    return create, change


class LimitsClient(Protocol):
    """The part of Prefect's sync client used here (a fake in the unit tests)."""

    def read_global_concurrency_limits(self, limit: int = ..., offset: int = ...) -> list[Any]: ...

    def create_global_concurrency_limit(self, concurrency_limit: Any) -> Any: ...

    def update_global_concurrency_limit(self, name: str, concurrency_limit: Any) -> Any: ...


def read_limits(client: LimitsClient) -> dict[str, int]:
    """Every global concurrency limit the API knows, name to slots (one call per 200)."""
    found: dict[str, int] = {}
    offset = 0
    while True:
        page = client.read_global_concurrency_limits(limit=PAGE, offset=offset)
        found.update({limit.name: limit.limit for limit in page})
        if len(page) < PAGE:
            return found
        offset += PAGE


def apply_limits(
    client: LimitsClient, names: Iterable[str], slots: int, resize: bool = False, free: bool = False
) -> tuple[dict[str, int], list[str]]:
    """Create the missing limits (and resize the others when ``resize``); return the wanted limits
    with their slots now, and the names just created. A limit another process created in the
    meantime (409) exists: that is the point (its slots are taken to be ``slots``). ``free`` sets
    the existing ones' slots in use back to none (see ``ensure_domain_limits``)."""
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, GlobalConcurrencyLimitUpdate
    from prefect.exceptions import ObjectAlreadyExists

    wanted = list(names)
    existing = read_limits(client)
    create, change = limits_to_change(wanted, existing, slots, resize)
    created = []
    for name in create:
        try:
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=slots))
            created.append(name)
        except ObjectAlreadyExists:
            pass
    for name in wanted:
        if name in change or (free and name in existing):
            fields = ({"limit": slots} if name in change else {}) | ({"active_slots": 0} if free else {})
            client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate.model_validate(fields))
    return {name: slots if name in create or name in change else existing[name] for name in wanted}, created


def ensure_domain_limits(
    urls: Iterable[str],
    slots: int | None = None,
    *,
    resize: bool = False,
    free: bool = False,
    logger: logging.Logger | logging.LoggerAdapter[Any] | None = None,
    client: LimitsClient | None = None,
) -> dict[str, int]:
    """Make sure the ``domain:<host>`` limit of every URL's host exists with ``slots`` slots
    (``POLICYWATCH_DOMAIN_CONCURRENCY``) and return those limits with their slots: the flow
    acquires only these (never more slots than one has), so no fetch waits on, or warns about, a
    limit that is not there. Idempotent, and safe when several runs start at once. When the API
    cannot be reached (or refuses), one line says so and nothing comes back: politeness then
    stays within this process.

    ``free`` (`serve`, with the server it has just started itself) marks every slot free: slots
    taken by runs that were stopped with that server stay taken in its database for good, as the
    leases that would have freed them lived in the stopped server's memory."""
    logger = logger or log
    slots = domain_slots() if slots is None else slots
    names = wanted_limits(urls)
    if not names:
        return {}
    try:
        if client is not None:
            usable, created = apply_limits(client, names, slots, resize, free)
        else:
            from prefect.client.orchestration import get_client

            with get_client(sync_client=True) as api:
                usable, created = apply_limits(api, names, slots, resize, free)
    except Exception as exc:  # boundary: no API, or it failed: politeness falls back to this process
        logger.warning(
            "per-host limits not available (%s: %s); politeness stays within this process",
            type(exc).__name__,
            str(exc).splitlines()[0] if str(exc) else "",
        )
        return {}
    if created:
        logger.info("created per-host limits (%d slots each): %s", slots, ", ".join(created))
    return usable

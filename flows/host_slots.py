"""Holding a host's global slots (``domain:<host>``) for a while: leased, waited for within bounds.

The limits themselves are created by ``flows.domain_limits``; this is how a batch of one host's
feeds, a crawl, or a source's article pages hold some of their slots while they talk to the host.

Two things went wrong with Prefect's defaults (issue 14, CI of the first attempt):

- **A run that dies keeps its slots.** Slots are leased; Prefect renews a lease while it is held
  and the server's repossessor gives back the slots of a lease that ran out. Prefect's default
  lease is 300 s, so a run killed mid-fetch held its host for five minutes, and on a server
  without the repossessor (Prefect's throwaway in-process server, which the tests' harness also
  was) for ever. Here a lease lasts ``LEASE_SECONDS``, the shortest the server accepts (renewed
  every 45 s while held), so a dead run's slots are back within a minute plus the repossessor's
  loop (15 s by default in ``prefect server start``): 75 s at most. Runs on the throwaway server
  take no global slots at all (``flows.domain_limits.server_outlives_run``): their own
  semaphores keep them polite.
- **Waiting was silent and unbounded.** Prefect's client sleeps on every refusal as long as the
  server says (up to 30 s) and gives up never. Here each attempt is one request; the waiter asks
  again after at most ``MAX_PAUSE`` seconds, says in the run log that it waits and for what, and
  after ``POLICYWATCH_SLOT_WAIT`` seconds (180) goes on without the global slots, polite within its
  own process, and says so: slots whose holder is alive but lost (a server restarted with its
  leases in memory) must not stop polling for good.

The waiting logic is a plain function of an ``acquire`` callable (one attempt: held, or ``Busy``),
tested without Prefect; ``prefect_slots`` is the one that talks to the API.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any
from uuid import UUID

from core import shutdown
from core.config import current

log = logging.getLogger(__name__)

LEASE_SECONDS = 60.0
"""How long the server keeps slots without hearing from their holder: its minimum (a shorter
lease is refused with 422); Prefect renews it every 45 s while the slots are held."""

MAX_PAUSE = 5.0
"""Longest pause between two attempts at busy slots: freed slots are taken within seconds."""


def slot_wait_seconds() -> float:
    """How long a waiter waits for busy slots before going on without them:
    ``POLICYWATCH_SLOT_WAIT`` (180 s: over twice a dead run's lease and the repossessor's loop
    together, so a crash is waited out, not bypassed)."""
    return current().slot_wait


class Busy(Exception):
    """Every slot asked for is held by others right now (the server answered 423)."""


Acquire = Callable[[str, int], AbstractContextManager[object]]
"""One attempt at ``occupy`` slots of a limit: entering holds them (until exit) or raises ``Busy``;
any other exception means the limits cannot be used now."""

Logger = logging.Logger | logging.LoggerAdapter[Any]


@contextmanager
def prefect_slots(name: str, occupy: int) -> Iterator[None]:
    """One attempt at the slots on the Prefect API, leased for ``LEASE_SECONDS`` and renewed by
    Prefect's lease keeper while held; given back on exit (or by the server when the lease ends).

    The client's API calls, not ``prefect.concurrency.sync.concurrency``: with no retries that
    logs an ERROR ("Service 'ConcurrencySlotAcquisitionWithLeaseService' failed to process item")
    for every refusal, and with retries it waits as long as the server says and logs nothing.
    A limit that does not exist (deleted since the run read it) is an error here, not Prefect's
    "do not exist - skipping acquisition" warning; a renewal that fails logs Prefect's warning
    and lets the fetches finish (they are already under way)."""
    import httpx
    from prefect.client.orchestration import get_client
    from prefect.concurrency._leases import maintain_concurrency_lease

    with get_client(sync_client=True) as client:
        try:
            response = client.increment_concurrency_slots_with_lease(
                names=[name], slots=occupy, mode="concurrency", lease_duration=LEASE_SECONDS
            )
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code == 423:
                raise Busy(name) from exc
            raise
        granted = response.json()
        if not granted.get("limits"):
            raise LookupError(f"no global concurrency limit named {name}")
        lease_id = UUID(str(granted["lease_id"]))
        try:
            with maintain_concurrency_lease(lease_id, LEASE_SECONDS, raise_on_lease_renewal_failure=False):
                yield
        finally:
            try:
                client.release_concurrency_slots_with_lease(lease_id)
            except Exception as exc:  # boundary: the server went away; it frees them when the lease ends
                log.warning(
                    "%s: slots not given back now (%s); their lease ends within a minute",
                    name,
                    _first_line(exc),
                )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


@contextmanager
def host_slots(
    name: str,
    occupy: int,
    logger: Logger | None = None,
    *,
    acquire: Acquire = prefect_slots,
    wait_seconds: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    pause: Callable[[float], bool] = shutdown.STOP.wait,
) -> Iterator[bool]:
    """Hold ``occupy`` slots of the limit ``name`` for the ``with`` block; yields whether they are
    held. Busy slots are asked for again (0.5 s, doubling up to ``MAX_PAUSE``) for at most
    ``wait_seconds`` (``POLICYWATCH_SLOT_WAIT``); the run log says when a wait starts, how long it
    took, or that it gave up. Limits that cannot be used (the API down, the limit deleted), the
    wait given up, or a stop (Ctrl-C, SIGTERM: ``pause`` returns true) yield False: the caller
    goes on polite within its own process."""
    logger = logger or log
    bound = slot_wait_seconds() if wait_seconds is None else wait_seconds
    start = clock()
    delay = 0.5
    waiting = False
    with ExitStack() as stack:
        while True:
            try:
                stack.enter_context(acquire(name, occupy))
                held = True
                break
            except Busy:
                waited = clock() - start
                if waited >= bound:
                    logger.warning(
                        "%s: no free slot after %.0f s (POLICYWATCH_SLOT_WAIT); going on without, "
                        "polite within this process only",
                        name,
                        waited,
                    )
                    held = False
                    break
                if not waiting:
                    logger.info(
                        "%s: its %d slot(s) are taken (by other runs or batches); waiting (at most %.0f s)",
                        name,
                        occupy,
                        bound,
                    )
                    waiting = True
                if pause(min(delay, bound - waited)):
                    held = False  # stopping: nothing more is fetched, nothing to wait for
                    break
                delay = min(delay * 2, MAX_PAUSE)
            except Exception as exc:  # boundary: the API failed: polite within this process, logged
                logger.warning(
                    "%s: slots not available (%s); polite within this process only", name, _first_line(exc)
                )
                held = False
                break
        if held and waiting:
            logger.info("%s: got its slot(s) after %.0f s", name, clock() - start)
        yield held

"""What the CLI looks up in the store for one command: why an item was read as it was
(``policywatch explain``) and each source's stored state (``policywatch sources list``).

The queries are the store's (``models.run_queries``); the policy of what a missing or
unreachable store means for each command is here, so the CLI only presents.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from models import run_queries
from models.db import StoreUnavailable, check_connection, get_engine, session_factory
from models.run_queries import ItemReasons
from models.tables import Source


def explain_item(item_id: int) -> ItemReasons | None:
    """The item with its labels and events, or None when there is no such item. An unreachable
    store is an error (``StoreUnavailable``): explaining needs it."""
    check_connection(get_engine())
    with session_factory()() as session:
        return run_queries.item_reasons(session, item_id)


def stored_source_states() -> dict[str, Source]:
    """Every stored source's row, by id; empty when the store is unreachable or not created yet.

    ``sources list`` lists the configuration, and the store only adds health, so without a store
    every source reads "never polled". Any other error is a bug and is raised."""
    try:
        get_engine().connect().close()
        with session_factory()() as session:
            return run_queries.sources_by_id(session)
    except (DBAPIError, StoreUnavailable):
        return {}

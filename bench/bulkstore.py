"""Fill a migrated store with N items fast (bulk SQL, not the pipeline), bands included.

Rows are shaped like real ones (a ~500-character text, a 512-byte MinHash signature, 64-hex
content hash, canonical URL, source + GUID, story id) and every item gets its 32 LSH band
keys in ``item_bands``, so indexes are as large as a real store's of that size. Keys are
generated in ascending order so the B-trees are built by appending (minutes, not hours, for
1M items). ``real`` processed items (real text, signature and bands) are stored first, so a
benchmark can feed near-duplicates of them and make the story lookup find candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from models.db import get_engine

FILLER = (
    "The ministers discussed cooperation on artificial intelligence, data flows, semiconductors "
    "and online platforms, and agreed to meet again next year. Officials said the working groups "
    "would report on standards, research security and the implementation of the code of conduct "
    "for advanced AI systems, with a focus on trustworthy AI and the protection of fundamental "
    "rights. The statement also referred to quantum technologies and undersea cables. "
)
BANDS = 32


def _ensure_bulk_source(conn: Any) -> None:
    exists = conn.execute(text("SELECT 1 FROM sources WHERE id = 'bulk'")).first()
    if not exists:
        conn.execute(
            text(
                "INSERT INTO sources (id, name, kind, url, consecutive_failures, items_total) "
                "VALUES ('bulk', 'bulk', 'feed', 'https://bulk.example/rss', 0, 0)"
            )
        )


def store_real(url: str, processed: Sequence[Any], start_id: int = 1) -> int:
    """Insert processed items (real text, signature, bands) with ids from ``start_id``."""
    engine = get_engine(url)
    now = datetime(2025, 6, 1, tzinfo=UTC)
    rows, bands = [], []
    for n, p in enumerate(processed):
        iid = start_id + n
        rows.append(
            {
                "id": iid,
                "source_id": "bulk",
                "ext": p.raw.guid or f"real{iid}",
                "guid": p.raw.guid or f"real{iid}",
                "url": p.canonical_url,
                "curl": p.canonical_url,
                "title": p.raw.title,
                "published": p.raw.published or now,
                "text": p.text,
                "hash": p.content_hash,
                "minhash": p.story_signature,
                "fetched_at": now,
                "story": iid,
            }
        )
        bands += [{"band": b, "item_id": iid} for b in set(p.story_bands)]
    with engine.begin() as conn:
        _ensure_bulk_source(conn)
        conn.execute(
            text(
                "INSERT INTO items (id, source_id, external_id, guid, url, canonical_url, title, published, "
                "summary, text, content_hash, language, ai_policy, event_type, evidence, jurisdictions, "
                "topics, story_id, minhash, fetched_at) VALUES (:id, :source_id, :ext, :guid, :url, :curl, "
                ":title, :published, '', :text, :hash, 'en', false, 'none', '', '[]', '[]', :story, "
                ":minhash, :fetched_at)"
            ),
            rows,
        )
        if bands:
            conn.execute(text("INSERT INTO item_bands (band, item_id) VALUES (:band, :item_id)"), bands)
    return start_id + len(processed)


def bulk_fill(url: str, first_id: int, count: int) -> None:
    """Items ``first_id .. first_id+count-1`` with their 32 band keys each."""
    if count <= 0:
        return
    engine = get_engine(url)
    last = first_id + count - 1
    if engine.dialect.name == "sqlite":
        _fill_sqlite(engine, first_id, last)
    else:
        _fill_postgres(engine, first_id, last)


def _fill_sqlite(engine: Any, first: int, last: int) -> None:
    filler = FILLER.replace("'", "''")
    with engine.begin() as conn:
        _ensure_bulk_source(conn)
    # Bulk mode (pysqlite runs PRAGMAs outside its implicit transaction, so they take effect):
    # no FK checks (rows are consistent by construction), no journal; the engine is disposed
    # afterwards, so every later connection gets the store's own pragmas (WAL, FKs) again.
    with engine.begin() as conn:
        for pragma in ("foreign_keys=OFF", "journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000"):
            conn.exec_driver_sql(f"PRAGMA {pragma}")
        conn.exec_driver_sql(
            "WITH RECURSIVE c(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM c WHERE i < ?) "
            "INSERT INTO items (id, source_id, external_id, guid, url, canonical_url, title, published, "
            "summary, text, content_hash, language, ai_policy, event_type, evidence, jurisdictions, topics, "
            "story_id, minhash, fetched_at) "
            "SELECT i, 'bulk', printf('b%010d', i), printf('b%010d', i), "
            "printf('https://bulk.example/a/%010d', i), printf('https://bulk.example/a/%010d', i), "
            "printf('Bulk item %d on AI policy', i), datetime(1700000000 + i * 60, 'unixepoch'), '', "
            f"'{filler}' || i, printf('%064x', i), 'en', 0, 'none', '', '[]', '[]', i, "
            "zeroblob(512), '2025-06-01 00:00:00.000000' FROM c",
            (first, last),
        )
        for b in range(BANDS):
            conn.exec_driver_sql(
                "WITH RECURSIVE c(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM c WHERE i < ?) "
                "INSERT INTO item_bands (band, item_id) SELECT printf('%02d%016x', ?, i * 40503), i FROM c",
                (first, last, b),
            )
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()  # fresh connections get the store's own pragmas (WAL, foreign keys) again


def _fill_postgres(engine: Any, first: int, last: int) -> None:
    with engine.begin() as conn:
        _ensure_bulk_source(conn)
        # rows are consistent by construction: skip the per-row FK triggers (superuser only)
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
        conn.execute(
            text(
                "INSERT INTO items (id, source_id, external_id, guid, url, canonical_url, title, published, "
                "summary, text, content_hash, language, ai_policy, event_type, evidence, jurisdictions, "
                "topics, story_id, minhash, fetched_at) "
                "SELECT i, 'bulk', 'b' || lpad(i::text, 10, '0'), 'b' || lpad(i::text, 10, '0'), "
                "'https://bulk.example/a/' || lpad(i::text, 10, '0'), "
                "'https://bulk.example/a/' || lpad(i::text, 10, '0'), "
                "'Bulk item ' || i || ' on AI policy', to_timestamp(1700000000 + i * 60), '', "
                ":filler || i, lpad(to_hex(i), 64, '0'), 'en', false, 'none', '', '[]', '[]', i, "
                "decode(repeat('00', 512), 'hex'), '2025-06-01 00:00:00+00' "
                "FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS i"
            ),
            {"filler": FILLER, "first": first, "last": last},
        )
        conn.execute(
            text(
                "INSERT INTO item_bands (band, item_id) "
                "SELECT lpad(b::text, 2, '0') || lpad(to_hex(i * 40503), 16, '0'), i "
                "FROM generate_series(0, :bands - 1) AS b, "
                "generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS i"
            ),
            {"bands": BANDS, "first": first, "last": last},
        )
        conn.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('items', 'id'), (SELECT max(id) FROM items))"
        )
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql("VACUUM ANALYZE items")
        conn.exec_driver_sql("VACUUM ANALYZE item_bands")

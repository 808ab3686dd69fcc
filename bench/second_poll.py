"""What a second poll costs when nothing changed: bytes on the wire and rows written.

The counting demo web (bench.web) counts bytes at the server: request line + headers
received, status line + headers + body sent. Rows are table counts before and after.
"""

from __future__ import annotations

from bench.common import (
    Config,
    Figure,
    TextGen,
    Timer,
    WebProcess,
    dispose,
    feed_sources,
    figure,
    log,
    sqlite_store,
    subscriptions_file,
    table_counts,
    write_feed_web,
)
from bench.ingest import poll_all

NAME = "second_poll"


def run(cfg: Config) -> list[Figure]:
    from alerts.subscriptions import load_subscriptions
    from models.db import session_factory
    from pipeline.intel.rules_loading import load_rules

    n_feeds = cfg.size(5, 20, 200)
    work = cfg.workdir / "second_poll"
    work.mkdir(parents=True, exist_ok=True)
    paths = write_feed_web(work / "web", n_feeds, 50, TextGen(seed=13))
    rules = load_rules()
    subs = load_subscriptions(subscriptions_file(work))
    url = sqlite_store(work / "store.db")
    factory = session_factory(url)
    figs: list[Figure] = []
    with WebProcess(work / "web") as web:
        sources = feed_sources(web.base_url, paths)
        web.reset()
        t = Timer()
        first = poll_all(factory, sources, subs, rules)
        first_s = t.elapsed
        s1 = web.stats()
        c1 = table_counts(url)
        web.reset()
        t = Timer()
        second = poll_all(factory, sources, subs, rules)
        second_s = t.elapsed
        s2 = web.stats()
        c2 = table_counts(url)
    dispose(url)
    b1 = s1["bytes_in"] + s1["bytes_out"]
    b2 = s2["bytes_in"] + s2["bytes_out"]
    log(
        f"first poll: {s1['requests']} requests, {b1:,} bytes ({s1['status_200']}x200), "
        f"{sum(r.new_items for r in first)} items stored in {first_s:.1f} s"
    )
    log(
        f"second poll: {s2['requests']} requests, {b2:,} bytes ({s2['status_304']}x304, "
        f"{sum(r.status == 'not_modified' for r in second)} reports not_modified, "
        f"{s2['bytes_out']:,} sent, {s2['bytes_in']:,} received) in {second_s:.2f} s"
    )
    inserted = {k: c2[k] - c1[k] for k in c1 if c2[k] != c1[k]}
    log(f"row counts after first poll: {c1}; changed by the second: {inserted or 'none'}")
    log(f"poll state rows updated by the second poll: {len(sources)} sources (last_polled_at, status)")
    figs.append(
        figure(NAME, "second poll bytes / first poll bytes", 100.0 * b2 / b1, "%", target=("<=", 2.0))
    )
    figs.append(figure(NAME, "second poll bytes per feed", b2 / len(sources), "B"))
    figs.append(
        figure(
            NAME, "rows inserted by the second poll", float(sum(inserted.values())), "rows", target=("==", 0)
        )
    )
    return figs

"""Services: the use cases that put the pipeline and the store together, below the flows and the CLI.

``ingest`` (fetched items through the pipeline into the store and the outbox), ``reclassify``
(replay rules and model over stored items), ``operators`` (tell operators when a source's health
changes), ``expected`` (announced events whose date passed unreported), ``views`` (read-only rows
for the CLI and the flow's report) and ``dryrun`` (what a source would yield, storing nothing).
Flows, deployments and the CLI call these; these never import them (``tests/unit/test_layers.py``)."""

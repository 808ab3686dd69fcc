"""The demo web with a source broken two ways, for the end-to-end tests (the loopback servers
themselves are in ``testkit.loopback``, shared with the benchmarks)."""

from __future__ import annotations

import shutil
from pathlib import Path


def broken_demo(tmp_path: Path) -> tuple[Path, Path]:
    """The demo web with GOV.UK's feed turned into an HTML page, plus a source that is 404."""
    from policywatch.demo import DEMO_DIR

    web_root = tmp_path / "web"
    shutil.copytree(DEMO_DIR / "web", web_root)
    (web_root / "govuk" / "ai.atom").write_text("<html><body>Maintenance</body></html>")
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        (DEMO_DIR / "sources.yaml").read_text()
        + '\n  - id: dead-source\n    kind: feed\n    url: "{base}/gone/feed.xml"\n'
        + "    private_network: true\n"
    )
    return web_root, sources

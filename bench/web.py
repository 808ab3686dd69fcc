"""The demo web (policywatch.demo.server.DemoWeb) with byte counters, run as its own process.

``python -m bench.web ROOT`` prints its base URL on the first line and serves ROOT until
killed. ``GET /__stats`` returns the counters as JSON, ``GET /__reset`` zeroes them; neither
is counted. Bytes are counted at the server: request line + headers received, status line +
headers + body sent.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from policywatch.demo.server import DemoWeb


class _CountingWriter:
    """Counts what a handler writes. ``BaseHTTPRequestHandler.end_headers`` writes the status line
    and headers in one piece before any body, so the first write is the head, the rest body."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.writes: list[int] = []

    def write(self, data: bytes) -> int:
        self.writes.append(len(data))
        return int(self._inner.write(data))

    def flush(self) -> None:
        self._inner.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class CountingWeb(DemoWeb):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.counts = {
                "requests": 0,
                "status_200": 0,
                "status_304": 0,
                "status_other": 0,
                "bytes_in": 0,
                "bytes_out": 0,
                "body_bytes_out": 0,
            }
            self.requests.clear()

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.path in ("/__stats", "/__reset"):
            if handler.path == "/__reset":
                self.reset()
            with self.lock:
                body = json.dumps(self.counts).encode()
            self._send(handler, 200, body, "application/json", {})
            return
        real = handler.wfile
        counter = _CountingWriter(real)
        handler.wfile = counter  # type: ignore[assignment]
        try:
            n_before = len(self.requests)
            super()._serve(handler)
        finally:
            handler.wfile = real
        status = self.requests[-1][2] if len(self.requests) > n_before else 0
        received = len(handler.requestline) + 2 + len(str(handler.headers).encode())
        with self.lock:
            c = self.counts
            c["requests"] += 1
            c["bytes_in"] += received
            c["bytes_out"] += sum(counter.writes)
            key = f"status_{status}" if status in (200, 304) else "status_other"
            c[key] += 1
            if status == 200:
                c["body_bytes_out"] += sum(counter.writes[1:])


def main(argv: list[str]) -> int:
    # socketserver's listen backlog is 5: 16 concurrent pollers would see dropped SYNs and
    # 1 s retransmits, which measures the kernel, not us. Set before the socket listens.
    ThreadingHTTPServer.request_queue_size = 256
    web = CountingWeb(Path(argv[0]))
    print(web.base_url, flush=True)
    with web:
        threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

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
    def __init__(self, inner: Any, counter: list[int]) -> None:
        self._inner = inner
        self._counter = counter

    def write(self, data: bytes) -> int:
        self._counter[0] += len(data)
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
        counter = [0]
        real = handler.wfile
        handler.wfile = _CountingWriter(real, counter)  # type: ignore[assignment]
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
            c["bytes_out"] += counter[0]
            key = f"status_{status}" if status in (200, 304) else "status_other"
            c[key] += 1
            if status == 200:
                # body = what was sent minus the status line and headers (sent before it)
                c["body_bytes_out"] += max(0, counter[0] - _header_bytes(handler))


def _header_bytes(handler: BaseHTTPRequestHandler) -> int:
    return int(getattr(handler, "_pw_header_bytes", 0))


class _HeaderCountingWeb(CountingWeb):
    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str | None, headers: dict[str, str]
    ) -> None:
        # same as DemoWeb._send; remembers the header size so the body share can be told apart
        handler.send_response(status)
        if ctype:
            handler.send_header("Content-Type", ctype)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        buffered = sum(len(b) for b in getattr(handler, "_headers_buffer", []))
        handler._pw_header_bytes = buffered + 2  # type: ignore[attr-defined]
        handler.end_headers()
        if body:
            handler.wfile.write(body)


def main(argv: list[str]) -> int:
    # socketserver's listen backlog is 5: 16 concurrent pollers would see dropped SYNs and
    # 1 s retransmits, which measures the kernel, not us. Set before the socket listens.
    ThreadingHTTPServer.request_queue_size = 256
    web = _HeaderCountingWeb(Path(argv[0]))
    print(web.base_url, flush=True)
    with web:
        threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

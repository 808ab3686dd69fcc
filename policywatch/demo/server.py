"""The offline 'demo web': static feeds and article pages served on loopback.

Behaves like a well-configured news site: ETag and Last-Modified on every response and 304
Not Modified for conditional requests, so the demo shows what a second poll really costs.
``{base}`` in a file is replaced by the server's own address, so links point back to it.
"""

from __future__ import annotations

import email.utils
import hashlib
import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WEB_ROOT = Path(__file__).resolve().parent / "web"

_TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".rdf": "application/rdf+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}


class DemoWeb:
    """A ThreadingHTTPServer on 127.0.0.1 serving ``root``; also records every request path."""

    def __init__(self, root: Path = WEB_ROOT, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = root.resolve()
        self.requests: list[tuple[str, str, int]] = []
        """(path, If-None-Match header, status) of every request, for tests and the demo report."""
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                return

            def do_GET(self) -> None:  # noqa: N802 - stdlib naming
                web._serve(self)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="demo-web", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> DemoWeb:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _resolve(self, url_path: str) -> Path | None:
        rel = url_path.split("?", 1)[0].split("#", 1)[0].lstrip("/")
        path = (self.root / rel).resolve()
        if self.root not in path.parents and path != self.root:
            return None
        if path.is_dir():
            path = path / "index.html"
        return path if path.is_file() else None

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = self._resolve(handler.path)
        inm = handler.headers.get("If-None-Match", "")
        if path is None:
            self._send(handler, 404, b"not found", "text/plain", {})
            self.requests.append((handler.path, inm, 404))
            return
        body = path.read_bytes().replace(b"{base}", self.base_url.encode())
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        last_modified = email.utils.formatdate(int(path.stat().st_mtime), usegmt=True)
        validators = {"ETag": etag, "Last-Modified": last_modified, "Cache-Control": "max-age=60"}
        if inm and etag in [t.strip() for t in inm.split(",")]:
            self._send(handler, 304, b"", None, validators)
            self.requests.append((handler.path, inm, 304))
            return
        ctype = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "text/html; charset=utf-8"
        self._send(handler, 200, body, ctype, validators)
        self.requests.append((handler.path, inm, 200))

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str | None, headers: dict[str, str]
    ) -> None:
        handler.send_response(status)
        if ctype:
            handler.send_header("Content-Type", ctype)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if body:
            handler.wfile.write(body)

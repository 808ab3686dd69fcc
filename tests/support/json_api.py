"""A JSON:API-style endpoint on loopback, paged or failing, for the ``kind: json_api`` tests and
the source-filter tests that page through it."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeApi:
    """A JSON:API-style endpoint on loopback: 3 pages of 2 records, or a fixed error status."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[str] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

            def do_GET(self) -> None:  # noqa: N802
                if self.path.startswith("/robots.txt"):
                    self.send_response(404)
                    self.end_headers()
                    return
                api.requests.append(self.path)
                query = parse_qs(urlsplit(self.path).query)
                page = int(query.get("page[number]", ["1"])[0])
                body = json.dumps(
                    {
                        "data": [
                            {
                                "id": f"DOC-{page}-{n}",
                                "attributes": {
                                    "title": f"Document {page}.{n}",
                                    "postedDate": f"2026-05-0{page}T0{n}:00:00Z",
                                    "documentType": "Supporting & Related Material" if n == 2 else "Rule",
                                },
                            }
                            for n in (1, 2)
                        ],
                        "meta": {"hasNextPage": page < 3},
                    }
                ).encode()
                self.send_response(api.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeApi:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

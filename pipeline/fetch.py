"""HTTP fetching with conditional GET, a time limit and a size cap.

Feeds are polled often; a 304 must cost nothing, and a hostile or broken server (huge body,
slow drip, redirect loop) must cost bounded time and memory. Errors are classified as
transient (worth a retry) or permanent (not), so the flow can retry without storming.
"""

from __future__ import annotations

import contextvars
import email.utils
import functools
import ssl
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpcore
import httpx

from pipeline.netguard import refusal, refusal_of, resolve
from pipeline.urls import is_web_url, mask_secrets

USER_AGENT = "AIPolicyWatch/0.1 (+https://github.com/ai-policy-watch; policy news monitor)"
MAX_REDIRECTS = 5
INFLATE_STEP = 64 * 1024
"""Decompress at most this many bytes per step, so a gzip bomb hits the cap, not the memory."""

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("fetch_deadline", default=None)


class FetchError(Exception):
    """A fetch that failed; ``transient`` tells whether a retry may help. Its message never carries
    a URL's credentials (``?api_key=…`` written in sources.yaml): they are masked here, once."""

    def __init__(
        self, message: str, *, transient: bool, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(mask_secrets(message))
        self.transient = transient
        self.status = status
        self.retry_after = retry_after
        """Seconds the server asked us to wait (``Retry-After`` on a 429/5xx), when it said."""

    def __reduce__(self) -> tuple[Any, ...]:  # picklable with its attributes (Prefect stores results)
        return (_rebuild_fetch_error, (str(self), self.transient, self.status, self.retry_after))


def _rebuild_fetch_error(
    message: str, transient: bool, status: int | None, retry_after: float | None
) -> FetchError:
    return FetchError(message, transient=transient, status=status, retry_after=retry_after)


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After``: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read is cut short by the fetch's overall deadline.

    httpx's read timeout is per read: a server that sends one byte of its headers (or body)
    every few hundred milliseconds (slow-loris) never trips it. Clamping each read to what is
    left of the deadline bounds the whole response, headers included.
    """

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        deadline = _deadline.get()
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise httpcore.ReadTimeout("fetch deadline passed")
            timeout = left if timeout is None else min(timeout, left)
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """Connections whose reads keep the fetch's deadline and, unless ``private_network``, that
    connect only to a public address, the one checked.

    The address is checked where the connection is made, and the connection goes to that
    address: checking a name and then letting the socket layer resolve it again would let a
    hostile DNS server answer a public address to the check and 127.0.0.1 to the connection
    (DNS rebinding). TLS still verifies the certificate against the name (httpcore sends the
    origin's host as SNI, not the address connected to)."""

    def __init__(self, inner: httpcore.NetworkBackend, *, private_network: bool = False) -> None:
        self._inner = inner
        self._private_network = private_network

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        target = host if self._private_network else _vetted_address(host)
        return _DeadlineStream(self._inner.connect_tcp(target, port, timeout, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One TLS context for every client: building one (loading the CA bundle) costs ~50-90 ms,
    far more than a 304 poll itself."""
    return httpx.create_ssl_context()


def _vetted_address(host: str) -> str:
    """The public address to connect to for ``host``; refuses a host with any internal address."""
    addresses = resolve(host)
    if not addresses:
        raise _Unresolvable(f"cannot resolve {host}")
    message = refusal_of(host, addresses)
    if message is not None:
        raise _PrivateAddress(message)
    return str(addresses[0])


def _deadline_transport(private_network: bool = False) -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport(verify=_ssl_context())
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(pool, httpcore.ConnectionPool) and isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = _DeadlineBackend(backend, private_network=private_network)
    elif not private_network:
        # A future httpx moved its internals: no client without the connect-time address check.
        raise RuntimeError("httpx internals changed: the connect-time private-address check is unavailable")
    return transport


@dataclass(slots=True)
class FetchResult:
    url: str
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    elapsed: float = 0.0

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class _PrivateAddress(Exception):
    """Raised by the request hook: the request's host resolves to an internal address."""


class _Unresolvable(Exception):
    """Raised where the connection is made: the host has no address (no DNS, or no network).
    Not retried within the run: a retry seconds later finds the same, and waiting for it would
    hold an offline run for half a minute per source; the next scheduled run tries again."""


def _refuse_private(request: httpx.Request) -> None:
    """Request event hook: httpx runs it before every request it sends, each redirect hop
    included, so a public feed that redirects to 127.0.0.1 or 169.254.169.254 is refused too."""
    message = refusal(request.url.host)
    if message is not None:
        raise _PrivateAddress(message)


def make_client(timeout: float = 20.0, *, private_network: bool = False) -> httpx.Client:
    """A client for one source. Unless ``private_network`` (the source's allowance in
    ``sources.yaml``), every request whose host resolves to a loopback, private, link-local,
    metadata or other internal address is refused before connecting (``fetch`` raises a
    permanent FetchError): by the request hook on every hop (a literal address, a name), and
    again where the connection is made, which then goes to the address checked."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        transport=_deadline_transport(private_network),
        event_hooks={"request": [] if private_network else [_refuse_private]},
    )


def _bounded_body(response: httpx.Response) -> Iterator[bytes]:
    """The decoded body in pieces of at most INFLATE_STEP bytes, whatever the compression ratio.

    httpx's own decoders inflate a whole network chunk at once (a 64 KB gzip chunk of zeros is
    64 MB), so gzip and deflate are inflated here with ``max_length``; other encodings (which we
    never ask for) fall back to httpx.
    """
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if response.is_stream_consumed:  # already in memory (a test transport): nothing left to bound
        yield from response.iter_bytes()
        return
    if encoding in ("", "identity"):
        yield from response.iter_raw()
        return
    if encoding not in ("gzip", "x-gzip", "deflate"):
        yield from response.iter_bytes()
        return
    wbits = zlib.MAX_WBITS | 16 if encoding != "deflate" else zlib.MAX_WBITS
    inflater = zlib.decompressobj(wbits)
    first = True
    try:
        for raw in response.iter_raw():
            data = raw
            while data:
                try:
                    out = inflater.decompress(data, INFLATE_STEP)
                except zlib.error:
                    if encoding == "deflate" and first:  # a raw deflate stream without zlib header
                        inflater, first = zlib.decompressobj(-zlib.MAX_WBITS), False
                        continue
                    raise
                first = False
                if out:
                    yield out
                if inflater.eof:
                    data = inflater.unused_data  # a gzip member follows another
                    if data:
                        inflater = zlib.decompressobj(wbits)
                else:
                    data = inflater.unconsumed_tail
        while out := inflater.decompress(b"", INFLATE_STEP):  # output still held back, step by step
            yield out
    except zlib.error as exc:
        raise httpx.DecodingError(f"{encoding}: {exc}") from None


def fetch(
    client: httpx.Client,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = 10_000_000,
    deadline_seconds: float = 60.0,
) -> FetchResult:
    """GET ``url`` conditionally; stream the body and stop at ``max_bytes`` or the deadline.

    Only http(s) is fetched, redirects included (a refusal is permanent, not worth a retry).
    A client from ``make_client`` also refuses hosts that resolve to internal addresses, on
    every hop, unless it was made with ``private_network=True``."""
    if not is_web_url(url):
        raise FetchError(f"refused {url[:80]!r}: only http and https are fetched", transient=False)
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    started = time.monotonic()
    token = _deadline.set(started + deadline_seconds)
    try:
        return _fetch(client, url, headers, etag, last_modified, max_bytes, deadline_seconds, started)
    finally:
        _deadline.reset(token)


def _fetch(
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    etag: str | None,
    last_modified: str | None,
    max_bytes: int,
    deadline_seconds: float,
    started: float,
) -> FetchResult:
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return FetchResult(
                    url=str(response.url),
                    status=304,
                    headers=dict(response.headers),
                    etag=response.headers.get("etag") or etag,
                    last_modified=response.headers.get("last-modified") or last_modified,
                    elapsed=time.monotonic() - started,
                )
            if response.status_code >= 400:
                transient = response.status_code >= 500 or response.status_code in (408, 425, 429)
                retry_after = parse_retry_after(response.headers.get("retry-after")) if transient else None
                raise FetchError(
                    f"HTTP {response.status_code} from {url}"
                    + (f" (Retry-After: {retry_after:.0f}s)" if retry_after is not None else ""),
                    transient=transient,
                    status=response.status_code,
                    retry_after=retry_after,
                )
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"response too large: {declared} bytes > cap {max_bytes}", transient=False)
            chunks: list[bytes] = []
            size = 0
            # inflated in bounded steps, so a gzip bomb hits the cap, not the memory
            for chunk in _bounded_body(response):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"response too large: over the {max_bytes}-byte cap", transient=False)
                if time.monotonic() - started > deadline_seconds:
                    raise FetchError(f"response too slow: over {deadline_seconds:.0f}s", transient=True)
                chunks.append(chunk)
            return FetchResult(
                url=str(response.url),
                status=response.status_code,
                body=b"".join(chunks),
                headers=dict(response.headers),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                elapsed=time.monotonic() - started,
            )
    except _PrivateAddress as exc:
        raise FetchError(f"{exc} (fetching {url})", transient=False) from None
    except _Unresolvable as exc:
        raise FetchError(f"cannot reach {url}: {exc}", transient=False) from None
    except httpx.TooManyRedirects:
        raise FetchError(
            f"too many redirects from {url} (more than {MAX_REDIRECTS})", transient=False
        ) from None
    except httpx.TimeoutException:
        if time.monotonic() - started >= deadline_seconds:
            raise FetchError(
                f"response too slow: over {deadline_seconds:.0f}s from {url}", transient=True
            ) from None
        raise FetchError(f"timed out fetching {url}", transient=True) from None
    except httpx.DecodingError as exc:
        raise FetchError(f"undecodable response from {url}: {exc}", transient=False) from None
    except httpx.UnsupportedProtocol as exc:  # a redirect to file:, ftp:, ...
        where = _failed_url(exc, url)
        raise FetchError(f"refused {where}: only http and https are fetched", transient=False) from None
    except httpx.TransportError as exc:
        where = _failed_url(exc, url)
        raise FetchError(f"cannot reach {where}: {exc or type(exc).__name__}", transient=True) from None
    except httpx.InvalidURL as exc:
        raise FetchError(f"invalid URL {url}: {exc}", transient=False) from None


def _failed_url(exc: httpx.TransportError, url: str) -> str:
    """The URL that failed, naming the redirect target when it was not the one we asked for."""
    try:
        failed = str(exc.request.url)
    except RuntimeError:  # no request attached
        return url
    return url if failed == url else f"{failed} (redirected from {url})"

"""HTTP fetching with conditional GET, a time limit and a size cap.

Feeds are polled often; a 304 must cost nothing, and a hostile or broken server (huge body,
slow drip, redirect loop) must cost bounded time and memory. Errors are classified as
transient (worth a retry) or permanent (not), so the flow can retry without storming.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx

USER_AGENT = "AIPolicyWatch/0.1 (+https://github.com/ai-policy-watch; policy news monitor)"
MAX_REDIRECTS = 5


class FetchError(Exception):
    """A fetch that failed; ``transient`` tells whether a retry may help."""

    def __init__(self, message: str, *, transient: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.status = status


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


def make_client(timeout: float = 20.0) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
    )


def fetch(
    client: httpx.Client,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = 10_000_000,
    deadline_seconds: float = 60.0,
) -> FetchResult:
    """GET ``url`` conditionally; stream the body and stop at ``max_bytes`` or the deadline."""
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    started = time.monotonic()
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
                raise FetchError(
                    f"HTTP {response.status_code} from {url}",
                    transient=transient,
                    status=response.status_code,
                )
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"response too large: {declared} bytes > cap {max_bytes}", transient=False)
            chunks: list[bytes] = []
            size = 0
            # iter_bytes decodes gzip incrementally, so a gzip bomb hits the cap, not the memory.
            for chunk in response.iter_bytes():
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
    except httpx.TooManyRedirects:
        raise FetchError(f"too many redirects from {url}", transient=False) from None
    except httpx.TimeoutException:
        raise FetchError(f"timed out fetching {url}", transient=True) from None
    except httpx.DecodingError as exc:
        raise FetchError(f"undecodable response from {url}: {exc}", transient=False) from None
    except httpx.TransportError as exc:
        raise FetchError(f"cannot reach {url}: {exc or type(exc).__name__}", transient=True) from None
    except httpx.InvalidURL as exc:
        raise FetchError(f"invalid URL {url}: {exc}", transient=False) from None

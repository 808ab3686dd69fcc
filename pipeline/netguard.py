"""Internal addresses are refused: a hostile feed or listing must not reach the machine's own
services, the office network or the cloud metadata endpoint.

The check runs on the addresses a host *resolves to* (a public name can point at 127.0.0.1),
for every fetch and every redirect hop. A source that legitimately lives on an intranet (or the
loopback demo web) says so with ``private_network: true`` in ``sources.yaml``.
"""

from __future__ import annotations

import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
"""Cloud instance metadata (AWS, GCP, Azure, ...): credentials live behind it."""

ALLOW_HINT = "set private_network: true on the source to allow it"


def is_internal_address(addr: IPAddress) -> bool:
    """Loopback, private, link-local, multicast, reserved, unspecified, metadata, or otherwise
    not globally routable (CGNAT 100.64/10, documentation ranges, ...)."""
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return (
        addr in METADATA_ADDRESSES
        or addr.is_loopback
        or addr.is_private
        or addr.is_link_local
        or addr.is_multicast
        or addr.is_reserved
        or addr.is_unspecified
        or not addr.is_global
    )


def resolve(host: str) -> list[IPAddress]:
    """The addresses ``host`` stands for: itself when it is a literal IP, else DNS (every record).
    An unresolvable host gives ``[]``: the fetch itself then fails with its usual error."""
    host = host.strip().strip("[]")
    try:
        return [ipaddress.ip_address(host.split("%", 1)[0])]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    addresses: list[IPAddress] = []
    for info in infos:
        try:
            addresses.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
        except ValueError:
            continue
    return addresses


def _first_internal(addresses: list[IPAddress]) -> IPAddress | None:
    return next((addr for addr in addresses if is_internal_address(addr)), None)


def internal_address(host: str) -> IPAddress | None:
    """The first internal address ``host`` resolves to, or None when every address is public.
    ANY internal record refuses the host (a name with one public and one private record would
    otherwise reach the private one half the time)."""
    return _first_internal(resolve(host))


def refusal(host: str) -> str | None:
    """The refusal message for ``host``, or None when it may be fetched."""
    return refusal_of(host, resolve(host))


def refusal_of(host: str, addresses: list[IPAddress]) -> str | None:
    """The refusal message for ``host`` resolved to ``addresses`` (ANY internal one refuses it),
    or None: for callers that connect to the addresses they checked (no second lookup)."""
    addr = _first_internal(addresses)
    if addr is None:
        return None
    shown = host if host.strip("[]") == str(addr) else f"{host} ({addr})"
    return f"refused: {shown} resolves to a private address; {ALLOW_HINT}"

"""Where the server may send requests that course content names (external graders).

A grader URL is written by an instructor, so without a check `grader_url:
http://127.0.0.1:6391/` makes the server POST to a service on its own machine or network
(SSRF). Loopback, private, link-local, multicast, reserved and other non-public addresses
are refused, both when a course is validated (literal addresses and `localhost`) and when a
request is made: the host is resolved, every address it resolves to is checked, and the
connection goes to the checked address (so a second lookup cannot answer differently).
Operators who run graders on a private network list those hosts or networks in
COURSEWIRE_GRADER_ALLOWED_HOSTS.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from urllib.parse import urlsplit

from core.context import RuntimeValue

IPAddress = IPv4Address | IPv6Address

_KINDS = (("is_loopback", "loopback"), ("is_link_local", "link-local"),
          ("is_multicast", "multicast"), ("is_unspecified", "unspecified"),
          ("is_private", "private"), ("is_reserved", "reserved"))


class RefusedAddress(ValueError):
    """The server will not connect there; the message says why."""


def address_problem(ip: IPAddress) -> str | None:
    """Why the server may not connect to `ip`, or None for a public address."""
    if isinstance(ip, IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for attribute, kind in _KINDS:
        if getattr(ip, attribute):
            return f"{ip} is a {kind} address"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


@dataclass(frozen=True)
class OutboundPolicy:
    """Host names or networks (`grader.lan`, `10.0.0.0/8`) allowed despite the rules."""

    allowed_hosts: tuple[str, ...] = ()

    def _allows(self, host: str, ip: IPAddress | None) -> bool:
        for entry in self.allowed_hosts:
            if entry.lower() == host.lower():
                return True
            if ip is not None:
                try:
                    if ip in ip_network(entry, strict=False):
                        return True
                except ValueError:
                    continue
        return False

    def url_problem(self, url: str) -> str | None:
        """Why a URL is refused without a DNS lookup (course validation), or None."""
        host = (urlsplit(url).hostname or "").rstrip(".")
        if not host:
            return "it names no host"
        literal = _literal(host)
        if self._allows(host, literal):
            return None
        if literal is not None:
            problem = address_problem(literal)
        elif host.lower() == "localhost" or host.lower().endswith(".localhost"):
            problem = f"{host} is a loopback address"
        else:
            return None
        return (f"{problem}; the server does not call its own machine or private networks "
                "(an operator can allow the host with COURSEWIRE_GRADER_ALLOWED_HOSTS)")

    async def checked_address(self, host: str, port: int) -> str:
        """The address to connect to for `host`: every address it resolves to must pass.
        RefusedAddress otherwise (or when it does not resolve)."""
        host = host.rstrip(".")
        literal = _literal(host)
        if literal is not None:
            infos = [str(literal)]
        else:
            try:
                found = await asyncio.get_running_loop().getaddrinfo(
                    host, port, type=socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError) as exc:
                raise RefusedAddress(f"{host} does not resolve: {exc}") from None
            infos = list(dict.fromkeys(str(info[4][0]) for info in found))
        if not infos:
            raise RefusedAddress(f"{host} does not resolve")
        for text in infos:
            ip = ip_address(text.split("%", 1)[0])
            problem = address_problem(ip)
            if problem and not self._allows(host, ip):
                raise RefusedAddress(f"{host}: {problem}")
        return infos[0]


def _literal(host: str) -> IPAddress | None:
    try:
        return ip_address(host.strip("[]"))
    except ValueError:
        return None


# The Runtime (or a command) binds the operator's allowed hosts; unbound: none allowed.
POLICY: RuntimeValue[OutboundPolicy] = RuntimeValue("outbound policy",
                                                    default=OutboundPolicy())


def current_policy() -> OutboundPolicy:
    return POLICY.get()

"""Where and with what a quiz may be taken (issue 14): its optional access code (given by
the proctor in the room) and its optional allowed networks (CIDR ranges, e.g. the exam
room's). Both are checked when an attempt is started, resumed or opened on a device; the
networks again on every save and hand-in. The code never leaves the server: a student's
views only say that one is needed."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
from typing import Any

from core.errors import PermissionDenied
from core.i18n import gettext as _

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def needs_access_code(fields: Mapping[str, Any]) -> bool:
    return bool(fields.get("access_code"))


def check_access_code(fields: Mapping[str, Any], given: object) -> None:
    """PermissionDenied unless the quiz has no access code or `given` is it (surrounding
    spaces ignored)."""
    code = fields.get("access_code")
    if not code:
        return
    if not isinstance(given, str) or not given.strip():
        raise PermissionDenied(_("This quiz needs its access code: ask your proctor for it."),
                               fields={"access_code": _("Required.")})
    if not hmac.compare_digest(given.strip().encode(), str(code).encode()):
        raise PermissionDenied(_("That access code is not right: check it with your proctor."),
                               fields={"access_code": _("Not right.")})


def check_network(fields: Mapping[str, Any], address: str) -> None:
    """PermissionDenied if the quiz names allowed networks and `address` is in none."""
    networks = [ipaddress.ip_network(n) for n in fields.get("allowed_networks") or []]
    if not networks or in_networks(address, networks):
        return
    raise PermissionDenied(_("This quiz can only be taken from the exam room's network, and your "
                             "address (%(address)s) is not on it. Ask your proctor.",
                             address=address),
                           fields={"allowed_networks": _("Your address is not allowed.")})


def in_networks(address: str, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # not an address at all (e.g. a test client's name): not allowed
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == n.version and ip in n for n in networks)

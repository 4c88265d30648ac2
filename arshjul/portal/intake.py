"""What a post brings: its form, read no further than its limits, and who sent it.

Reading the posted body is the portal's only ``async`` step (a dependency of
the post's route), so that a file is read at most one byte past its limit;
the middleware has already refused a body larger than the file's limit plus
:data:`FIELDS_MARGIN`.

Who sent it goes into the audit entry of the version: the connection's
address, or, from a proxy named in ``ARSHJUL_TRUSTED_PROXIES``, the one that
proxy forwarded.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect, Request

from arshjul.portal.state import portal_of
from arshjul.settings import IPNetwork

# Room for the text fields of a post besides its file.
FIELDS_MARGIN = 2 * 1024 * 1024
MAX_FIELDS = 2000
MAX_PART_SIZE = 256 * 1024


@dataclass
class Posted:
    """What a post carried: its text fields and at most one file (its first bytes)."""

    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    content: bytes = b""
    problem: str | None = None


async def read_posted(request: Request) -> Posted:
    """The posted fields, and the first ``limit + 1`` bytes of an attached file."""
    limit = portal_of(request).limit
    try:
        form = await request.form(max_files=1, max_fields=MAX_FIELDS, max_part_size=MAX_PART_SIZE)
    except StarletteHTTPException as exc:
        if exc.status_code == 413:
            raise
        return Posted(problem="Formuläret kunde inte läsas. Ladda om sidan och försök igen.")
    except ClientDisconnect:
        return Posted(problem="Anslutningen bröts innan formuläret kommit fram.")
    posted = Posted()
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                if value.filename and posted.filename is None:
                    posted.filename = value.filename
                    posted.content = await value.read(limit + 1)
            elif name not in posted.fields:
                posted.fields[name] = value
    finally:
        await form.close()
    return posted


def _address(text: str) -> IPNetwork | None:
    """An address from a socket or an X-Forwarded-For entry (``[::1]:443``, ``10.0.0.5:80``).

    As a network of one, to compare with the trusted networks; an IPv4 address
    seen through a dual-stack socket (``::ffff:10.0.0.5``) as the IPv4 one.
    """
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return ipaddress.ip_network(address)


def _inside(address: IPNetwork, net: IPNetwork) -> bool:
    """Within the network; an address of the other IP version never is."""
    if isinstance(address, ipaddress.IPv4Network) and isinstance(net, ipaddress.IPv4Network):
        return address.subnet_of(net)
    if isinstance(address, ipaddress.IPv6Network) and isinstance(net, ipaddress.IPv6Network):
        return address.subnet_of(net)
    return False


def _trusted(address: IPNetwork | None, proxies: tuple[IPNetwork, ...]) -> bool:
    return address is not None and any(_inside(address, net) for net in proxies)


def client_address(peer: str | None, forwarded: list[str], proxies: tuple[IPNetwork, ...]) -> str:
    """Who posted, for the audit entry: ``10.1.2.3``, or ``203.0.113.9 via 10.0.0.5``.

    ``X-Forwarded-For`` is read only when the connection comes from a trusted
    proxy, and then from the right: each trusted proxy appends the address it
    was reached from, so the first entry from the right that is not a trusted
    proxy is the client. Entries further left are whatever the client wrote.
    """
    if not peer:
        return "okänd"
    if not forwarded or not _trusted(_address(peer), proxies):
        return peer
    hops = [hop.strip() for value in forwarded for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # a trusted proxy writes addresses: the rest is not to be believed
        if not _trusted(address, proxies):
            return f"{address.network_address} via {peer}"
    return peer


def client_of(request: Request) -> str:
    """Who sent the request, through the portal's trusted proxies (see :func:`client_address`)."""
    return client_address(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        portal_of(request).trusted_proxies,
    )

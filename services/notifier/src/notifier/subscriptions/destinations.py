"""Where webhooks may go: the service must not be pointed at internal addresses (SSRF).

A destination is resolved and every address it resolves to is checked: private, loopback,
link-local, multicast, reserved and unspecified addresses, and the 6to4, NAT64 and Teredo
prefixes that lead to other addresses, are refused unless they fall inside
a network on the configured allow-list (``NOTIFIER_WEBHOOK_ALLOWED_NETWORKS``). Delivery then
connects to the checked address, not to whatever the name resolves to a moment later."""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class DestinationRefused(Exception):
    pass


# addresses that carry or translate to another address, which may be internal: 6to4 (RFC 3056),
# NAT64 (RFC 6052, RFC 8215) and Teredo (RFC 4380). Named here because what ``is_global`` says
# of them has changed between Python versions (3.11 calls 2002::/16 and 64:ff9b::/96 global).
TUNNELS = tuple(
    ipaddress.ip_network(net)
    for net in ("2002::/16", "64:ff9b::/96", "64:ff9b:1::/48", "2001::/32")
)


def internal(address: IPAddress) -> bool:
    """The address policy of every outbound URL the notifier checks: whether ``address`` is
    not a public unicast destination (private, loopback, link-local, multicast, reserved,
    unspecified, not global, or a tunnel/translation prefix)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv6Address) and any(address in net for net in TUNNELS):
        return True
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def check_address(address: IPAddress, allowed: list[str]) -> None:
    if any(address in ipaddress.ip_network(net, strict=False) for net in allowed):
        return
    if internal(address):
        raise DestinationRefused(
            f"{address} is an internal address and not on the webhook allow-list"
        )


def check_url_form(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise DestinationRefused("a webhook URL must be http or https")
    if not parts.hostname:
        raise DestinationRefused("a webhook URL needs a host")
    if parts.username or parts.password:
        raise DestinationRefused("credentials in a webhook URL are not accepted")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise DestinationRefused(f"bad port: {exc}") from None
    return parts.hostname, port


async def check_destination(url: str, allowed: list[str]) -> str:
    """The address to connect to; DestinationRefused unless every address ``url``'s host
    resolves to may be reached. The caller connects to the returned address itself, so a DNS
    answer that changes after the check (rebinding) cannot lead it inside."""
    host, port = check_url_form(url)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        check_address(literal, allowed)
        return str(literal)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise DestinationRefused(f"{host} does not resolve: {exc}") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise DestinationRefused(f"{host} does not resolve")
    for address in addresses:
        check_address(address, allowed)
    return str(addresses[0])


def pinned(url: str, address: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """``url`` with its host replaced by the checked address, the Host header to send, and the
    TLS server name to verify the certificate against (https)."""
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    return urlunsplit(parts._replace(netloc=netloc)), {"host": parts.netloc}, extensions

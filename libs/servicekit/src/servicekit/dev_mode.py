"""Dev mode's two guards: its HS256 secret is this installation's own, never one published with
the code, and it serves loopback only unless told otherwise (``dev_mode_on_network``).

Dev mode is for a developer's machine. Its tokens are minted by anyone who can read the secret
file (``mineadmin token``), so a stack in dev mode reachable from a network trusts whoever can
mint one there.
"""

import functools
import ipaddress
import logging
import os
import secrets
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from servicekit.errors import PROBLEM_BASE, problem_response

log = logging.getLogger("servicekit.dev_mode")

ON_NETWORK_SETTING = "MINEADMIN_DEV_MODE_ON_NETWORK"


class DevModeOnNetwork(RuntimeError):
    """Dev mode was asked to serve an address other than loopback."""


def installation_secret(path: Path) -> str:
    """The random HS256 secret of this installation, created (mode 0600) on first use. Two
    processes creating it at once agree: the file appears whole, once (a hard link of a
    finished file), and the loser reads the winner's."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48) + "\n")
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
        finally:
            draft.unlink(missing_ok=True)
    secret = path.read_text().strip()
    if len(secret) < 32:
        raise ValueError(f"{path} holds no usable secret: delete it and a new one is made")
    return secret


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, *, allowed: bool) -> None:
    """Before dev mode binds ``host``: refuse anything but loopback unless ``allowed``."""
    if is_loopback(host):
        return
    if not allowed:
        raise DevModeOnNetwork(
            f"dev mode (HS256 tokens from a local secret, no identity provider) refuses to "
            f"serve {host}: it binds loopback only (127.0.0.1). Deploy with mode=production and "
            f"jwt_jwks_url, or set {ON_NETWORK_SETTING}=true to serve dev mode on a network."
        )
    warn_on_network(host)


def warn_on_network(host: str) -> None:
    log.warning(
        "DEV MODE ON A NETWORK (%s=true): %s serves tokens signed with this installation's dev "
        "secret; anyone who can read it can act as any role. Never for shared data.",
        ON_NETWORK_SETTING,
        host,
    )


class LoopbackOnlyMiddleware:
    """For a dev-mode service whatever started it (``uvicorn --host 0.0.0.0`` included): a
    request that reached it on an address other than loopback is refused, before any work.
    An in-process transport or a Unix socket has no IP address: it is local."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._warned = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and not self._local(scope):
            if not self._warned:
                self._warned = True
                log.error(
                    "dev mode refused a request on %s: it serves loopback only (set %s=true "
                    "to serve it on a network)",
                    scope["server"][0],
                    ON_NETWORK_SETTING,
                )
            if scope["type"] == "http":
                body = {
                    "type": PROBLEM_BASE + "dev-mode-loopback-only",
                    "title": "Dev mode serves loopback only",
                    "status": 403,
                    "detail": "This service runs in dev mode, which serves 127.0.0.1 only.",
                }
                await problem_response(403, body)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _local(scope: Scope) -> bool:
        server = scope.get("server")
        return not server or _local_address(str(server[0]))


@functools.lru_cache(maxsize=64)  # a server has few local addresses: parse each once
def _local_address(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return True
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return (mapped or address).is_loopback

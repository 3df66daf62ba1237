"""Calls to another service of this system over HTTP, with this service's own token.

Used where one answer needs figures another service owns (the plan evaluation, the spatial
layers). A peer that does not answer, answers late or answers with an error is named in a 502
problem: the caller never receives a partial answer presented as whole.
"""

from typing import Any

import httpx

from servicekit.auth import Role, mint_dev_token
from servicekit.errors import ProblemError
from servicekit.services import installed_services
from servicekit.settings import Mode, ServiceSettings


class PeerUnavailable(ProblemError):
    status, slug, title = 502, "peer-unavailable", "Another service did not answer"


def peer_url(settings: ServiceSettings, name: str) -> str:
    if name in settings.peers:
        return settings.peers[name].rstrip("/")
    spec = installed_services().get(name)
    if spec is None:
        raise PeerUnavailable(f"No address is configured for the {name} service.", service=name)
    return f"http://127.0.0.1:{spec.port}"


def service_token(settings: ServiceSettings) -> str:
    if settings.service_token is not None:
        return settings.service_token.get_secret_value()
    if settings.mode is Mode.dev and not settings.jwt_jwks_url:
        return mint_dev_token(settings, role=Role.gov_system, subject="service", ttl_seconds=300)
    raise PeerUnavailable("service_token is not set: this service cannot call its peers.")


async def get_json(
    settings: ServiceSettings, name: str, path: str, *, params: dict[str, Any] | None = None
) -> Any:
    """GET ``path`` on the peer service ``name`` and return its JSON body."""
    url = peer_url(settings, name) + path
    headers = {"Authorization": f"Bearer {service_token(settings)}"}
    try:
        async with httpx.AsyncClient(timeout=settings.peer_timeout_seconds) as client:
            response = await client.get(url, params=params, headers=headers)
    except httpx.TimeoutException:
        raise PeerUnavailable(
            f"The {name} service did not answer {path} within {settings.peer_timeout_seconds:g} s.",
            service=name,
        ) from None
    except httpx.HTTPError as exc:
        raise PeerUnavailable(
            f"The {name} service could not be reached for {path}: {type(exc).__name__}.",
            service=name,
        ) from None
    if response.status_code != 200:
        raise PeerUnavailable(
            f"The {name} service answered {path} with HTTP {response.status_code}.",
            service=name,
            peer_status=response.status_code,
        )
    return response.json()

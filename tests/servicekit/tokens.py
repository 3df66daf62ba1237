"""Tokens of a test's own making, signed with the service's secret as the identity provider
signs them: any claims, of any type (``RunningService.auth`` mints only well-formed ones)."""

import time
from typing import Any

import jwt


def claims(service, **overrides: Any) -> dict[str, Any]:
    """A bureau admin's claims for ``service``, good for 10 minutes; ``overrides`` replace or
    add claims, and None leaves one out."""
    now = int(time.time())
    base = {
        "sub": "user-1",
        "roles": ["bureau_admin"],
        "iss": service.settings.jwt_issuer,
        "aud": service.settings.jwt_audience,
        "iat": now,
        "exp": now + 600,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def hs256(service, **overrides: Any) -> str:
    secret = service.settings.jwt_secret.get_secret_value()
    return jwt.encode(claims(service, **overrides), secret, algorithm="HS256")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}

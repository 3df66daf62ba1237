"""Bearer-token authentication and role checks.

Production verifies RS256 tokens from the government identity provider (JWKS); dev mode signs
HS256 tokens with a local secret (``mineadmin token``). No token means the public.
"""

import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from servicekit.claims import ClaimMapping, ClaimsRefused, check_registered
from servicekit.errors import Forbidden, Unauthorized
from servicekit.holder_directory import HolderDirectory
from servicekit.jwks import JwksCache, SigningKeyUnavailable
from servicekit.settings import Role, ServiceSettings

BUREAU = (Role.bureau_admin, Role.bureau_reviewer)


@dataclass(frozen=True)
class Principal:
    """A caller, parsed once from verified claims (servicekit.claims): its types hold."""

    subject: str
    roles: frozenset[Role]
    holder_id: uuid.UUID | None = None
    org_id: str | None = None

    def has(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def is_bureau(self) -> bool:
        return self.has(*BUREAU)

    @property
    def own_holder(self) -> uuid.UUID | None:
        """The one holder an enterprise caller is limited to; None for callers who see all."""
        return self.holder_id if self.has(Role.enterprise) and not self.is_bureau else None

    @property
    def own_org(self) -> str | None:
        """The one organisation an evaluator caller is limited to."""
        return self.org_id if self.has(Role.evaluator) and not self.is_bureau else None

    def sees_holder(self, holder_id: object) -> bool:
        """Whether objects of ``holder_id`` are visible to this caller: an enterprise sees its
        own holder's only (asking for another's gets 404, never a hint that it exists)."""
        return self.own_holder is None or self.own_holder == _as_uuid(holder_id)

    def ensure_holder(self, holder_id: object) -> None:
        """Enterprises act only for their own holder; bureau staff act for everyone."""
        if not self.sees_holder(holder_id):
            raise Forbidden("This object belongs to another rights holder.")

    def ensure_org(self, org_id: str) -> None:
        """Evaluators act only for their own organisation."""
        if self.own_org is not None and self.own_org != org_id:
            raise Forbidden("This object belongs to another evaluation organisation.")


def _as_uuid(value: object) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class Authenticator:
    """Verifies bearer tokens. A verified token is remembered (until it expires, at most
    ``CACHE_SECONDS``) so a client sending the same token request after request costs one
    signature check, not one per request."""

    CACHE_SECONDS = 60.0
    CACHE_SIZE = 4096

    def __init__(self, settings: ServiceSettings, holders: HolderDirectory | None = None) -> None:
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.claims = ClaimMapping.from_settings(settings)
        self._jwks = (
            JwksCache(
                settings.jwt_jwks_url,
                max_age=settings.jwks_max_age_seconds,
                min_refetch_interval=settings.jwks_min_refetch_seconds,
            )
            if settings.jwt_jwks_url
            else None
        )
        self._secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else ""
        self._verified: dict[str, tuple[Principal, float]] = {}
        self._holders = holders  # set when tokens may name their holder by credit code

    async def authenticate(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None and time.time() < cached[1]:
            return cached[0]
        claims = await self._verify(token)
        principal = await self._principal(claims)
        if len(self._verified) >= self.CACHE_SIZE:
            self._verified.clear()  # rare: a burst of distinct tokens; the next ones re-verify
        self._verified[token] = (principal, min(claims["exp"], time.time() + self.CACHE_SECONDS))
        return principal

    async def _verify(self, token: str) -> dict[str, Any]:
        try:
            if self._jwks is not None:
                key, algorithm = await self._signing_key(token), "RS256"
            else:
                key, algorithm = self._secret, "HS256"
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"Invalid bearer token: {exc}") from exc
        return claims

    async def _signing_key(self, token: str) -> Any:
        assert self._jwks is not None
        header = jwt.get_unverified_header(token)  # a malformed token: InvalidTokenError
        if header.get("alg") != "RS256":
            raise jwt.InvalidAlgorithmError("The token must be signed with RS256.")
        try:
            jwk = await self._jwks.key_for(header.get("kid"))
        except SigningKeyUnavailable as exc:
            raise Unauthorized(f"Signing key not available: {exc}") from exc
        return jwk.key

    async def _principal(self, claims: dict[str, Any]) -> Principal:
        try:
            check_registered(claims)
            roles = self.claims.roles(claims)
            credit_code = self.claims.credit_code(claims) if Role.enterprise in roles else None
            holder_id = self.claims.holder_id(claims) if credit_code is None else None
            org_id = self.claims.org_id(claims)
        except ClaimsRefused as exc:
            raise Unauthorized(str(exc)) from exc
        if credit_code is not None:
            holder_id = await self._holder_by_credit_code(credit_code)
        if Role.enterprise in roles and not holder_id:
            raise Unauthorized(f"An enterprise token needs the {self.claims.holder_claim} claim.")
        if Role.evaluator in roles and not org_id:
            raise Unauthorized(f"An evaluator token needs the {self.claims.org_claim} claim.")
        return Principal(claims["sub"], roles, holder_id, org_id)

    async def _holder_by_credit_code(self, credit_code: str) -> uuid.UUID:
        assert self._holders is not None  # built whenever the credit-code claim is configured
        holder_id = await self._holders.holder_for(credit_code)
        if holder_id is None:
            raise Unauthorized(
                f"No rights holder is registered with the credit code {credit_code} that the "
                f"{self.claims.credit_code_claim} claim names."
            )
        return holder_id


def mint_dev_token(
    settings: ServiceSettings,
    *,
    role: Role,
    holder_id: uuid.UUID | str | None = None,
    org_id: str | None = None,
    subject: str | None = None,
    ttl_seconds: int = 12 * 3600,
) -> str:
    """An HS256 token for dev and tests. Refused when the settings expect IdP tokens."""
    if settings.jwt_jwks_url or settings.jwt_secret is None:
        raise ValueError("this deployment verifies RS256 tokens from its identity provider")
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject or f"dev-{role.value}-{uuid.uuid4().hex[:8]}",
        "roles": [role.value],
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if holder_id:
        claims["holder_id"] = str(holder_id)
    if org_id:
        claims["org_id"] = org_id
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


_bearer = HTTPBearer(auto_error=False, description="JWT from the identity provider")


async def optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The caller, or None for the public. A bad token is refused, never read as anonymous."""
    if credentials is None:
        return None
    cached = request.scope.get("state", {}).get("principal")
    if cached is not None:
        return cached
    principal = await request.app.state.authenticator.authenticate(credentials.credentials)
    request.scope.setdefault("state", {})["principal"] = principal
    return principal


def require(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """Dependency factory: the caller must hold one of ``roles``."""

    async def dependency(
        principal: Annotated[Principal | None, Depends(optional_principal)],
    ) -> Principal:
        if principal is None:
            raise Unauthorized("This operation needs a bearer token.")
        if not principal.has(*roles):
            raise Forbidden(f"Allowed roles: {', '.join(r.value for r in roles)}.")
        return principal

    dependency.allowed_roles = roles  # type: ignore[attr-defined]  # openapi.py documents the 403
    return dependency

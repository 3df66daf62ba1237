"""Reading a verified token's claims as a caller: the provider's role names and its holder and
organisation claims, mapped to what the services know (settings ``jwt_*``).

A signature says who issued the claims, not that they are well typed: each one the services use
is checked here, once, and a claim of the wrong shape refuses the token naming that claim."""

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from servicekit.settings import Role, ServiceSettings


class ClaimsRefused(ValueError):
    """The claims do not describe a caller the services can serve."""


@dataclass(frozen=True)
class ClaimMapping:
    roles_claim: str = "roles"
    role_map: dict[str, Role] = field(default_factory=dict)
    holder_claim: str = "holder_id"
    org_claim: str = "org_id"
    credit_code_claim: str | None = None

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> "ClaimMapping":
        return cls(
            roles_claim=settings.jwt_roles_claim,
            role_map=dict(settings.jwt_role_map),
            holder_claim=settings.jwt_holder_claim,
            org_claim=settings.jwt_org_claim,
            credit_code_claim=settings.jwt_holder_credit_code_claim,
        )

    def roles(self, claims: dict[str, Any]) -> frozenset[Role]:
        raw = claim_at(claims, self.roles_claim)
        raw = [] if raw is None else [raw] if isinstance(raw, str) else raw
        if not isinstance(raw, list) or not all(isinstance(r, str) for r in raw):
            raise ClaimsRefused(
                f"The {self.roles_claim} claim must be a role name or a list of role names."
            )
        if self.role_map:
            roles = frozenset(self.role_map[r] for r in raw if r in self.role_map)
        else:
            try:
                roles = frozenset(Role(r) for r in raw)
            except ValueError as exc:
                raise ClaimsRefused(f"Unknown role in token: {exc}") from exc
        if not roles:
            raise ClaimsRefused("The token carries no role.")
        return roles

    def holder_id(self, claims: dict[str, Any]) -> uuid.UUID | None:
        value = _text(claims, self.holder_claim)
        if value is None:
            return None
        try:
            return uuid.UUID(value)
        except ValueError:
            raise ClaimsRefused(f"The {self.holder_claim} claim must be a UUID.") from None

    def org_id(self, claims: dict[str, Any]) -> str | None:
        value = _text(claims, self.org_claim)
        if value is not None and not ORG_ID.fullmatch(value):
            raise ClaimsRefused(
                f"The {self.org_claim} claim must be an organisation id "
                "(at most 64 letters, digits, '_', '.' or '-')."
            )
        return value

    def credit_code(self, claims: dict[str, Any]) -> str | None:
        """The credit code the token names its enterprise by, when the provider sends one."""
        if self.credit_code_claim is None:
            return None
        value = _text(claims, self.credit_code_claim)
        if value is None:
            return None
        code = value.strip().upper()
        if not CREDIT_CODE.fullmatch(code):
            raise ClaimsRefused(
                f"The {self.credit_code_claim} claim must be a unified social credit code "
                "(18 characters, GB 32100-2015)."
            )
        return code


ORG_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")  # as greenmine's evaluator_orgs.id
CREDIT_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")  # its check character is rights-api's
NUMERIC_DATES = ("exp", "iat", "nbf")


def check_registered(claims: dict[str, Any]) -> None:
    """``sub`` a non-empty string, ``exp``/``iat``/``nbf`` numbers (RFC 7519 NumericDate).
    PyJWT converts a date given as a string, such as ``"9999999999"``, to check it, and leaves
    the string in the claims."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise ClaimsRefused("The sub claim must be a non-empty string.")
    for name in NUMERIC_DATES:
        value = claims.get(name)
        if name in claims and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ClaimsRefused(f"The {name} claim must be a number (seconds since 1970).")


def claim_at(claims: dict[str, Any], path: str) -> Any:
    """The claim at a dotted ``path`` (``realm_access.roles``), None when any step is absent."""
    value: Any = claims
    for step in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def _text(claims: dict[str, Any], path: str) -> str | None:
    value = claim_at(claims, path)
    if isinstance(value, list) and len(value) == 1:  # Keycloak's user attributes may be lists
        value = value[0]
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ClaimsRefused(f"The {path} claim must be a single identifier.")
    return value

"""The authorization matrix: for every operation of every service, who may call it.

One module per service holds ``MATRIX``, a table ``"METHOD /path" -> Rule``. A rule names the
principals who are allowed; everyone else is refused, and how is derived, never guessed:

- ``ANON`` not allowed -> 401 problem+json with ``WWW-Authenticate``;
- ``ENT_B`` (an enterprise of another holder) when ``ENT_A`` (the owner) is allowed -> the rule's
  ``other`` status: 404 where the object's existence is itself confidential, 403 where the caller
  names someone else's object (a holder id in the body, a right already public...);
- ``EVAL_B`` likewise against ``EVAL_A`` (the organisation the application is assigned to);
- every other principal -> 403 problem+json, or the rule's ``refused`` status (404 where the
  object is only its owner's business: a subscription, an inbox item).

An allowed call answers 2xx, or one of the rule's ``also`` statuses: documented outcomes of the
state an earlier allowed caller left (approving an approved application is a 409), never 401 or
403, and never a 404 unless the rule says so.
"""

from dataclasses import dataclass, field

ANON = "anonymous"
ADMIN = "bureau_admin"
REVIEWER = "bureau_reviewer"
INSPECTOR = "inspector"
GOV = "gov_system"
ENT_A = "enterprise_a"
ENT_B = "enterprise_b"
EVAL_A = "evaluator_a"
EVAL_B = "evaluator_b"

PRINCIPALS = (ANON, ADMIN, REVIEWER, INSPECTOR, GOV, ENT_A, ENT_B, EVAL_A, EVAL_B)
OTHERS = {ENT_B: ENT_A, EVAL_B: EVAL_A}  # the other owner -> the owner it is compared with

# handy groups, so a row reads like the service's own role lists
BUREAU = (ADMIN, REVIEWER)
ENTERPRISES = (ENT_A, ENT_B)
EVALUATORS = (EVAL_A, EVAL_B)
TOKEN = (ADMIN, REVIEWER, INSPECTOR, GOV, *ENTERPRISES, *EVALUATORS)  # anyone with a token
EVERYONE = (ANON, *TOKEN)


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    other: int | None = None  # the status the other owner gets, when the owner is allowed
    also: frozenset[int] = field(default_factory=frozenset)  # allowed, but the state says no
    # the other owner is allowed (a list, a search) but must not see the owner's objects
    scoped: bool = False
    # what other callers with a token get: 404 where the object is only the owner's business
    refused: int = 403

    def expected(self, principal: str) -> int | None:
        """None when ``principal`` is allowed, else the refusal status."""
        if principal in self.allowed:
            return None
        if principal == ANON:
            return 401
        owner = OTHERS.get(principal)
        if owner in self.allowed:
            assert self.other in (403, 404), f"{principal}: say whether it is a 403 or a 404"
            return self.other
        return self.refused


def allow(
    *groups: str | tuple[str, ...],
    other: int | None = None,
    also=(),
    scoped=False,
    refused: int = 403,
) -> Rule:
    names = frozenset(n for g in groups for n in ((g,) if isinstance(g, str) else g))
    unknown = names - set(PRINCIPALS)
    assert not unknown, unknown
    return Rule(names, other, frozenset(also), scoped, refused)


PUBLIC = allow(EVERYONE)
ADMIN_ONLY = allow(ADMIN)

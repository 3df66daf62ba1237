"""Who may see an enterprise's personal data in events: the one place this is decided.

Personal fields are marked in the contracts (``contracts.PERSONAL``, ``x-personal: true`` in
the JSON Schemas of ``GET /event-types``): today the contact person, phone and e-mail of
``rights.holder.registered``. They stay inside the bureau: bureau staff (admins, reviewers) and
its inspectors see them; an enterprise sees its own (the feed shows it only its own holder's
events); government systems and every other caller get events without them, in the feed and
in deliveries alike. A subscription's entitlement is fixed when it is made, from the roles of
whoever made it."""

from typing import Any

from contracts import personal_fields, registry
from servicekit.auth import Principal, Role

PERSONAL_DATA_ROLES = (Role.bureau_admin, Role.bureau_reviewer, Role.inspector)
_PERSONAL = {model.event_type: personal_fields(model) for model in registry}


def sees_personal(caller: Principal) -> bool:
    return caller.has(*PERSONAL_DATA_ROLES) or caller.own_holder is not None


def personal(event_type: str) -> frozenset[str]:
    """The personal fields of ``event_type`` (none for a type the contracts do not know)."""
    return _PERSONAL.get(event_type, frozenset())


def visible(event_type: str, data: dict[str, Any], *, personal_data: bool) -> dict[str, Any]:
    """``data`` as a caller sees it: without the type's personal fields unless entitled."""
    if personal_data:
        return data
    hidden = personal(event_type)
    return {name: value for name, value in data.items() if name not in hidden}

"""Get-or-404 and owner-or-404: the one way a service loads an object by its key.

An enterprise asking for another holder's object, or an evaluator for another organisation's,
gets the very 404 of an object that does not exist: it learns nothing of others' objects."""

from typing import Any, Literal, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from servicekit.auth import Principal
from servicekit.errors import NotFound

T = TypeVar("T")


async def get_or_404(
    session: AsyncSession,
    model: type[T],
    key: Any,
    *,
    what: str,
    for_update: bool = False,
) -> T:
    """The row of ``model`` with primary key ``key``, or 404 "No {what} {key}."."""
    row = await session.get(model, key, with_for_update=for_update)
    if row is None:
        raise NotFound(f"No {what} {key}.")
    return row


async def owned_or_404(
    session: AsyncSession,
    model: type[T],
    key: Any,
    caller: Principal | None,
    *,
    what: str,
    owner: Literal["holder_id", "org_id"] = "holder_id",
    for_update: bool = False,
) -> T:
    """As ``get_or_404``, and a caller limited to one holder (or organisation) who does not
    own the row gets the same 404. ``caller=None`` (a system task) sees every row."""
    row = await get_or_404(session, model, key, what=what, for_update=for_update)
    if caller is not None and not _sees(caller, row, owner=owner):
        raise NotFound(f"No {what} {key}.")
    return row


def _sees(
    caller: Principal, row: Any, *, owner: Literal["holder_id", "org_id"] = "holder_id"
) -> bool:
    """Whether ``caller`` may see ``row``, owned through its ``owner`` attribute."""
    if owner == "holder_id":
        return caller.sees_holder(row.holder_id)
    return caller.own_org is None or caller.own_org == str(row.org_id)

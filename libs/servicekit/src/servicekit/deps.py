"""The dependencies routes declare, named once: the request's session and the caller in each
role set the services use. A route states who may call it by the alias it takes:

    async def get_work(work_id: UUID, session: Session, caller: Reader) -> WorkPublic: ...
"""

from typing import Annotated

from fastapi import Depends
from sqlmodel.ext.asyncio.session import AsyncSession

from servicekit.auth import BUREAU, Principal, Role, optional_principal, require
from servicekit.pagination import Paging
from servicekit.unit_of_work import get_read_session, get_session

Session = Annotated[AsyncSession, Depends(get_session)]
# a POST that only reads (a dry run): the read-only pool, as a GET gets
ReadSession = Annotated[AsyncSession, Depends(get_read_session)]

# No token is the public; a token, when sent, must be valid.
# Visitor: the answer depends on who asks (staff see more); documented as a token optional.
Visitor = Annotated[Principal | None, Depends(optional_principal)]


async def token_checked(_: Visitor) -> None:
    """A token, when sent, is checked; the answer is the same with or without one."""


# Public: the same answer for everyone; documented as needing no token (no lock in /docs).
Public = Annotated[None, Depends(token_checked)]
# Any authenticated caller, whatever the role.
Anyone = Annotated[Principal, Depends(require(*Role))]
Admin = Annotated[Principal, Depends(require(Role.bureau_admin))]
Bureau = Annotated[Principal, Depends(require(*BUREAU))]
# the bureau and other government systems (and this system's services, with their token)
BureauOrSystem = Annotated[Principal, Depends(require(*BUREAU, Role.gov_system))]
BureauOrHolder = Annotated[Principal, Depends(require(*BUREAU, Role.enterprise))]
BureauOrInspector = Annotated[Principal, Depends(require(*BUREAU, Role.inspector))]
# the bureau, its inspectors and other government systems: officials who see every holder
Officials = Annotated[Principal, Depends(require(*BUREAU, Role.inspector, Role.gov_system))]
# officials and enterprises (which see their own holder's objects only)
Reader = Annotated[
    Principal, Depends(require(*BUREAU, Role.inspector, Role.gov_system, Role.enterprise))
]
Enterprise = Annotated[Principal, Depends(require(Role.enterprise))]
Evaluator = Annotated[Principal, Depends(require(Role.evaluator))]
Inspector = Annotated[Principal, Depends(require(Role.inspector))]

__all__ = [
    "Admin",
    "Anyone",
    "Bureau",
    "BureauOrHolder",
    "BureauOrInspector",
    "Enterprise",
    "Evaluator",
    "Inspector",
    "Officials",
    "Paging",
    "Public",
    "ReadSession",
    "Reader",
    "Session",
    "Visitor",
]

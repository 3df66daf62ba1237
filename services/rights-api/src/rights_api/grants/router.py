"""HTTP for entering an existing right in the register: parse, authorize, call the service."""

from fastapi import APIRouter, Response
from servicekit.deps import Admin, Session
from servicekit.errors import problem_doc

from rights_api.answers import created
from rights_api.grants import service
from rights_api.rights.schemas import RightCreate, RightPublic

router = APIRouter(tags=["rights 矿业权"])


@router.post(
    "/rights",
    status_code=201,
    summary="Enter an existing right in the register 登记已有矿业权",
    responses={409: problem_doc("Licence number already registered")},
)
async def register_right(
    data: RightCreate, session: Session, caller: Admin, response: Response
) -> RightPublic:
    """For rights granted before this system (new rights come from approved applications). The
    boundary is checked like an application's (closed rings, no self-intersection, declared area
    within the tolerance of the geodesic area) and `rights.right.granted` is published.
    """
    right = RightPublic.of(await service.register(session=session, data=data, actor=caller.subject))
    return created(response, right, f"/rights/{right.id}")

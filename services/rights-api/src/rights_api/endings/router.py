"""HTTP for the bureau's own actions on a right: parse, authorize, call the service, shape."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Response
from servicekit.deps import Bureau, Session
from servicekit.errors import problem_doc

from rights_api.answers import versioned
from rights_api.endings import service
from rights_api.endings.schemas import EXAMPLES, BureauAction
from rights_api.rights.schemas import RightPublic

router = APIRouter(tags=["rights 矿业权"])
RESPONSES = {
    404: problem_doc("No such right 无此矿业权"),
    409: problem_doc("Not allowed from the right's status 当前状态不允许该操作"),
}


def _body(action: str) -> object:
    return Annotated[BureauAction, Body(openapi_examples={action: EXAMPLES[action]})]


SuspendBody = _body("suspend")
ResumeBody = _body("resume")
RevokeBody = _body("revoke")
PolicyCloseBody = _body("policy-close")


async def _act(
    action: str, right_id: UUID, data: BureauAction, session: Session, caller: Bureau
) -> RightPublic:
    right = await service.act(
        session=session,
        right_id=right_id,
        caller=caller,
        action=action,
        reason=data.reason,
        clause=data.clause,
    )
    return RightPublic.of(right)


@router.post("/rights/{right_id}/suspend", summary="Suspend a mine 停产整治", responses=RESPONSES)
async def suspend_right(
    right_id: UUID, data: SuspendBody, session: Session, caller: Bureau, response: Response
) -> RightPublic:
    """A mine under construction or producing becomes `suspended` (第六章第二节二: 逾期不能达标
    的，实行停产整治或者关闭) and `rights.right.suspended` is published with `cause: bureau`.
    The status it had is kept: `resume` returns to it. Anything else is 409.
    """
    return versioned(response, await _act("suspend", right_id, data, session, caller))


@router.post("/rights/{right_id}/resume", summary="Resume a mine 恢复生产", responses=RESPONSES)
async def resume_right(
    right_id: UUID, data: ResumeBody, session: Session, caller: Bureau, response: Response
) -> RightPublic:
    """A suspended mine returns to the status it had before (normally `producing`; `producing`
    when nothing recorded it) and `rights.right.resumed` is published. 409 when it is not
    suspended, or while an overdue restoration rectification or compliance order still holds it
    (meeting or resolving that resumes it).
    """
    return versioned(response, await _act("resume", right_id, data, session, caller))


@router.post(
    "/rights/{right_id}/revoke", summary="Revoke a mining right 吊销采矿许可证", responses=RESPONSES
)
async def revoke_right(
    right_id: UUID, data: RevokeBody, session: Session, caller: Bureau, response: Response
) -> RightPublic:
    """The right becomes `revoked` and `rights.right.revoked` is published: restoration-api
    opens its closure case, and the mine is `closed` when the closure restoration passes
    acceptance (第六章第二节三), then delisted by greenmine-api. Only a right under construction,
    producing or suspended can be revoked (409 otherwise).
    """
    return versioned(response, await _act("revoke", right_id, data, session, caller))


@router.post(
    "/rights/{right_id}/policy-close",
    summary="Close a mine by policy 政策性关闭",
    responses=RESPONSES,
)
async def policy_close_right(
    right_id: UUID,
    data: PolicyCloseBody,
    session: Session,
    caller: Bureau,
    response: Response,
) -> RightPublic:
    """政策性关闭 (第五章第二节: 对已停产多年且资源量接近枯竭的矿山，根据政策要求，退出矿业市场，
    开展矿山环境治理和土地复垦工程，并最终通过相关部门验收): the mine becomes `closing` and
    `rights.right.policy_closed` is published; restoration-api opens its closure case, and the
    mine is `closed_by_policy` when the closure restoration passes acceptance. Only a right
    under construction, producing or suspended (409 otherwise).
    """
    return versioned(response, await _act("policy-close", right_id, data, session, caller))

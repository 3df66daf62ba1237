"""HTTP for the conformance of existing rights to a plan edition: parse, authorize, call the
service, shape the response."""

from uuid import UUID

from fastapi import APIRouter, Response
from servicekit.deps import Bureau, Session
from servicekit.errors import problem_doc

from rights_api.attachments.http import Settings
from rights_api.conformance import service
from rights_api.conformance.schemas import ActionOpen, ActionPublic, Conformance

router = APIRouter(prefix="/plan-editions", tags=["conformance 规划符合性"])
NOT_FOUND = {
    404: problem_doc("No such plan edition 无此规划版本"),
    409: problem_doc("A draft edition judges nothing: see its /impact 草案不作判定"),
}


@router.get(
    "/{edition_id}/conformance",
    summary="Existing rights against the plan 已有矿业权规划符合性",
    responses=NOT_FOUND,
)
async def conformance(edition_id: UUID, session: Session, _: Bureau) -> Conformance:
    """Every live right judged against this edition today (第五章第三节 规划准入条件: 已建矿山要按照
    规划的布局和结构进行调整和优化). Each finding names the right, the rule, the clause, the action
    the plan prescribes and what opening it does:

    - `below_min_scale` → `exit` (a compliance order 限期退出) and `below_min_scale_no_renewal` →
      `no_renewal` (the licence is not renewed), after the edition's `min_scale_deadline`
      (2023-12-31): 第四章第二节 "原则上2023年12月底前仍达不到最低开采的矿山应当退出，
      采矿权到期不再予以办理延续登记"; before it, `restrict` (限期整改, 第五章第二节);
    - `prohibited_area` → `close` (政策性关闭): 第五章第三节 "禁止开采区内的矿山全部关停，
      并逐步有序退出";
    - `outside_zone` (city-licensed sand and stone) → `restrict` (限期整改或整合): 第三章第四节
      "已有采矿权不符合开采条件的应限期整改或整合";
    - `city_mine_cap`, `mine_count_cap`, `output_cap` → `restrict` for the mines beyond the cap in
      register order: no new grants (第二章第三节/专栏二, 第四章第二节/专栏四; 第八章第三节
      "控制新设采矿权投放数量").

    State-licensed rights (petroleum, uranium) are judged by the prohibited-area rule only.
    `illustrative: true` marks a finding resting on demo geometry 示意. Reading publishes nothing;
    `action_id` names an action already opened. Bureau staff only.
    """
    return await service.conformance(session=session, edition_id=edition_id)


@router.post(
    "/{edition_id}/conformance/actions",
    status_code=201,
    summary="Open the prescribed action 启动规划符合性处置",
    responses={
        **NOT_FOUND,
        200: {"model": ActionPublic, "description": "Already opened 已启动 (nothing new)"},
    },
)
async def open_action(
    edition_id: UUID,
    data: ActionOpen,
    session: Session,
    caller: Bureau,
    config: Settings,
    response: Response,
) -> ActionPublic:
    """Opens what the finding (`right_id`, `rule`) prescribes, once per edition, right and rule:
    201 the first time; 200 with the same action afterwards, opening nothing new. `exit` and
    `restrict` (zone) issue a compliance order (`below_min_scale_exit` 限期退出,
    `plan_nonconforming` 限期整改或整合; `RIGHTS_CONFORMANCE_EXIT_DAYS` /
    `RIGHTS_CONFORMANCE_RECTIFY_DAYS` from today), whose overdue suspends the mine; `close` closes
    the right by policy (it enters `closing`; 422 for a right the city does not license);
    `no_renewal` and `restrict` (caps) are recorded in the right's history, and the admission
    rules enforce them (renewal: `below_min_scale_no_renewal`; caps: `city_mine_cap`,
    `mine_count_cap`). Each opening publishes `rights.conformance.flagged` to the holder, with the
    deadline (the order's date, or the licence's last day for `no_renewal`). 422 naming
    `body.rule` when the edition finds no such thing today.
    """
    action, opened = await service.open_action(
        session=session, settings=config, edition_id=edition_id, data=data, caller=caller
    )
    response.status_code = 201 if opened else 200
    response.headers["Location"] = f"/plan-editions/{edition_id}/conformance/actions/{action.id}"
    return action

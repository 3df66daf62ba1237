"""HTTP for market grant offerings 矿业权出让 (招拍挂): parse, authorize, call the service."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Query, Response
from servicekit import clock
from servicekit.deps import Bureau, BureauOrHolder, Paging, Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from rights_api.answers import created, versioned
from rights_api.offerings import award, bidding, service
from rights_api.offerings.schemas import (
    OFFERING_EXAMPLES,
    Announce,
    BidCreate,
    BidderCreate,
    BidderPublic,
    BidPublic,
    OfferingCreate,
    OfferingFilters,
    OfferingPublic,
    ResultCreate,
    Withdraw,
)
from rights_api.plan.disclosure import disclose, documented

router = APIRouter(prefix="/grant-offerings", tags=["grant offerings 矿业权出让"])
Filters = Annotated[OfferingFilters, Query()]
NOT_FOUND = {404: problem_doc("No such offering 无此出让项目")}
STATE = {**NOT_FOUND, 409: problem_doc("Not in a state that allows this 当前状态不允许")}
PLAN_REFUSED = problem_doc(
    "Refused by the plan's admission rules (`admission-refused`): `violations` lists every "
    "failed rule with its `code`, `clause`, `message_zh`, `message_en` and `numbers`; a cap the "
    "block would break names the cap's clause and 第五章第一节 不符合规划准入条件"
)
REFUSED = {
    409: problem_doc("The block already has an open offering 该区块已在出让中"),
    422: PLAN_REFUSED,
}
AWARDING = {**STATE, 422: PLAN_REFUSED}


@router.post(
    "",
    status_code=201,
    summary="Offer a planned block 拟出让开采规划区块",
    responses={**REFUSED, **documented(201)},
)
async def create_offering(
    data: Annotated[OfferingCreate, Body(openapi_examples=OFFERING_EXAMPLES)],
    session: Session,
    caller: Bureau,
    response: Response,
) -> OfferingPublic:
    """A planned block 开采规划区块 of the edition in force (第五章第一节, e.g. `KQ-01` 建筑用砂),
    offered by tender 招标, auction 拍卖 or listing 挂牌 (第五章第二节: 普通建筑用砂石矿采矿权必须
    严格执行市场出让制度). The same admission rules as a new mining application run (licensing
    level, minimum scale of 专栏五, city, prohibited areas, zone or block, overlaps, the caps of
    专栏二 and 专栏四): a refusal is a 422 `admission-refused` with `violations`, each with its
    clause. A cap the block would break names both clauses, the cap's and 第五章第一节 (the plan
    contradicts itself: see the README). Open offerings hold their place under the caps.
    `key_project` with its `basis`: the city government set the conditions for a rail, road or
    other key project. Answer: `state: "draft"`; the headers `Plan-Edition` and
    `Plan-Edition-Past-Period` name the edition that judged it.
    """
    offering, plan = await service.create(session=session, data=data, actor=caller)
    disclose(response, code=plan.code, period_end=plan.period_end, on=clock.local_today())
    return created(response, offering, f"/grant-offerings/{offering.id}")


@router.get("", summary="List grant offerings 出让项目列表")
async def list_offerings(
    session: Session, caller: Reader, page: Paging, filters: Filters
) -> Page[OfferingPublic]:
    """In the order created. Enterprises see published offerings only (not drafts)."""
    return await service.list_offerings(session=session, page=page, caller=caller, filters=filters)


@router.get("/{offering_id}", summary="A grant offering 出让项目详情", responses=NOT_FOUND)
async def get_offering(
    offering_id: UUID, session: Session, caller: Reader, response: Response
) -> OfferingPublic:
    """`state`, the notice and bidding dates, `winner_holder_id`, `right_id` and the grant
    `contract` with its instalments. A tender's best bid is shown to the bureau only until it
    closes. Enterprises get 404 for a draft.
    """
    return versioned(
        response, await service.show(session=session, offering_id=offering_id, caller=caller)
    )


@router.post("/{offering_id}/announce", summary="Publish the notice 发布出让公告", responses=STATE)
async def announce(
    offering_id: UUID, data: Announce, session: Session, caller: Bureau, response: Response
) -> OfferingPublic:
    """A draft becomes `announced`. From `notice_from` the notice runs the edition's
    `market_grant.notice_workdays` working days (statutory calendar, the publication day not
    counted); bidding opens the next working day for the method's working days (listing 挂牌:
    `listing_workdays`). The answer carries `notice_until`, `bidding_from`, `bidding_until`.
    """
    offering = await service.announce(
        session=session, offering_id=offering_id, data=data, actor=caller
    )
    return versioned(response, offering)


@router.post(
    "/{offering_id}/bidders",
    status_code=201,
    summary="Record a bidder and its deposit 登记竞买人及保证金",
    responses={**STATE, 409: problem_doc("Already a bidder, or bidding has ended")},
)
async def register_bidder(
    offering_id: UUID, data: BidderCreate, session: Session, caller: Bureau
) -> BidderPublic:
    """The bureau (not the enterprise) records a registered holder as a bidder once its deposit
    保证金 has arrived (`deposit_yuan`, default and minimum the offering's deposit), while the
    offering is announced and bidding has not ended. Only bidders may bid.
    """
    return await bidding.register_bidder(
        session=session, offering_id=offering_id, data=data, actor=caller
    )


@router.post(
    "/{offering_id}/bids",
    status_code=201,
    summary="Place a bid 投标/竞价",
    responses={**STATE, 403: problem_doc("Bids only for your own holder")},
)
async def place_bid(
    offering_id: UUID, data: BidCreate, session: Session, caller: BureauOrHolder
) -> BidPublic:
    """A registered bidder's bid while bidding is open (`bidding_from` … `bidding_until`, Beijing
    dates); otherwise 409. An enterprise bids for its own holder only; bureau staff enter bids
    made at a live session. Tender 招标: one sealed bid per bidder, seen by nobody but the bureau
    until the tender closes. Auction 拍卖 and listing 挂牌: the first bid at least the reserve
    price, each next at least the best bid plus `min_increment_yuan` (else 422 naming
    `body.amount_yuan`).
    """
    return await bidding.bid(session=session, offering_id=offering_id, data=data, actor=caller)


@router.get("/{offering_id}/bids", summary="Bids 报价记录", responses=NOT_FOUND)
async def list_bids(
    offering_id: UUID, session: Session, caller: Reader, page: Paging
) -> Page[BidPublic]:
    """In the order placed. The bureau sees every bid. An enterprise sees only its own bids of a
    tender until it closes; afterwards, and at an auction or listing, it sees the others' amounts
    without their bidders (`holder_id: null`).
    """
    return await bidding.list_bids(
        session=session, offering_id=offering_id, caller=caller, page=page
    )


@router.post(
    "/{offering_id}/close", summary="Close bidding and decide 截止并确定结果", responses=AWARDING
)
async def close(
    offering_id: UUID, session: Session, caller: Bureau, response: Response
) -> OfferingPublic:
    """From the last bidding day: `awarded` to the best bid at or above the reserve (a tender's
    equal amounts go to the earlier bid), else `failed` (流拍). An award signs the grant contract
    (number, price, instalments of the grant proceeds 出让收益 from the edition's schedule, each
    published as a deadline `rights.grant.instalment_due`), registers the right
    (`under_construction`, `rights.right.granted`, this year's filings owed) and publishes
    `rights.grant.awarded`. The award judges the block again by the admission rules (the
    register may have changed since the offering): a failure is a 422 and nothing changes.
    """
    offering = await award.close(session=session, offering_id=offering_id, actor=caller)
    return versioned(response, offering)


@router.post(
    "/{offering_id}/result",
    summary="Record a sale run by the trading centre 录入公共资源交易中心成交结果",
    responses=AWARDING,
)
async def record_result(
    offering_id: UUID, data: ResultCreate, session: Session, caller: Bureau, response: Response
) -> OfferingPublic:
    """For a sale the city's public-resources trading centre ran: winner, price, date and the
    centre's reference. Checked: `decided_on` not in the future and not before the notice
    (`notice_from`, required when it was not announced here) plus the minimum notice and bidding
    working days; the price at least the reserve. Then awarded as by `close`.
    """
    offering = await award.record_result(
        session=session, offering_id=offering_id, data=data, actor=caller
    )
    return versioned(response, offering)


@router.post("/{offering_id}/withdraw", summary="Withdraw an offering 撤回出让", responses=STATE)
async def withdraw(
    offering_id: UUID, data: Withdraw, session: Session, caller: Bureau, response: Response
) -> OfferingPublic:
    """A draft or announced offering is withdrawn; the block may be offered again."""
    offering = await service.withdraw(
        session=session, offering_id=offering_id, data=data, actor=caller
    )
    return versioned(response, offering)

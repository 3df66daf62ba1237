"""HTTP for the plan's named deadlines: parse, authorize, call the service, shape."""

from uuid import UUID

from fastapi import APIRouter
from servicekit.deps import Officials, Session
from servicekit.errors import problem_doc

from rights_api.deadlines import service
from rights_api.deadlines.schemas import NamedDeadlines

router = APIRouter(prefix="/plan-editions", tags=["plan targets 规划时限目标"])


@router.get(
    "/{edition_id}/deadlines",
    summary="The plan's named deadlines, met or missed 规划时限目标完成情况",
    responses={
        404: problem_doc("No such plan edition 无此规划版本"),
        409: problem_doc("A draft edition sets no deadlines yet 草案尚未生效"),
    },
)
async def deadlines(edition_id: UUID, session: Session, _: Officials) -> NamedDeadlines:
    """Every dated target the edition names (`named_deadlines`), judged as of today (Beijing
    date): `met` when all its evidence arrived by the due date, `missed` when the day passed
    without it (also when it arrived late: `met_on` after `due_on`), `open` before the day.
    `outstanding: true` marks a missed one still not done: it is listed as a
    `named_deadline_missed` finding by `GET /plan-editions/{id}/conformance`.

    The 2021–2025 edition's four, in the plan's words:
    - 盐池北建筑用碳质板岩石料矿 leaving the protected area, restoration accepted, by 2021-12-31
      (第二章第三节): a passed restoration acceptance of the mine (restoration-api's
      `restoration.acceptance.passed`);
    - 乌希根楚三号 and 乌希根楚北山建筑用花岗岩矿 restored and their closure formalities done by
      2021-12-31 (第二章第三节): each right `closed`;
    - every producing mine reaching the green-mine standard by the end of 2025 or leaving the
      market (第二章第三节, 专栏二; 第六章第一节): each `producing` mining right on the green-mine
      list on 2025-12-31 (greenmine-api's `greenmine.mine.listed|delisted`);
    - 0.52 km² of legacy and ownerless sites restored by the end of 2025 (第二章第三节, 专栏二,
      binding; 第六章第二节): legacy-site acceptances (`restoration.legacy_site.accepted`).

    Bureau staff, inspectors and government systems.
    """
    return await service.deadlines(session=session, edition_id=edition_id)

"""Reference data for ``mineadmin seed`` / ``make dev``: the 2021-2025 plan edition, and the
holders and mines of 专栏一 (the mining rights of 2020) as reference rights.

Demo data, marked as such: only PetroChina's credit code is real (91110000710925462X); the
other holders get valid codes with ``DEM`` in positions 9-11. Licence numbers (serials starting
99), validity and boundaries are demo data too; boundaries are squares of the plan's area with
``boundary_illustrative`` set (示意). Granting publishes ``rights.right.granted`` with
``reference: true`` so other services learn the mines.
"""

from datetime import date
from decimal import Decimal

from contracts.mining import LicensingLevel, RightKind, RightStatus
from servicekit import clock
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.deadlines import service as named_deadlines
from rights_api.geometry import BoundaryPolygon, check_polygon, square
from rights_api.grants import service as grants
from rights_api.holders import service as holders
from rights_api.holders.credit_code import check_character
from rights_api.holders.models import Holder
from rights_api.holders.schemas import HolderCreate
from rights_api.plan import edition_2021_2025
from rights_api.plan import service as plans
from rights_api.plan.models import PlanEdition
from rights_api.rights.models import Right
from rights_api.rights.spatial import set_boundary
from rights_api.versions import save_new_version

PETROCHINA_CODE = "91110000710925462X"
# the plan names the city only; that the holder is demo data shows in its credit code (DEM)
DEMO_ADDRESS = "内蒙古自治区二连浩特市"


def demo_credit_code(serial: int) -> str:
    first17 = f"91152501DEM0000{serial:02d}"
    return first17 + check_character(first17)


# 专栏一: holder, mine, km², scale (value, unit), method, status, mineral, level, zone, centre
MINES_2020 = [
    (
        "中国石油天然气股份有限公司",
        "内蒙古二连盆地包尔-吉格森油田开采",
        "131.994",
        ("13.9", "10k_t_per_year"),
        "underground",
        "producing",
        "petroleum",
        "state",
        None,
        (112.20, 43.05),
    ),
    (
        "二连浩特市白音敖包萤石矿",
        "二连市白音敖包萤石矿",
        "0.1307",
        ("1", "10k_t_per_year"),
        "underground",
        "closing",
        "fluorite",
        "region",
        None,
        (111.60, 43.25),
    ),
    (
        "二连浩特市哈达呼苏萤石矿",
        "二连浩特市哈达呼苏萤石矿",
        "0.1973",
        ("1", "10k_t_per_year"),
        "underground",
        "suspended",
        "fluorite",
        "region",
        None,
        (111.90, 43.30),
    ),
    (
        "二连市宏鑫石料厂",
        "二连浩特市盐池北建筑用碳质板岩石料矿",
        "0.0560",
        ("3", "10k_m3_per_year"),
        "open_pit",
        "closed_by_policy",
        "slate",
        "city",
        None,
        (112.00, 43.45),
    ),
    (
        "二连云峰矿业有限公司",
        "二连浩特市白音敖包玉髓玛瑙矿",
        "0.0494",
        ("0.05", "t_per_year"),
        "open_pit",
        "under_construction",
        "agate",
        "city",
        None,
        (111.62, 43.27),
    ),
    (
        "二连浩特市先锋水泥制品有限公司",
        "二连浩特市乌希根楚二号建筑用花岗岩矿",
        "0.0386",
        ("6", "10k_m3_per_year"),
        "open_pit",
        "producing",
        "construction_granite",
        "city",
        "SCJ001",
        (111.69, 43.54),
    ),
    (
        "内蒙古源庭矿业有限公司",
        "二连浩特市乌希根楚三号建筑用花岗岩矿",
        "0.0604",
        ("3", "10k_m3_per_year"),
        "open_pit",
        "closing",
        "construction_granite",
        "city",
        "SCJ001",
        (111.71, 43.56),
    ),
    (
        "二连市北山石料厂",
        "二连浩特市乌希根楚北山建筑用花岗岩矿",
        "0.0539",
        ("5", "10k_m3_per_year"),
        "open_pit",
        "closing",
        "construction_granite",
        "city",
        "SCJ001",
        (111.72, 43.575),
    ),
]


def reference_licence_no(serial: int) -> str:
    return f"C152501202012{99000000 + serial:010d}"


async def seed(session: AsyncSession) -> None:
    """Idempotent: what exists (edition code, credit code, licence number) is left alone."""
    data = edition_2021_2025.edition()
    edition = (await session.exec(select(PlanEdition).where(PlanEdition.code == data.code))).first()
    if edition is None:
        edition = await plans.create_edition(session=session, data=data)
    elif "named_deadlines" not in edition.content:  # seeded before the deadlines were data
        named = data.model_dump(mode="json", include={"named_deadlines"})
        edition.content = {**edition.content, **named}
        await save_new_version(session, edition)
    for serial, row in enumerate(MINES_2020, start=1):
        name, mine, area, (value, unit), method, status, mineral, level, zone, centre = row
        code = PETROCHINA_CODE if serial == 1 else demo_credit_code(serial)
        holder = (await session.exec(select(Holder).where(Holder.credit_code == code))).first()
        if holder is None:
            holder = await holders.register(
                session=session,
                data=HolderCreate(
                    credit_code=code,
                    name=name,
                    address=None if serial == 1 else DEMO_ADDRESS,
                ),
            )
        licence_no = reference_licence_no(serial)
        if await session.scalar(select(Right.id).where(Right.licence_no == licence_no)):
            continue
        boundary, _ = check_polygon(BoundaryPolygon.model_validate(square(*centre, float(area))))
        right = Right(
            licence_no=licence_no,
            kind=RightKind.mining,
            holder_id=holder.id,
            mine_name=mine,
            mineral=mineral,
            area_km2=Decimal(area),
            scale_value=Decimal(value),
            scale_unit=unit,
            method=method,
            status=RightStatus(status),
            valid_from=date(2019, 1, 1),
            valid_to=date(2029, 12, 31),
            zone=zone,
            licensing_level=LicensingLevel(level),
            boundary_illustrative=True,
            reference=True,
        )
        set_boundary(right, boundary)
        await grants.grant(
            session=session,
            right=right,
            actor="seed",
            reason="专栏一 二连浩特市矿产资源开发利用现状（2020年）",
            holder_name=holder.name,
        )
    # the plan's named deadlines are tracked from now: set (and, past their day, met or overdue)
    await named_deadlines.track(session=session, edition=edition, on=clock.local_today())

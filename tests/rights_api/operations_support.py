"""Helpers for the operations tests (filings, inspections, compliance): rights with a licensed
boundary, a rights-api whose attachments go to a temporary directory, a look at the outbox."""

from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

from contracts.mining import LicensingLevel, Mineral, RightKind, RightStatus
from devkit.testing import RunningService
from rights_api.holders.models import Holder
from rights_api.rights.models import Right
from sqlalchemy import text

from tests.conftest import in_process
from tests.samples import credit_code

# an illustrative licensed boundary for 乌希根楚二号建筑用花岗岩矿 (专栏一 No. 6), ~0.1 km²
WEST, EAST, SOUTH, NORTH = 111.930, 111.934, 43.613, 43.617
BOUNDARY = {
    "type": "Polygon",
    "coordinates": [[[WEST, SOUTH], [EAST, SOUTH], [EAST, NORTH], [WEST, NORTH], [WEST, SOUTH]]],
}
INSIDE = {"lon": 111.932, "lat": 43.615}
OUTSIDE = {"lon": 111.937, "lat": 43.615}  # ~240 m east of the boundary
ON_EDGE = {"lon": EAST, "lat": 43.615}
SMALL_LIMIT = 64 * 1024  # attachment limit in these tests


@asynccontextmanager
async def rights_service(databases, attachments_dir: Path, **settings) -> RunningService:
    settings.setdefault("attachment_max_bytes", SMALL_LIMIT)
    settings.setdefault("max_upload_bytes", SMALL_LIMIT + 16 * 1024)
    async with in_process(
        databases, "rights", attachments_dir=attachments_dir, **settings
    ) as service:
        yield service


async def make_right(
    service: RunningService,
    serial: int = 1,
    *,
    status: RightStatus = RightStatus.producing,
    kind: RightKind = RightKind.mining,
    boundary: dict | None = BOUNDARY,
    holder_id=None,
    valid_to: date = date(2030, 12, 31),
) -> Right:
    async with service.runtime.db.transaction() as session:
        if holder_id is None:
            holder = Holder(credit_code=credit_code(serial), name=f"测试矿业{serial}")
            session.add(holder)
            await session.flush()
            holder_id = holder.id
        right = Right(
            licence_no=f"C150000201206212{serial:07d}",
            kind=kind,
            holder_id=holder_id,
            mine_name=f"二连浩特市乌希根楚{serial}号建筑用花岗岩矿",
            mineral=Mineral.construction_granite,
            area_km2=Decimal("0.0386"),
            status=status,
            valid_from=date(2021, 1, 1),
            valid_to=valid_to,
            licensing_level=LicensingLevel.city,
            boundary=boundary,
        )
        session.add(right)
    return right


async def events(service: RunningService, type_prefix: str = "") -> list[tuple[str, str, dict]]:
    """(type, key, data) of every outbox row whose type starts with ``type_prefix``."""
    async with service.runtime.db.transaction() as session:
        rows = await session.exec(
            text(
                "SELECT type, key, convert_from(value, 'UTF8')::jsonb AS data FROM outbox "
                "WHERE type LIKE :prefix ORDER BY id"
            ).bindparams(prefix=type_prefix + "%")
        )
        return [(r.type, r.key, r.data) for r in rows]


async def scalar(service: RunningService, sql: str, **params):
    async with service.runtime.db.transaction() as session:
        return (await session.exec(text(sql).bindparams(**params))).scalar_one()


# The smallest files each type can be recognised by (their magic numbers and a little more).
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


async def sql_rows(service: RunningService, sql: str, **params) -> list:
    """The first column of every row."""
    async with service.runtime.db.transaction() as session:
        return [row[0] for row in await session.exec(text(sql).bindparams(**params))]

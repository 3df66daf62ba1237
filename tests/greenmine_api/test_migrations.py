"""g0003 on a database that holds rows: greenmine-api's own projection (tracked_mines) moves
into the shared mining_rights read model, and a downgrade brings it back with ``obliged``."""

import asyncio
import uuid
from datetime import UTC, datetime

from alembic import command
from greenmine_api.app import SERVICE
from servicekit.migrations import alembic_config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

GRANTED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
NEW_MINE, OILFIELD, CLOSED = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
HOLDER = uuid.uuid4()


async def migrate(url: str, revision: str, *, down: bool = False) -> None:
    config = alembic_config(database_url=url, service_versions=SERVICE.migrations)
    step = command.downgrade if down else command.upgrade
    await asyncio.to_thread(step, config, revision)


async def rows(url: str, sql: str) -> list[tuple]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            return [tuple(r) for r in (await conn.execute(text(sql))).all()]
    finally:
        await engine.dispose()


async def test_g0003_moves_tracked_mines_into_mining_rights_and_back(pg):
    name = f"g0003_{uuid.uuid4().hex[:8]}"
    url = await pg.create_database(name)
    try:
        await migrate(url, "g0002")
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            for right_id, mine, kind, reference, obliged, closed_at in (
                (NEW_MINE, "二连浩特市乌敦花建筑用砂矿", "mining", False, True, None),
                (OILFIELD, "内蒙古二连盆地包尔-吉格森油田开采", "mining", True, False, None),
                (CLOSED, "二连浩特市忠耐石料场花岗岩矿", "mining", False, True, GRANTED),
            ):
                await conn.execute(
                    text(
                        "INSERT INTO tracked_mines VALUES (:right_id, :holder, '先锋水泥', :mine, "
                        "'C1500002021', :kind, 'construction_granite', :status, :reference, "
                        ":obliged, :granted, :closed_at, :granted)"
                    ),
                    {
                        "right_id": right_id,
                        "holder": HOLDER,
                        "mine": mine,
                        "kind": kind,
                        "status": "closed" if closed_at else "producing",
                        "reference": reference,
                        "obliged": obliged,
                        "granted": GRANTED,
                        "closed_at": closed_at,
                    },
                )
        await engine.dispose()

        await migrate(url, "heads")
        moved = await rows(
            url,
            "SELECT right_id, holder_id, holder_name, mine_name, licence_no, kind, mineral, "
            "status, reference, area_km2, version, granted_at, closed_at, updated_at "
            "FROM mining_rights ORDER BY mine_name",
        )
        assert {r[0] for r in moved} == {NEW_MINE, OILFIELD, CLOSED}
        for row in moved:
            assert row[1:5] == (HOLDER, "先锋水泥", row[3], "C1500002021")
            assert row[9] == 0 and row[10] is None  # area unknown, no version yet
            assert row[11] == GRANTED and row[13] == GRANTED
        assert await rows(url, "SELECT to_regclass('tracked_mines')") == [(None,)]

        await migrate(url, "g0002", down=True)
        back = await rows(
            url, "SELECT right_id, obliged, status, closed_at FROM tracked_mines ORDER BY right_id"
        )
        assert sorted(back) == sorted(
            [
                (NEW_MINE, True, "producing", None),
                (OILFIELD, False, "producing", None),
                (CLOSED, True, "closed", GRANTED),
            ]
        )
        assert await rows(url, "SELECT count(*) FROM mining_rights") == [(0,)]

        await migrate(url, "heads")  # and up again: the same rows
        assert len(await rows(url, "SELECT right_id FROM mining_rights")) == 3
    finally:
        await pg.drop_database(name)

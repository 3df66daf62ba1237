"""r0003 on a database the previous version used: the rows of ``mines`` move into the shared
``mining_rights`` read model, the keys that named them follow, and the downgrade brings them
back."""

import asyncio
import uuid

from alembic import command
from restoration_api.app import SERVICE
from servicekit.migrations import alembic_config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

REFERENCED = """
SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
WHERE contype = 'f' AND conname LIKE '%right_id_fkey' ORDER BY 1
"""
TABLES = [
    "acceptances", "closure_cases", "land_balances", "obligations", "rectifications",
    "restoration_plans", "works",
]  # fmt: skip


async def test_the_upgrade_moves_the_mines_into_the_read_model_and_back(databases):
    url = await databases.create("restoration")
    config = alembic_config(database_url=url, service_versions=SERVICE.migrations)
    await asyncio.to_thread(command.downgrade, config, "r0002")
    right, holder = uuid.uuid4(), uuid.uuid4()
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO mines (right_id, holder_id, holder_name, licence_no, mine_name,"
                    " kind, mineral, method, status, area_km2, reference, updated_at) VALUES"
                    " (:r, :h, '二连浩特市先锋水泥制品有限公司', 'C1525012010057130066321',"
                    " '二连浩特市乌希根楚二号建筑用花岗岩矿', 'mining', 'construction_granite',"
                    " 'open_pit', 'producing', 0.0386, true, '2026-05-01T00:00:00Z')"
                ).bindparams(r=right, h=holder)
            )
            await conn.execute(
                text(
                    "INSERT INTO closure_cases (id, right_id, application_id, holder_id, status,"
                    " opened_at) VALUES (:c, :r, :a, :h, 'open', now())"
                ).bindparams(c=uuid.uuid4(), r=right, a=uuid.uuid4(), h=holder)
            )
        await asyncio.to_thread(command.upgrade, config, "heads")
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT * FROM mining_rights"))).mappings().all()
            keys = (await conn.execute(text(REFERENCED))).all()
            mines = await conn.scalar(text("SELECT to_regclass('mines')"))
        [row] = [dict(r) for r in rows]
        assert {k: str(v) for k, v in row.items() if k not in ("granted_at", "updated_at")} == {
            "right_id": str(right),
            "licence_no": "C1525012010057130066321",
            "kind": "mining",
            "holder_id": str(holder),
            "holder_name": "二连浩特市先锋水泥制品有限公司",
            "mine_name": "二连浩特市乌希根楚二号建筑用花岗岩矿",
            "mineral": "construction_granite",
            "method": "open_pit",
            "scale_value": "None",
            "scale_unit": "None",
            "area_km2": "0.0386",
            "zone": "None",
            "licensing_level": "None",
            "status": "producing",
            "valid_from": "None",
            "valid_to": "None",
            "reference": "True",
            "closed_at": "None",
            "version": "None",
        }
        assert row["granted_at"] == row["updated_at"]
        assert row["updated_at"].isoformat() == "2026-05-01T00:00:00+00:00"
        assert keys == [(table, "mining_rights") for table in TABLES]
        assert mines is None

        await asyncio.to_thread(command.downgrade, config, "r0002")
        async with engine.connect() as conn:
            back = (await conn.execute(text("SELECT right_id, holder_id FROM mines"))).all()
            keys = (await conn.execute(text(REFERENCED))).all()
            kept = await conn.scalar(text("SELECT count(*) FROM mining_rights"))
        assert back == [(right, holder)]
        assert keys == [(table, "mines") for table in TABLES]
        assert kept == 0
        await asyncio.to_thread(command.upgrade, config, "heads")
        async with engine.connect() as conn:
            again = (await conn.execute(text("SELECT right_id FROM mining_rights"))).all()
        assert again == [(right,)]
    finally:
        await engine.dispose()

"""change_status and get_right: the two functions annual filings and inspections build on."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from contracts.mining import LicensingLevel, Mineral, RightKind, RightStatus
from rights_api.holders.models import Holder
from rights_api.rights import service
from rights_api.rights.models import Right
from servicekit.auth import Principal, Role
from servicekit.errors import Conflict, NotFound
from sqlalchemy import text

from tests.samples import credit_code


async def make_right(session, serial: int = 1, status=RightStatus.producing) -> Right:
    holder = Holder(credit_code=credit_code(serial), name=f"测试矿业{serial}")
    session.add(holder)
    await session.flush()
    right = Right(
        licence_no=f"C150000201206212{serial:07d}",
        kind=RightKind.mining,
        holder_id=holder.id,
        mine_name="二连浩特市乌希根楚二号建筑用花岗岩矿",
        mineral=Mineral.construction_granite,
        area_km2=Decimal("0.0386"),
        status=status,
        valid_from=date(2021, 1, 1),
        valid_to=date(2026, 12, 31),
        licensing_level=LicensingLevel.city,
    )
    session.add(right)
    await session.flush()
    return right


async def outbox_events(session) -> list[tuple[str, str, dict]]:
    rows = await session.exec(
        text("SELECT type, key, convert_from(value, 'UTF8')::jsonb AS data FROM outbox ORDER BY id")
    )
    return [(r.type, r.key, r.data) for r in rows]


@pytest.mark.parametrize(
    ("to", "event_type"),
    [
        (RightStatus.suspended, "rights.right.suspended"),
        (RightStatus.closed, "rights.mine.closed"),
        (RightStatus.closed_by_policy, "rights.mine.closed"),
        (RightStatus.closing, "rights.right.status_changed"),
    ],
)
async def test_change_status_records_history_bumps_version_and_publishes(rights, to, event_type):
    async with rights.runtime.db.transaction() as session:
        right = await make_right(session)
        await service.change_status(
            session=session, right=right, to=to, actor="reviewer-1", reason="compliance_overdue"
        )
        assert right.version == 2
        history = (
            await session.exec(
                text("SELECT actor, from_status, to_status, reason FROM right_history")
            )
        ).all()
        assert [tuple(h) for h in history] == [
            ("reviewer-1", "producing", to.value, "compliance_overdue")
        ]
        [(type_, key, data)] = await outbox_events(session)
    assert type_ == event_type
    assert key == str(right.id)
    assert data["right_id"] == str(right.id)


async def test_a_closed_mine_stays_closed(rights):
    async with rights.runtime.db.transaction() as session:
        right = await make_right(session, status=RightStatus.closed)
        with pytest.raises(Conflict):
            await service.change_status(
                session=session, right=right, to=RightStatus.producing, actor="x", reason=None
            )
        assert await outbox_events(session) == []


async def test_get_right_hides_other_holders_rights_from_enterprises(rights):
    async with rights.runtime.db.transaction() as session:
        right = await make_right(session)
        own = Principal("e", frozenset({Role.enterprise}), holder_id=right.holder_id)
        other = Principal("e", frozenset({Role.enterprise}), holder_id=uuid.uuid4())
        bureau = Principal("b", frozenset({Role.bureau_reviewer}))
        for caller in (own, bureau, None):
            assert (
                await service.get_right(session=session, right_id=right.id, principal=caller)
            ) is right
        with pytest.raises(NotFound):
            await service.get_right(session=session, right_id=right.id, principal=other)
        with pytest.raises(NotFound):
            await service.get_right(session=session, right_id=uuid.uuid4())


TALLY_VS_REGISTER = """
SELECT (SELECT coalesce(jsonb_agg(t ORDER BY t), '[]') FROM (
           SELECT mineral, licensing_level, scale_unit, mines, output FROM live_mine_tallies
           WHERE mines > 0) t)
     = (SELECT coalesce(jsonb_agg(r ORDER BY r), '[]') FROM (
           SELECT mineral, licensing_level, coalesce(scale_unit, '') AS scale_unit,
                  count(*)::int AS mines, sum(coalesce(scale_value, 0))::numeric(18, 4) AS output
           FROM rights WHERE kind = 'mining' AND status NOT IN ('closed', 'closed_by_policy')
           GROUP BY 1, 2, 3) r)
"""


async def test_the_cap_tallies_follow_every_write_to_the_register(rights):
    from rights_api.app import SERVICE

    async with rights.runtime.db.transaction() as session:
        await SERVICE.seed(session)
        assert (await session.exec(text(TALLY_VS_REGISTER))).scalar_one()
        granite = (
            await session.exec(
                text(
                    "SELECT mines, output FROM live_mine_tallies "
                    "WHERE mineral = 'construction_granite'"
                )
            )
        ).one()
        assert tuple(granite) == (3, Decimal("14.0000"))
        for sql in (
            "UPDATE rights SET status = 'closed' WHERE mine_name LIKE '%三号%'",
            "UPDATE rights SET scale_value = 8 WHERE mine_name LIKE '%二号%'",
            "UPDATE rights SET mineral = 'slate' WHERE mine_name LIKE '%北山%'",
            "UPDATE rights SET status = 'producing' WHERE status = 'closed_by_policy'",
            "UPDATE rights SET kind = 'exploration' WHERE mineral = 'agate'",
            "DELETE FROM right_history",
            "DELETE FROM rights WHERE mineral = 'fluorite'",
        ):
            await session.exec(text(sql))
            assert (await session.exec(text(TALLY_VS_REGISTER))).scalar_one(), sql

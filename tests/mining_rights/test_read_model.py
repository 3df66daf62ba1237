"""The one read model of mining rights: news applies, stale or repeated news does not.

Runs the lib's handlers through a real consumer on a real database whose schema comes from the
lib's own migration branch, as every service keeping the model builds it."""

import uuid
from datetime import UTC, datetime, timedelta

import mining_rights
import pytest
from contracts import registry
from contracts.rights import (
    MineClosed,
    RightGranted,
    RightMortgaged,
    RightResumed,
    RightRevoked,
    RightSuspended,
    RightTransferred,
)
from notifier.app import SERVICE as NOTIFIER
from servicekit.db import Database
from servicekit.events.consumer import Consumer
from servicekit.migrations import upgrade_async
from sqlmodel import select

from tests.restoration_api.support import granted, record_of

T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


@pytest.fixture
async def db(databases):
    url = await databases.create("notifier")  # any service database: the branch adds its table
    await upgrade_async(
        database_url=url, service_versions=(NOTIFIER.migrations, mining_rights.MIGRATIONS)
    )
    database = Database(url)
    yield database
    await database.dispose()


async def deliver(db: Database, payload) -> str:
    consumer = Consumer(
        name="reader",
        db=db,
        handlers=mining_rights.handlers,
        registry=registry,
        dlq_topic="reader.dlq",
        max_attempts=1,
    )
    return (await consumer.process(record_of(payload, str(payload.right_id)))).status


async def known(db: Database) -> list[mining_rights.MiningRight]:
    async with db.transaction() as session:
        return list((await session.exec(select(mining_rights.MiningRight))).all())


def transferred(grant: RightGranted, version: int | None, at: datetime) -> RightTransferred:
    return RightTransferred(
        right_id=grant.right_id,
        licence_no=grant.licence_no,
        from_holder_id=grant.holder_id,
        to_holder_id=uuid.uuid4(),
        to_holder_name="二连浩特市新业矿业有限公司",
        transferred_at=at,
        right_version=version,
    )


async def test_a_grant_is_kept_with_every_field_the_services_read(db):
    grant = granted(right_version=1)
    assert await deliver(db, grant) == "applied"
    [right] = await known(db)
    assert (right.right_id, right.holder_id, right.mineral, right.status) == (
        grant.right_id,
        grant.holder_id,
        "construction_granite",
        "producing",
    )
    assert (str(right.scale_value), right.scale_unit, right.zone, right.version) == (
        "6.0000",
        "10k_m3_per_year",
        "SCJ001",
        1,
    )
    assert right.live and right.valid_to.isoformat() == "2030-12-31"


async def test_news_with_an_older_version_is_ignored_whenever_it_arrives(db):
    grant = granted(right_version=1)
    await deliver(db, grant)
    transfer = transferred(grant, version=2, at=T0 + timedelta(days=30))
    await deliver(db, transfer)
    # the grant again, as an operator's replay or a second reference load would bring it
    assert await deliver(db, granted(right_id=grant.right_id, right_version=1)) == "applied"
    await deliver(db, RightSuspended(
        right_id=grant.right_id, holder_id=grant.holder_id, reason="compliance_overdue",
        suspended_at=T0 + timedelta(days=40), right_version=2,
    ))  # fmt: skip
    [right] = await known(db)
    assert (right.holder_id, right.status, right.version) == (
        transfer.to_holder_id,
        "producing",
        2,
    )


async def test_events_without_a_version_are_ordered_by_when_they_happened(db):
    grant = granted()  # published before events carried the right's version
    await deliver(db, grant)
    later = transferred(grant, version=None, at=T0 + timedelta(days=30))
    await deliver(db, later)
    await deliver(db, granted(right_id=grant.right_id))  # the old grant replayed
    await deliver(db, MineClosed(
        right_id=grant.right_id, holder_id=later.to_holder_id, licence_no=grant.licence_no,
        status="closed", closed_at=T0 + timedelta(days=60),
    ))  # fmt: skip
    [right] = await known(db)
    assert (right.holder_id, right.status, right.live) == (later.to_holder_id, "closed", False)
    assert right.closed_at == T0 + timedelta(days=60)


async def test_news_of_a_right_never_granted_here_changes_nothing(db):
    grant = granted(right_version=1)
    assert await deliver(db, transferred(grant, version=2, at=T0)) == "applied"
    assert await known(db) == []


async def test_the_bureaus_actions_set_the_status_and_a_mortgage_only_the_version(db):
    grant = granted(right_version=1)
    await deliver(db, grant)
    right_id, holder_id = grant.right_id, grant.holder_id
    mortgaged = RightMortgaged(
        right_id=right_id,
        holder_id=holder_id,
        licence_no=grant.licence_no,
        mortgage_id=uuid.uuid4(),
        mortgagee="中国农业银行二连浩特市支行",
        amount_yuan="1200000.00",
        starts_on="2026-01-01",
        ends_on="2027-12-31",
        filed_at=T0,
        right_version=2,
    )
    assert await deliver(db, mortgaged) == "applied"
    [right] = await known(db)
    assert (right.status, right.version) == ("producing", 2)
    suspended = RightSuspended(
        right_id=right_id, holder_id=holder_id, reason="bureau", suspended_at=T0, right_version=3
    )
    resumed = RightResumed(
        right_id=right_id,
        holder_id=holder_id,
        from_status="suspended",
        to_status="producing",
        cause="bureau",
        reason="整治完成",
        resumed_at=T0 + timedelta(days=1),
        right_version=4,
    )
    revoked = RightRevoked(
        right_id=right_id,
        holder_id=holder_id,
        licence_no=grant.licence_no,
        mine_name=grant.mine_name,
        ending_id=uuid.uuid4(),
        from_status="producing",
        status="revoked",
        reason="吊销",
        ended_at=T0 + timedelta(days=2),
        right_version=5,
    )
    for news, status in ((suspended, "suspended"), (resumed, "producing"), (revoked, "revoked")):
        assert await deliver(db, news) == "applied"
        [right] = await known(db)
        assert right.status == status
    assert right.live and right.version == 5  # in the closure path, not closed yet
    assert await deliver(db, resumed.model_copy(update={"right_version": 4})) == "applied"
    [right] = await known(db)
    assert right.status == "revoked"  # stale news changes nothing

"""The posting route's statements sent straight to asyncpg: what a deposit locks and answers,
and asyncpg's errors raised as SQLAlchemy's (a constraint as IntegrityError, a lost connection
as a connection error with the connection dropped), so the problem handlers answer as before."""

import asyncio
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from devkit.testing import eventually
from restoration_api.ledger import service as ledger
from restoration_api.ledger.schemas import TransferCreate
from restoration_api.transfers import service as transfers
from servicekit.auth import Principal, Role
from servicekit.errors import is_connection_error
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.restoration_api.support import admin, grant, sql, transfer

FINANCE = Principal(subject="test", roles=frozenset({Role.gov_system}))


async def post(session, fund_id, **body):
    fund = await ledger.fund_to_post(session=session, fund_id=fund_id, caller=FINANCE)
    return await transfers.post_transfer(
        session=session,
        fund=fund,
        data=TransferCreate(id=uuid.uuid4(), **body),
        posted_by="test",
        now=datetime.now(UTC),
    )


async def test_a_mine_deposit_holds_its_requirement_row_until_it_commits(restoration):
    fund = await grant(restoration)
    fund_id = uuid.UUID(fund["id"])
    other = await asyncpg.connect(restoration.runtime.db.asyncpg_dsn())
    try:
        async with restoration.runtime.db.sessions() as session, session.begin():
            posted = await post(session, fund_id, kind="deposit", amount="125.00")
            # the balances after the posting, of every row it locked: what settles a shortfall
            assert posted.balances == {"cash": 12500, "deposits": 12500, "obligation": 0}
            # an accrual (which moves the obligation) waits for this deposit's commit
            with pytest.raises(asyncpg.LockNotAvailableError):
                await other.execute(
                    "SELECT FROM accounts WHERE fund_id = $1 AND code = 'obligation'"
                    " FOR UPDATE NOWAIT",
                    fund_id,
                )
        free = await other.fetchval(
            "SELECT count(*) FROM (SELECT FROM accounts WHERE fund_id = $1 FOR UPDATE NOWAIT) a",
            fund_id,
        )
        assert free == 6  # committed: every row is free again
    finally:
        await other.close()


async def test_a_reversal_losing_the_race_for_its_original_raises_integrity_error(restoration):
    fund = await grant(restoration)
    fund_id = uuid.UUID(fund["id"])
    deposit = (await transfer(restoration, fund["id"], "deposit", "80.00")).json()
    await transfer(restoration, fund["id"], "deposit", "80.00")  # cash for both reversals
    original = uuid.UUID(deposit["id"])
    db = restoration.runtime.db
    async with db.sessions() as first, first.begin():
        await post(first, fund_id, kind="reversal", amount="80.00", reverses=original)
        pid = (await first.exec(text("SELECT pg_backend_pid()"))).scalar_one()

        async def second() -> None:
            async with db.sessions() as session, session.begin():
                # its checks pass (the first reversal is not committed), its statement waits
                await post(session, fund_id, kind="reversal", amount="80.00", reverses=original)

        racing = asyncio.create_task(second())
        await eventually(
            lambda: sql(
                restoration,
                "SELECT 1 FROM pg_locks WHERE NOT granted AND :pid = ANY(pg_blocking_pids(pid))",
                pid=pid,
            ),
            what="the second reversal waiting on the first",
        )
    with pytest.raises(IntegrityError) as refused:  # the problem handlers answer it with 409
        await racing
    assert refused.value.orig.sqlstate == "23505"
    assert await sql(
        restoration, "SELECT count(*) FROM transfers WHERE reverses_id = :d", d=original
    ) == [(1,)]


async def test_a_connection_lost_mid_posting_is_a_connection_error_and_is_not_reused(restoration):
    fund = await grant(restoration)
    fund_id = uuid.UUID(fund["id"])
    db = restoration.runtime.db
    async with db.sessions() as session:  # its transaction ends with a rollback on close
        head = await ledger.fund_to_post(session=session, fund_id=fund_id, caller=FINANCE)
        pid = (await session.exec(text("SELECT pg_backend_pid()"))).scalar_one()
        await sql(restoration, "SELECT pg_terminate_backend(:pid)", pid=pid)
        with pytest.raises(Exception) as lost:
            await transfers.post_transfer(
                session=session,
                fund=head,
                data=TransferCreate(id=uuid.uuid4(), kind="deposit", amount="5.00"),
                posted_by="test",
                now=datetime.now(UTC),
            )
        assert is_connection_error(lost.value)  # answered 503, not 500
    # the pool hands out a live connection next, and the posting goes through
    response = await transfer(restoration, fund["id"], "deposit", "5.00")
    assert response.status_code == 201, response.text
    funds = await restoration.client.get(f"/funds/{fund['id']}", headers=admin(restoration))
    assert funds.json()["balances"]["deposited"] == "5.00"


async def test_a_keyed_posting_runs_its_statements_inside_the_claims_transaction(restoration):
    """With an Idempotency-Key the claim begins the transaction before the route runs, so the
    fund read goes to asyncpg too: it must still commit with the claim's record, exactly once."""
    fund = await grant(restoration)
    body = {"id": str(uuid.uuid4()), "kind": "deposit", "amount": "12.00"}
    headers = {**admin(restoration), "Idempotency-Key": str(uuid.uuid4())}
    path = f"/funds/{fund['id']}/transfers"
    first = await restoration.client.post(path, json=body, headers=headers)
    again = await restoration.client.post(path, json=body, headers=headers)
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert again.json() == first.json()
    shown = await restoration.client.get(f"/funds/{fund['id']}", headers=admin(restoration))
    assert shown.json()["balances"]["deposited"] == "12.00"
    assert await sql(
        restoration, "SELECT count(*) FROM transfers WHERE id = :t", t=uuid.UUID(body["id"])
    ) == [(1,)]


async def test_the_transaction_a_posting_begins_on_asyncpg_is_the_sessions(restoration):
    """The posting's first statement sends BEGIN on asyncpg, not through SQLAlchemy: the session
    still owns that transaction (its statements run in it, its rollback undoes the posting, its
    commit keeps it)."""
    fund = await grant(restoration)
    fund_id = uuid.UUID(fund["id"])
    db = restoration.runtime.db

    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        async with db.sessions() as session, session.begin():
            undone = await post(session, fund_id, kind="deposit", amount="7.00")
            raise Undo
    async with db.sessions() as session, session.begin():
        kept = await post(session, fund_id, kind="deposit", amount="9.00")
        driver = (await session.connection()).sync_connection.connection.driver_connection
        on_asyncpg = await driver.fetchval("SELECT pg_current_xact_id()::text")
        on_session = (await session.exec(text("SELECT pg_current_xact_id()::text"))).scalar_one()
        assert on_asyncpg == on_session  # one transaction, begun by the posting
    rows = await sql(
        restoration,
        "SELECT id FROM transfers WHERE id IN (:a, :b)",
        a=undone.transfer.id,
        b=kept.transfer.id,
    )
    assert rows == [(kept.transfer.id,)]


async def test_a_session_posting_in_two_transactions_uses_each_ones_connection(restoration):
    """The driver remembers the connection of a session's transaction, never past it: after a
    rollback the session's next transaction posts on the connection it holds then."""
    fund = await grant(restoration)
    fund_id = uuid.UUID(fund["id"])
    async with restoration.runtime.db.sessions() as session:
        async with session.begin():
            await post(session, fund_id, kind="deposit", amount="3.00")
            await session.rollback()
        async with session.begin():
            kept = await post(session, fund_id, kind="deposit", amount="4.00")
            driver = (await session.connection()).sync_connection.connection.driver_connection
            assert driver.is_in_transaction()
    rows = await sql(restoration, "SELECT amount_fen FROM transfers WHERE fund_id = :f", f=fund_id)
    assert rows == [(400,)]
    assert kept.balances["deposits"] == 400

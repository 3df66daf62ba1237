"""The one-statement posting: what it writes when it refuses, retries that the checks would now
refuse, and mixed postings racing on one fund's cash row."""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from restoration_api.ledger import posting
from restoration_api.ledger import service as ledger
from restoration_api.ledger.schemas import TransferCreate
from restoration_api.transfers import service as transfers
from sqlalchemy import text

from tests.restoration_api.support import admin, grant, published, sql, transfer, work


async def test_an_overdraw_writes_nothing_even_before_the_rollback(restoration):
    fund = await grant(restoration)
    item = await work(restoration, fund["right_id"])
    await transfer(restoration, fund["id"], "deposit", "100.00")
    fund_id = uuid.UUID(fund["id"])

    async with restoration.runtime.db.sessions() as session, session.begin():
        row = await ledger.get_fund(session=session, fund_id=fund_id)
        with pytest.raises(transfers.Overdraw) as refused:
            await transfers.post_transfer(
                session=session,
                fund=row,
                data=TransferCreate(
                    id=uuid.uuid4(), kind="expenditure", amount="100.01", work_id=item["id"]
                ),
                posted_by="test",
                now=datetime.now(UTC),
            )
        assert refused.value.problem()["available"] == "100.00"
        # still inside the refused posting's transaction: not a row of it was written
        assert await ledger.balances_fen(session, fund_id) == {
            "cash": 10000,
            "deposits": 10000,
            "spent": 0,
            "refunded": 0,
            "obligation": 0,
            "accrued_cost": 0,
        }
        counts = await session.exec(COUNTS.bindparams(f=fund_id))
        assert counts.one() == (1, 2, 1)  # the deposit's transfer, entries and event only


COUNTS = text(
    "SELECT (SELECT count(*) FROM transfers WHERE fund_id = :f),"
    " (SELECT count(*) FROM entries JOIN transfers t ON t.id = transfer_id"
    "  WHERE t.fund_id = :f),"
    " (SELECT count(*) FROM outbox WHERE type = 'restoration.transfer.posted')"
)


async def test_a_retried_reversal_is_answered_as_the_first_although_a_new_one_is_refused(
    restoration,
):
    fund = await grant(restoration)
    deposit = (await transfer(restoration, fund["id"], "deposit", "800.00")).json()
    reversal_id = uuid.uuid4()
    first = await transfer(
        restoration, fund["id"], "reversal", "800.00", reverses=deposit["id"], id=reversal_id
    )
    assert first.status_code == 201, first.text
    # the deposit is reversed now, so the checks refuse a reversal of it; this is a retry
    again = await transfer(
        restoration, fund["id"], "reversal", "800.00", reverses=deposit["id"], id=reversal_id
    )
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    another = await transfer(restoration, fund["id"], "reversal", "800.00", reverses=deposit["id"])
    assert another.status_code == 409
    assert len(await published(restoration, "restoration.transfer.posted")) == 2


async def test_mixed_postings_racing_on_one_cash_row_all_land_and_the_books_balance(restoration):
    fund = await grant(restoration)
    deposits = [
        (await transfer(restoration, fund["id"], "deposit", f"{100 + i}.00")).json()
        for i in range(6)
    ]
    item = await work(restoration, fund["right_id"])
    racing = [
        *(transfer(restoration, fund["id"], "deposit", "50.00") for _ in range(6)),
        *(
            transfer(restoration, fund["id"], "reversal", d["amount"], reverses=d["id"])
            for d in deposits
        ),
        *(
            transfer(restoration, fund["id"], "expenditure", "10.00", work_id=item["id"])
            for _ in range(6)
        ),
    ]
    answers = await asyncio.gather(*racing)
    assert [a.status_code for a in answers] == [201] * len(racing), [a.text for a in answers]

    balances = (
        await restoration.client.get(f"/funds/{fund['id']}", headers=admin(restoration))
    ).json()["balances"]
    assert balances["deposited"] == "300.00"  # 615 deposited, 615 reversed, 6 × 50
    assert balances["spent"] == "60.00"
    assert balances["available"] == "240.00"
    verify = await restoration.client.get(f"/funds/{fund['id']}/verify", headers=admin(restoration))
    assert verify.json()["ok"] is True
    assert await sql(
        restoration, "SELECT count(*) FROM transfers WHERE fund_id = :f", f=uuid.UUID(fund["id"])
    ) == [(24,)]


async def test_a_posting_to_a_fund_read_before_skips_the_read_and_still_refuses_it_closed(
    restoration, monkeypatch
):
    fund = await grant(restoration)
    fund_id = uuid.UUID(fund["id"])
    assert (await transfer(restoration, fund_id, "deposit", "10.00")).status_code == 201
    reads = []
    read_fund = posting.read_fund

    async def counted(session, fund_id):
        reads.append(fund_id)
        return await read_fund(session, fund_id)

    monkeypatch.setattr(posting, "read_fund", counted)
    # the fund's kind and right are known: one statement finds it open and posts
    assert (await transfer(restoration, fund["id"], "deposit", "20.00")).status_code == 201
    assert reads == []
    await sql(restoration, "UPDATE funds SET status = 'closed' WHERE id = :f", f=fund_id)
    refused = await transfer(restoration, fund["id"], "accrual", "5.00")
    assert refused.status_code == 409, refused.text  # the long way says why
    assert reads == [fund_id]
    rows = await sql(restoration, "SELECT kind FROM transfers WHERE fund_id = :f", f=fund_id)
    assert sorted(kind for (kind,) in rows) == ["deposit", "deposit"]
    shown = await restoration.client.get(f"/funds/{fund['id']}", headers=admin(restoration))
    assert shown.json()["balances"]["deposited"] == "30.00"


async def test_a_fund_remembered_but_not_in_the_database_is_404(restoration, monkeypatch):
    fund_id = uuid.uuid4()
    monkeypatch.setitem(posting._KNOWN, fund_id, posting.FundKeys("mine", uuid.uuid4()))
    refused = await transfer(restoration, fund_id, "deposit", "10.00")
    assert refused.status_code == 404, refused.text
    assert await sql(restoration, "SELECT count(*) FROM outbox") == [(0,)]

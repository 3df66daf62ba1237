"""The fund ledger: balances, idempotent posting, money on the wire, overdraw protection under
concurrency, reversal as the only correction, and verification that catches tampering."""

import asyncio
import uuid

import pytest
from servicekit.auth import Role
from sqlalchemy.exc import DBAPIError

from tests.restoration_api.support import (
    admin,
    deliver,
    grant,
    granted,
    published,
    sql,
    transfer,
    work,
)


async def test_a_granted_right_opens_one_fund_with_zero_balances(restoration):
    payload = granted()
    assert await deliver(restoration, payload) == "applied"
    # the same grant delivered again under a new event id still opens one fund
    await deliver(restoration, payload)
    response = await restoration.client.get(
        "/funds", params={"right_id": str(payload.right_id)}, headers=admin(restoration)
    )
    [fund] = response.json()["items"]
    assert fund["holder_id"] == str(payload.holder_id)
    assert fund["name"] == "二连浩特市乌希根楚二号建筑用花岗岩矿 治理恢复基金"
    assert fund["balances"] == {
        "required": "0.00",
        "deposited": "0.00",
        "spent": "0.00",
        "refunded": "0.00",
        "available": "0.00",
        "shortfall": "0.00",
    }
    [opened] = await published(restoration, "restoration.fund.opened")
    assert opened["fund_id"] == fund["id"]
    assert opened["right_id"] == str(payload.right_id)


async def test_exploration_rights_have_no_fund(restoration):
    payload = granted(kind="exploration")
    await deliver(restoration, payload)
    response = await restoration.client.get(
        "/funds", params={"right_id": str(payload.right_id)}, headers=admin(restoration)
    )
    assert response.json()["items"] == []


async def test_deposit_and_expenditure_post_balanced_entries(restoration):
    fund = await grant(restoration)
    deposit = await transfer(restoration, fund["id"], "deposit", "125000.00", reference="回单0012")
    assert deposit.status_code == 201, deposit.text
    assert deposit.json()["entries"] == [
        {"account": "cash", "side": "debit", "amount": "125000.00"},
        {"account": "deposits", "side": "credit", "amount": "125000.00"},
    ] or sorted(e["account"] for e in deposit.json()["entries"]) == ["cash", "deposits"]
    item = await work(restoration, fund["right_id"])
    spend = await transfer(restoration, fund["id"], "expenditure", "48000.50", work_id=item["id"])
    assert spend.status_code == 201, spend.text
    entries = {(e["account"], e["side"]): e["amount"] for e in spend.json()["entries"]}
    assert entries == {("spent", "debit"): "48000.50", ("cash", "credit"): "48000.50"}

    balances = (
        await restoration.client.get(f"/funds/{fund['id']}", headers=admin(restoration))
    ).json()["balances"]
    assert balances["deposited"] == "125000.00"
    assert balances["spent"] == "48000.50"
    assert balances["available"] == "76999.50"
    listed = await restoration.client.get(
        f"/funds/{fund['id']}/transfers", headers=admin(restoration)
    )
    assert [t["kind"] for t in listed.json()["items"]] == ["deposit", "expenditure"]
    works = await restoration.client.get(f"/works/{item['id']}", headers=admin(restoration))
    assert works.json()["spent"] == "48000.50"
    assert len(await published(restoration, "restoration.transfer.posted")) == 2


async def test_an_expenditure_names_a_work_of_its_own_mine(restoration):
    fund = await grant(restoration)
    other = await grant(restoration)
    await transfer(restoration, fund["id"], "deposit", "1000.00")
    missing = await transfer(restoration, fund["id"], "expenditure", "10.00")
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "body.work_id"
    foreign = await work(restoration, other["right_id"])
    wrong = await transfer(restoration, fund["id"], "expenditure", "10.00", work_id=foreign["id"])
    assert wrong.status_code == 422
    assert "another mine" in wrong.json()["errors"][0]["message"]


async def test_a_retried_transfer_posts_once_and_a_different_body_is_refused(restoration):
    fund = await grant(restoration)
    transfer_id = uuid.uuid4()
    first = await transfer(restoration, fund["id"], "deposit", "5000.00", id=transfer_id)
    again = await transfer(restoration, fund["id"], "deposit", "5000", id=transfer_id)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = await transfer(restoration, fund["id"], "deposit", "6000.00", id=transfer_id)
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "body.id"

    # concurrent retries of one new transfer: still one posting
    racing = uuid.uuid4()
    answers = await asyncio.gather(
        *(transfer(restoration, fund["id"], "deposit", "100.00", id=racing) for _ in range(8))
    )
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["posted_at"] for a in answers}) == 1
    assert await sql(restoration, "SELECT count(*) FROM transfers WHERE id = :i", i=racing) == [
        (1,)
    ]
    balances = (
        await restoration.client.get(f"/funds/{fund['id']}", headers=admin(restoration))
    ).json()["balances"]
    assert balances["deposited"] == "5100.00"


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (1234.56, "not a JSON number"),
        (100, "not a JSON number"),
        ("-5.00", "non-negative"),
        ("0.00", "greater than zero"),
        ("12.345", "at most two decimals"),
        ("1e3", "at most two decimals"),
        ("abc", "at most two decimals"),
    ],
)
async def test_amounts_are_positive_decimal_strings_in_yuan(restoration, amount, message):
    fund = await grant(restoration)
    response = await restoration.client.post(
        f"/funds/{fund['id']}/transfers",
        json={"id": str(uuid.uuid4()), "kind": "deposit", "amount": amount},
        headers=admin(restoration),
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == "body.amount"
    assert message in error["message"]
    assert await sql(restoration, "SELECT count(*) FROM transfers") == [(0,)]


async def test_an_overdraw_is_refused_and_leaves_nothing_behind(restoration):
    fund = await grant(restoration)
    item = await work(restoration, fund["right_id"])
    await transfer(restoration, fund["id"], "deposit", "100.00")
    response = await transfer(restoration, fund["id"], "expenditure", "100.01", work_id=item["id"])
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("insufficient-funds")
    assert problem["available"] == "100.00"
    assert await sql(restoration, "SELECT count(*) FROM transfers") == [(1,)]
    assert len(await published(restoration, "restoration.transfer.posted")) == 1


async def test_fifty_concurrent_expenditures_never_overdraw_and_the_books_balance(restoration):
    fund = await grant(restoration)
    item = await work(restoration, fund["right_id"])
    await transfer(restoration, fund["id"], "deposit", "1000.00")
    answers = await asyncio.gather(
        *(
            transfer(restoration, fund["id"], "expenditure", "30.00", work_id=item["id"])
            for _ in range(50)
        )
    )
    codes = [a.status_code for a in answers]
    assert codes.count(201) == 33  # 33 × 30 = 990 ≤ 1000 < 34 × 30
    assert codes.count(422) == 17
    assert all(
        a.json()["type"].endswith("insufficient-funds") for a in answers if a.status_code == 422
    )
    balances = (
        await restoration.client.get(f"/funds/{fund['id']}", headers=admin(restoration))
    ).json()["balances"]
    assert balances["available"] == "10.00"
    assert balances["spent"] == "990.00"
    verify = await restoration.client.get(f"/funds/{fund['id']}/verify", headers=admin(restoration))
    assert verify.json()["ok"] is True
    audit = (await restoration.client.get("/ledger/audit", headers=admin(restoration))).json()
    assert audit["ok"] is True
    assert audit["total_debits"] == audit["total_credits"] == "1990.00"


async def test_reversal_is_the_only_correction(restoration):
    fund = await grant(restoration)
    deposit = (await transfer(restoration, fund["id"], "deposit", "800.00")).json()

    async with restoration.runtime.db.engine.connect() as conn:
        for statement in (
            "UPDATE entries SET amount_fen = 1",
            "DELETE FROM entries",
            "UPDATE transfers SET amount_fen = 1",
            "DELETE FROM transfers",
            "TRUNCATE entries CASCADE",
        ):
            with pytest.raises(DBAPIError, match="never changed or deleted"):
                await conn.exec_driver_sql(statement)
            await conn.rollback()

    wrong_amount = await transfer(
        restoration, fund["id"], "reversal", "700.00", reverses=deposit["id"]
    )
    assert wrong_amount.status_code == 422
    assert wrong_amount.json()["errors"][0]["field"] == "body.amount"
    reversal = await transfer(restoration, fund["id"], "reversal", "800.00", reverses=deposit["id"])
    assert reversal.status_code == 201, reversal.text
    entries = {(e["account"], e["side"]) for e in reversal.json()["entries"]}
    assert entries == {("cash", "credit"), ("deposits", "debit")}
    twice = await transfer(restoration, fund["id"], "reversal", "800.00", reverses=deposit["id"])
    assert twice.status_code == 409
    balances = (
        await restoration.client.get(f"/funds/{fund['id']}", headers=admin(restoration))
    ).json()["balances"]
    assert balances["deposited"] == balances["available"] == "0.00"
    listed = await restoration.client.get(
        f"/funds/{fund['id']}/transfers", headers=admin(restoration)
    )
    [original, mirror] = listed.json()["items"]
    assert original["reversed_by"] == mirror["id"]
    assert mirror["reverses"] == original["id"]
    one = await restoration.client.get(
        reversal.headers["Location"].replace(mirror["id"], original["id"]),
        headers=admin(restoration),
    )
    assert one.json() == original
    other_fund = await grant(restoration)
    elsewhere = await restoration.client.get(
        f"/funds/{other_fund['id']}/transfers/{original['id']}", headers=admin(restoration)
    )
    assert elsewhere.status_code == 404


async def test_a_reversal_that_would_overdraw_is_refused(restoration):
    fund = await grant(restoration)
    item = await work(restoration, fund["right_id"])
    deposit = (await transfer(restoration, fund["id"], "deposit", "500.00")).json()
    await transfer(restoration, fund["id"], "expenditure", "300.00", work_id=item["id"])
    response = await transfer(restoration, fund["id"], "reversal", "500.00", reverses=deposit["id"])
    assert response.status_code == 422
    assert response.json()["type"].endswith("insufficient-funds")


async def test_the_database_refuses_a_transfer_that_does_not_balance(restoration):
    fund = await grant(restoration)
    accounts = dict(
        await sql(
            restoration, "SELECT code, id FROM accounts WHERE fund_id = :f", f=uuid.UUID(fund["id"])
        )
    )
    tid = uuid.uuid4()
    with pytest.raises(DBAPIError, match="does not balance"):
        async with restoration.runtime.db.transaction() as session:
            from sqlalchemy import text

            await session.exec(
                text(
                    "INSERT INTO transfers (id, fund_id, kind, amount_fen, request_hash, posted_by,"
                    " posted_at) VALUES (:t, :f, 'deposit', 100, 'x', 'sql', now())"
                ).bindparams(t=tid, f=uuid.UUID(fund["id"]))
            )
            await session.exec(
                text(
                    "INSERT INTO entries (transfer_id, account_id, side, amount_fen) VALUES "
                    "(:t, :a, 'debit', 100), (:t, :b, 'credit', 99)"
                ).bindparams(t=tid, a=accounts["cash"], b=accounts["deposits"])
            )
    assert await sql(restoration, "SELECT count(*) FROM transfers") == [(0,)]


async def test_verify_catches_a_balance_tampered_with_in_the_database(restoration):
    fund = await grant(restoration)
    other = await grant(restoration)
    await transfer(restoration, fund["id"], "deposit", "1000.00")
    await transfer(restoration, other["id"], "deposit", "10.00")
    ok = await restoration.client.get(f"/funds/{fund['id']}/verify", headers=admin(restoration))
    assert ok.json()["ok"] is True

    await sql(
        restoration,
        "UPDATE accounts SET balance_fen = balance_fen + 5000000 "
        "WHERE fund_id = :f AND code = 'cash'",
        f=uuid.UUID(fund["id"]),
    )
    report = (
        await restoration.client.get(f"/funds/{fund['id']}/verify", headers=admin(restoration))
    ).json()
    assert report["ok"] is False
    [bad] = [a for a in report["accounts"] if not a["ok"]]
    assert bad == {
        "fund_id": fund["id"],
        "account": "cash",
        "stored": "51000.00",
        "computed": "1000.00",
        "ok": False,
    }
    untouched = await restoration.client.get(
        f"/funds/{other['id']}/verify", headers=admin(restoration)
    )
    assert untouched.json()["ok"] is True
    audit = (await restoration.client.get("/ledger/audit", headers=admin(restoration))).json()
    assert audit["ok"] is False
    assert [m["fund_id"] for m in audit["mismatches"]] == [fund["id"]]


async def test_program_funds_hold_public_money_for_legacy_sites(restoration):
    created = await restoration.client.post(
        "/funds",
        json={"name": "自治区地质环境治理专项资金", "source": "region_special_fund"},
        headers=admin(restoration),
    )
    assert created.status_code == 201, created.text
    program = created.json()
    assert program["kind"] == "program" and program["right_id"] is None
    site = await restoration.client.post(
        "/legacy-sites",
        json={
            "code": "LS-T1",
            "name": "盐池废弃采区",
            "edition": "2021-2025",
            "fund_id": program["id"],
        },
        headers=admin(restoration),
    )
    assert site.status_code == 201, site.text
    item = await restoration.client.post(
        "/works",
        json={
            "legacy_site_id": site.json()["id"],
            "name": "盐池废弃采区 采坑回填整形",
            "area_ha": "12",
            "estimated_cost": "3000000.00",
            "year": 2024,
        },
        headers=admin(restoration),
    )
    assert item.status_code == 201, item.text
    assert (await transfer(restoration, program["id"], "deposit", "3000000.00")).status_code == 201
    spend = await transfer(
        restoration, program["id"], "expenditure", "2500000.00", work_id=item.json()["id"]
    )
    assert spend.status_code == 201, spend.text
    accrual = await transfer(restoration, program["id"], "accrual", "1.00")
    assert accrual.status_code == 422
    listed = await restoration.client.get("/legacy-sites", headers=admin(restoration))
    [row] = listed.json()["items"]
    assert row["spent"] == "2500000.00"
    programs = await restoration.client.get(
        "/funds", params={"kind": "program"}, headers=admin(restoration)
    )
    assert [f["balances"]["available"] for f in programs.json()["items"]] == ["500000.00"]


async def test_only_admins_and_the_finance_system_post(restoration):
    fund = await grant(restoration)
    body = {"id": str(uuid.uuid4()), "kind": "deposit", "amount": "1.00"}
    for role, claims in [
        (Role.bureau_reviewer, {}),
        (Role.inspector, {}),
        (Role.enterprise, {"holder_id": fund["holder_id"]}),
    ]:
        response = await restoration.client.post(
            f"/funds/{fund['id']}/transfers", json=body, headers=restoration.auth(role, **claims)
        )
        assert response.status_code == 403
    assert (
        await restoration.client.post(f"/funds/{fund['id']}/transfers", json=body)
    ).status_code == 401
    system = await restoration.client.post(
        f"/funds/{fund['id']}/transfers", json=body, headers=restoration.auth(Role.gov_system)
    )
    assert system.status_code == 201


async def test_a_legacy_guarantee_deposit_counts_as_deposited(restoration):
    fund = await grant(restoration)
    converted = await transfer(
        restoration, fund["id"], "legacy_deposit", "128000.00", memo="原矿山地质环境治理保证金转存"
    )
    assert converted.status_code == 201, converted.text
    assert converted.json()["kind"] == "legacy_deposit"
    balances = (
        await restoration.client.get(f"/funds/{fund['id']}", headers=admin(restoration))
    ).json()["balances"]
    assert balances["deposited"] == balances["available"] == "128000.00"

"""Annual filings 年度报送: obligations created on schedule (idempotent), submissions by the
holder with the plan map attached, and the overdue sweep driven with an explicit `now`."""

import hashlib
from datetime import UTC, date, datetime

import pytest
from contracts.mining import RightKind, RightStatus
from rights_api.app import SERVICE
from rights_api.filings import service
from servicekit.auth import Role

from tests.rights_api.operations_support import (
    JPEG,
    PDF,
    PNG,
    events,
    make_right,
    rights_service,
    scalar,
    sql_rows,
)

JUNE = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
LAST_MINUTE = datetime(2026, 12, 31, 15, 59, tzinfo=UTC)  # 23:59 on 31 December, Beijing
NEW_YEAR = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # 00:00 on 1 January 2027, Beijing


@pytest.fixture
async def rights(databases, tmp_path):
    async with rights_service(databases, tmp_path / "attachments") as service:
        yield service


async def filings_of(rights, caller=None, **params) -> list[dict]:
    response = await rights.client.get(
        "/filings", params=params, headers=caller or rights.auth(Role.bureau_reviewer)
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def owed(rights, right, kind="annual_mining_plan") -> dict:
    [filing] = await filings_of(rights, right_id=str(right.id), kind=kind)
    return filing


async def attach(rights, filing, holder_id, data, purpose, name="map.pdf"):
    return await rights.client.post(
        f"/filings/{filing['id']}/attachments",
        files={"file": (name, data, "application/octet-stream")},
        data={"purpose": purpose},
        headers=rights.auth(Role.enterprise, holder_id=str(holder_id)),
    )


async def submit(rights, filing, holder_id):
    return await rights.client.post(
        f"/filings/{filing['id']}/submit",
        json={"summary": "2027年计划开采建筑用花岗岩5.8万立方米。", "figures": {"output": "5.8"}},
        headers=rights.auth(Role.enterprise, holder_id=str(holder_id)),
    )


async def test_working_mines_owe_their_filings_once(rights):
    producing = await make_right(rights, 1)
    building = await make_right(rights, 2, status=RightStatus.under_construction)
    for serial, status in ((3, RightStatus.suspended), (4, RightStatus.closed)):
        await make_right(rights, serial, status=status)
    await make_right(rights, 5, kind=RightKind.exploration)
    await make_right(rights, 6, valid_to=date(2026, 3, 31))  # licence expired

    assert await rights.runtime.run_job("filing_obligations", now=JUNE) == 4
    found = {
        (f["right_id"], f["kind"], f["year"], f["due_on"], f["status"])
        for f in await filings_of(rights)
    }
    assert found == {
        (str(r.id), kind, year, "2026-12-31", "owed")
        for r in (producing, building)
        for kind, year in (("annual_mining_plan", 2027), ("reserve_verification", 2026))
    }
    required = await events(rights, "rights.filing")
    assert len(required) == 4
    type_, key, data = next(
        e
        for e in required
        if e[2]["right_id"] == str(producing.id) and e[2]["kind"] == "annual_mining_plan"
    )
    assert type_ == "rights.filing.required"
    assert key == str(producing.id)
    assert data["year"] == 2027
    assert data["deadline"] == {
        "id": f"rights.filing.{data['filing_id']}",
        "kind": "annual_mining_plan",
        "action": "set",
        "due_at": "2026-12-31",
        "subject": str(producing.id),
        "audience": {"holder_id": str(producing.holder_id), "role": None, "org_id": None},
        "title_zh": f"2027年度采掘计划报送（{producing.mine_name}）",
    }

    # the job runs every few hours: nothing new, nothing published twice
    assert await rights.runtime.run_job("filing_obligations", now=JUNE) == 0
    assert len(await events(rights, "rights.filing")) == 4
    # a right granted later in the year: the grant calls create_obligations_for
    granted = await make_right(rights, 7)
    async with rights.runtime.db.transaction() as session:
        first = await service.create_obligations_for(session=session, right=granted, year=2026)
        again = await service.create_obligations_for(session=session, right=granted, year=2026)
    assert sorted(f.kind for f in first) == ["annual_mining_plan", "reserve_verification"]
    assert again == []
    assert await rights.runtime.run_job("filing_obligations", now=JUNE) == 0


async def test_a_due_date_on_a_holiday_moves_to_the_next_working_day(databases, tmp_path):
    # 2026-10-01..07 is the National Day holiday (State Council schedule, chinesecalendar)
    async with rights_service(databases, tmp_path, mining_plan_due="10-01") as rights:
        right = await make_right(rights)
        await rights.runtime.run_job("filing_obligations", now=JUNE)
        assert (await owed(rights, right))["due_on"] == "2026-10-08"
        assert (await owed(rights, right, "reserve_verification"))["due_on"] == "2026-12-31"


async def test_unfiled_filings_become_overdue_after_their_date(rights):
    late_mine = await make_right(rights, 1)
    punctual = await make_right(rights, 2)
    await rights.runtime.run_job("filing_obligations", now=JUNE)
    plan = await owed(rights, punctual)
    assert (await attach(rights, plan, punctual.holder_id, PDF, "plan_map")).status_code == 201
    assert (await submit(rights, plan, punctual.holder_id)).status_code == 200

    assert await rights.runtime.run_job("filings_overdue", now=LAST_MINUTE) == 0
    assert await rights.runtime.run_job("filings_overdue", now=NEW_YEAR) == 3
    statuses = {(f["right_id"], f["kind"]): f["status"] for f in await filings_of(rights)}
    assert statuses == {
        (str(late_mine.id), "annual_mining_plan"): "overdue",
        (str(late_mine.id), "reserve_verification"): "overdue",
        (str(punctual.id), "annual_mining_plan"): "submitted",
        (str(punctual.id), "reserve_verification"): "overdue",
    }
    overdue = await events(rights, "rights.filing.overdue")
    assert len(overdue) == 3
    late_plan = next(
        d
        for _, _, d in overdue
        if d["right_id"] == str(late_mine.id) and d["kind"] == "annual_mining_plan"
    )
    assert late_plan["deadline"]["action"] == "overdue"
    assert late_plan["deadline"]["due_at"] == "2026-12-31"
    assert late_plan["holder_id"] == str(late_mine.holder_id)

    assert await rights.runtime.run_job("filings_overdue", now=NEW_YEAR) == 0
    assert len(await events(rights, "rights.filing.overdue")) == 3

    # an overdue filing may still be submitted, and is marked late
    filing = await owed(rights, late_mine)
    await attach(rights, filing, late_mine.holder_id, PNG, "plan_map", name="map.png")
    submitted = await submit(rights, filing, late_mine.holder_id)
    assert submitted.status_code == 200
    assert submitted.json()["late"] is True


async def test_the_holder_submits_its_plan_with_the_plan_map(rights):
    right = await make_right(rights)
    await rights.runtime.run_job("filing_obligations", now=JUNE)
    filing = await owed(rights, right)

    missing_map = await submit(rights, filing, right.holder_id)
    assert missing_map.status_code == 422
    assert "plan_map" in missing_map.json()["errors"][0]["message"]

    text_only = await attach(rights, filing, right.holder_id, PDF, "plan")
    assert text_only.status_code == 201
    assert (await submit(rights, filing, right.holder_id)).status_code == 422

    plan_map = await attach(rights, filing, right.holder_id, JPEG, "plan_map", name="map.pdf")
    assert plan_map.status_code == 201
    assert plan_map.json()["media_type"] == "image/jpeg"  # from the bytes, not the name
    refused = await attach(rights, filing, right.holder_id, b"PK\x03\x04zip", "other")
    assert refused.status_code == 415

    response = await submit(rights, filing, right.holder_id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "submitted"
    assert body["late"] is False
    assert body["figures"] == {"output": "5.8"}
    assert {(a["purpose"], a["sha256"]) for a in body["attachments"]} == {
        ("plan", hashlib.sha256(PDF).hexdigest()),
        ("plan_map", hashlib.sha256(JPEG).hexdigest()),
    }
    [(_, _, data)] = await events(rights, "rights.filing.submitted")
    assert data["filing_id"] == filing["id"]
    assert data["deadline"]["action"] == "met"
    assert data["deadline"]["id"] == f"rights.filing.{filing['id']}"

    assert (await submit(rights, filing, right.holder_id)).status_code == 409
    after = await attach(rights, filing, right.holder_id, PNG, "other")
    assert after.status_code == 409

    download = await rights.client.get(
        f"/filings/{filing['id']}/attachments/{hashlib.sha256(JPEG).hexdigest()}",
        headers=rights.auth(Role.bureau_reviewer),
    )
    assert download.status_code == 200
    assert download.content == JPEG
    unlinked = await rights.client.get(  # stored maybe, but not this filing's: a hash opens nothing
        f"/filings/{filing['id']}/attachments/{hashlib.sha256(PNG).hexdigest()}",
        headers=rights.auth(Role.bureau_reviewer),
    )
    assert unlinked.status_code == 404


async def test_holders_see_and_file_only_their_own(rights):
    mine = await make_right(rights, 1)
    other_mine = await make_right(rights, 2)
    await rights.runtime.run_job("filing_obligations", now=JUNE)
    own = rights.auth(Role.enterprise, holder_id=str(mine.holder_id))
    others = await owed(rights, other_mine)

    assert {f["right_id"] for f in await filings_of(rights, own)} == {str(mine.id)}
    assert await filings_of(rights, own, right_id=str(other_mine.id)) == []
    hidden = await rights.client.get(f"/filings/{others['id']}", headers=own)
    assert hidden.status_code == 404
    assert (await attach(rights, others, mine.holder_id, PDF, "plan_map")).status_code == 404
    assert (await submit(rights, others, mine.holder_id)).status_code == 404

    # the bureau reads but does not file for the holder
    bureau = await rights.client.post(
        f"/filings/{others['id']}/submit",
        json={"summary": "代报"},
        headers=rights.auth(Role.bureau_admin),
    )
    assert bureau.status_code == 403
    assert (await rights.client.get("/filings")).status_code == 401
    assert await scalar(rights, "SELECT count(*) FROM filing_attachments") == 0


async def test_the_working_mines_of_the_plan_owe_their_filings(rights):
    """专栏一 after `mineadmin seed`: the producing oilfield and granite quarry No. 6 and the
    agate mine under construction owe this year's filings from their (reference) grant; the
    suspended, closing and closed mines do not; the job then finds nothing left to create."""
    async with rights.runtime.db.transaction() as session:
        await SERVICE.seed(session)
    assert await rights.runtime.run_job("filing_obligations", now=datetime.now(UTC)) == 0
    assert len(await events(rights, "rights.filing.required")) == 6
    owing = {f["right_id"] for f in await filings_of(rights, limit=50)}
    names = await sql_rows(
        rights,
        "SELECT mine_name FROM rights WHERE id = ANY(CAST(:ids AS uuid[])) ORDER BY mine_name",
        ids=list(owing),
    )
    assert names == sorted(
        [
            "内蒙古二连盆地包尔-吉格森油田开采",
            "二连浩特市乌希根楚二号建筑用花岗岩矿",
            "二连浩特市白音敖包玉髓玛瑙矿",
        ]
    )

"""Complaints from the public: no account, size limits, a per-address rate limit held in the
database; a substantiated complaint opens rectification."""

import uuid
from datetime import UTC, datetime, timedelta

from devkit.inprocess import InProcessBroker
from devkit.testing import running_service
from greenmine_api.app import SERVICE
from greenmine_api.submissions.models import PublicSubmission
from servicekit.auth import Role
from sqlmodel import func, select

from tests.greenmine_api.support import admin, events, listed_mine


async def test_a_substantiated_complaint_opens_rectification(gm):
    _, listing = await listed_mine(gm)
    filed = await gm.client.post(
        "/complaints",
        json={
            "listing_id": listing["id"],
            "content": "矿区扬尘严重，未落实洒水降尘",
            "contact": "138",
        },
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["status"] == "received"
    assert "contact" not in filed.json()
    listed = await gm.client.get("/complaints", headers=admin(gm))
    [complaint] = listed.json()["items"]
    assert complaint["contact"] == "138"
    decided = await gm.client.post(
        f"/complaints/{complaint['id']}/decision",
        json={"substantiated": True, "note": "经现场核实，举报属实"},
        headers=admin(gm),
    )
    assert decided.status_code == 200
    assert decided.json()["rectification_id"] is not None
    detail = (await gm.client.get(f"/listings/{listing['id']}")).json()
    assert detail["status"] == "rectifying" and detail["benefits_suspended"]
    assert detail["rectifications"][0]["reason"] == "complaint"
    assert detail["rectifications"][0]["id"] == decided.json()["rectification_id"]
    [ordered] = await events(gm, "greenmine.rectification.ordered")
    assert ordered["reason"] == "complaint"
    again = await gm.client.post(
        f"/complaints/{complaint['id']}/decision",
        json={"substantiated": False, "note": "x"},
        headers=admin(gm),
    )
    assert again.status_code == 409


async def test_an_unsubstantiated_complaint_changes_nothing(gm):
    _, listing = await listed_mine(gm)
    filed = await gm.client.post(
        "/complaints", json={"listing_id": listing["id"], "content": "听说该矿超层越界"}
    )
    decided = await gm.client.post(
        f"/complaints/{filed.json()['id']}/decision",
        json={"substantiated": False, "note": "经核查不属实"},
        headers=admin(gm),
    )
    assert decided.json()["status"] == "unsubstantiated"
    assert (await gm.client.get(f"/listings/{listing['id']}")).json()["status"] == "listed"
    assert await events(gm, "greenmine.rectification.ordered") == []


async def test_size_limits_and_unknown_mines_are_refused_clearly(gm):
    _, listing = await listed_mine(gm)
    long = await gm.client.post(
        "/complaints", json={"listing_id": listing["id"], "content": "长" * 2001}
    )
    assert long.status_code == 422
    assert long.json()["errors"][0]["field"] == "body.content"
    unknown = await gm.client.post(
        "/complaints", json={"listing_id": str(uuid.uuid4()), "content": "无此矿山的举报"}
    )
    assert unknown.status_code == 404


async def test_the_rate_limit_counts_per_address_in_the_database(gm):
    _, listing = await listed_mine(gm)
    limit = gm.settings.complaint_rate_limit
    body = {"listing_id": listing["id"], "content": "重复举报内容测试"}
    for _ in range(limit):
        assert (await gm.client.post("/complaints", json=body)).status_code == 201
    refused = await gm.client.post("/complaints", json=body)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json()["type"] == "urn:mineadmin:problem:too-many-requests"
    # objections from the same address share the limit, and so does a second replica
    objection = await gm.client.post(
        f"/publicities/{uuid.uuid4()}/objections", json={"content": "公示异议内容测试"}
    )
    assert objection.status_code == 429
    async with running_service(
        SERVICE, database_url=gm.settings.database_url, broker=InProcessBroker(), background=False
    ) as replica:
        assert (await replica.client.post("/complaints", json=body)).status_code == 429
    async with gm.runtime.db.transaction() as session:
        count = await session.scalar(select(func.count()).select_from(PublicSubmission))
        stored = (await session.exec(select(PublicSubmission.client))).first()
    assert count == limit  # the refused one left no trace
    assert "127.0.0.1" not in stored and len(stored) == 64  # only a hash of the address
    # the bureau reads them all
    listed = await gm.client.get("/complaints", headers=admin(gm), params={"limit": 2})
    assert len(listed.json()["items"]) == 2 and listed.json()["next_cursor"]
    assert (await gm.client.get("/complaints", headers=gm.auth(Role.inspector))).status_code == 403


async def test_old_submissions_are_purged_by_the_job(gm):
    _, listing = await listed_mine(gm)
    body = {"listing_id": listing["id"], "content": "过期记录清理测试"}
    assert (await gm.client.post("/complaints", json=body)).status_code == 201
    now = datetime.now(UTC)
    assert await gm.runtime.run_job("purge_public_submissions", now=now) == 0
    assert await gm.runtime.run_job("purge_public_submissions", now=now + timedelta(days=2)) == 1
    assert len((await gm.client.get("/complaints", headers=admin(gm))).json()["items"]) == 1

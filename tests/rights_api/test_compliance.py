"""Compliance orders 限期整改: issued with a deadline, overdue suspends the mine (the job, driven
with an explicit `now`), resolution lifts the suspension; enterprises see only their own."""

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from contracts.mining import RightStatus
from servicekit.auth import Role

from tests.rights_api.operations_support import (
    OUTSIDE,
    events,
    make_right,
    rights_service,
    scalar,
)

BEIJING = ZoneInfo("Asia/Shanghai")
# orders are issued now (over HTTP), so the deadline is a month from today, Beijing time; it is
# overdue from 00:00 Beijing time the day after (16:00 UTC on the due day)
DUE = datetime.now(BEIJING).date() + timedelta(days=30)
OVERDUE = datetime.combine(DUE + timedelta(days=1), time(0, 0), BEIJING).astimezone(UTC)
LAST_MINUTE = OVERDUE - timedelta(minutes=1)


@pytest.fixture
async def rights(databases, tmp_path):
    async with rights_service(databases, tmp_path / "attachments") as service:
        yield service


async def issue(rights, right, **extra):
    body = {
        "right_id": str(right.id),
        "violation": "out_of_bounds_mining",
        "description": "东帮采掘工作面越出采矿许可范围约240米，责令限期退回并恢复治理。",
        "due_on": DUE.isoformat(),
        **extra,
    }
    return await rights.client.post(
        "/compliance-orders", json=body, headers=rights.auth(Role.bureau_reviewer)
    )


async def status_of(rights, right) -> str:
    return await scalar(rights, "SELECT status FROM rights WHERE id = :id", id=right.id)


async def test_an_order_publishes_its_deadline(rights):
    right = await make_right(rights)
    inspection_id = uuid.uuid4()
    recorded = await rights.client.put(
        f"/inspections/{inspection_id}",
        json={
            "right_id": str(right.id),
            "inspected_at": "2026-06-12T10:30:00+08:00",
            "working_face": [OUTSIDE],
            "findings": "越界开采",
        },
        headers=rights.auth(Role.inspector),
    )
    assert recorded.json()["violations"] == ["out_of_bounds_mining"]

    response = await issue(rights, right, inspection_id=str(inspection_id))
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["status"] == "open"
    assert order["violation_zh"] == "越界开采"
    assert response.headers["location"] == f"/compliance-orders/{order['id']}"

    [(type_, key, data)] = await events(rights, "rights.compliance")
    assert type_ == "rights.compliance.ordered"
    assert key == str(right.id)
    assert data["inspection_id"] == str(inspection_id)
    assert data["deadline"] == {
        "id": f"rights.compliance.{order['id']}",
        "kind": "rectification",
        "action": "set",
        "due_at": DUE.isoformat(),
        "subject": str(right.id),
        "audience": {"holder_id": str(right.holder_id), "role": None, "org_id": None},
        "title_zh": f"{right.mine_name}限期整改（越界开采）",
    }


async def test_a_bad_order_is_422_naming_each_field_and_writes_nothing(rights):
    right = await make_right(rights)
    other = await make_right(rights, 2)
    foreign_inspection = uuid.uuid4()
    await rights.client.put(
        f"/inspections/{foreign_inspection}",
        json={
            "right_id": str(other.id),
            "inspected_at": "2026-06-12T10:30:00+08:00",
            "working_face": [OUTSIDE],
            "findings": "越界开采",
        },
        headers=rights.auth(Role.inspector),
    )
    response = await issue(
        rights, right, due_on="2020-01-01", inspection_id=str(foreign_inspection)
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [
        "body.due_on",
        "body.inspection_id",
    ]
    unknown = await issue(rights, right, violation="stealing_sand")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.violation"
    assert await scalar(rights, "SELECT count(*) FROM compliance_orders") == 0
    assert await events(rights, "rights.compliance") == []


async def test_an_overdue_order_suspends_the_mine_once(rights):
    right = await make_right(rights)
    order = (await issue(rights, right)).json()

    assert await rights.runtime.run_job("compliance_overdue", now=LAST_MINUTE) == 0
    assert await status_of(rights, right) == "producing"

    assert await rights.runtime.run_job("compliance_overdue", now=OVERDUE) == 1
    assert await status_of(rights, right) == "suspended"
    stored = (
        await rights.client.get(
            f"/compliance-orders/{order['id']}", headers=rights.auth(Role.bureau_reviewer)
        )
    ).json()
    assert stored["status"] == "overdue"
    assert stored["suspended_from"] == "producing"

    published = await events(rights)
    assert [t for t, _, _ in published] == [
        "rights.compliance.ordered",
        "rights.right.suspended",
        "rights.compliance.overdue",
    ]
    suspended, overdue = published[1][2], published[2][2]
    assert suspended["order_id"] == order["id"]
    assert suspended["reason"] == "compliance_overdue"
    assert overdue["deadline"]["action"] == "overdue"
    assert overdue["deadline"]["id"] == f"rights.compliance.{order['id']}"
    history = await scalar(
        rights,
        "SELECT actor || ':' || to_status FROM right_history WHERE right_id = :id",
        id=right.id,
    )
    assert history == "job:compliance_overdue:suspended"

    # later runs find nothing more to do
    assert await rights.runtime.run_job("compliance_overdue", now=OVERDUE) == 0
    assert len(await events(rights)) == 3


async def test_resolving_lifts_the_suspension_it_caused(rights):
    right = await make_right(rights, status=RightStatus.under_construction)
    order = (await issue(rights, right)).json()
    await rights.runtime.run_job("compliance_overdue", now=OVERDUE)
    assert await status_of(rights, right) == "suspended"

    url = f"/compliance-orders/{order['id']}/resolve"
    body = {"resolution": "已退回矿区范围内作业，越界区域已回填复绿，复查合格。"}
    resolved = await rights.client.post(url, json=body, headers=rights.auth(Role.bureau_reviewer))
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["mine_resumed"] is True
    assert await status_of(rights, right) == "under_construction"
    *_, (changed, _, _), (type_, _, data) = await events(rights)
    assert changed == "rights.right.status_changed"
    assert type_ == "rights.compliance.resolved"
    assert data["deadline"]["action"] == "met"

    twice = await rights.client.post(url, json=body, headers=rights.auth(Role.bureau_reviewer))
    assert twice.status_code == 409


async def test_a_mine_held_by_two_overdue_orders_resumes_after_both(rights):
    right = await make_right(rights)
    first = (await issue(rights, right)).json()
    second = (await issue(rights, right, violation="unsafe_slope")).json()
    assert await rights.runtime.run_job("compliance_overdue", now=OVERDUE) == 2
    reviewer = rights.auth(Role.bureau_reviewer)
    body = {"resolution": "整改完成"}

    await rights.client.post(
        f"/compliance-orders/{first['id']}/resolve", json=body, headers=reviewer
    )
    assert await status_of(rights, right) == "suspended"  # the slope is still unsafe
    await rights.client.post(
        f"/compliance-orders/{second['id']}/resolve", json=body, headers=reviewer
    )
    assert await status_of(rights, right) == "producing"


async def test_an_already_suspended_mine_is_not_suspended_again(rights):
    right = await make_right(rights, status=RightStatus.suspended)
    order = (await issue(rights, right)).json()
    assert await rights.runtime.run_job("compliance_overdue", now=OVERDUE) == 1
    assert [t for t, _, _ in await events(rights)] == [
        "rights.compliance.ordered",
        "rights.compliance.overdue",
    ]
    resolved = await rights.client.post(
        f"/compliance-orders/{order['id']}/resolve",
        json={"resolution": "整改完成"},
        headers=rights.auth(Role.bureau_reviewer),
    )
    assert resolved.json()["mine_resumed"] is False
    assert await status_of(rights, right) == "suspended"  # it was suspended before the order


async def test_enterprises_see_only_their_own_orders_and_cannot_issue_or_resolve(rights):
    mine = await make_right(rights, 1)
    other_mine = await make_right(rights, 2)
    own_order = (await issue(rights, mine)).json()
    other_order = (await issue(rights, other_mine)).json()
    own = rights.auth(Role.enterprise, holder_id=str(mine.holder_id))

    listed = await rights.client.get("/compliance-orders", headers=own)
    assert [o["id"] for o in listed.json()["items"]] == [own_order["id"]]
    assert (
        await rights.client.get(f"/compliance-orders/{own_order['id']}", headers=own)
    ).status_code == 200
    assert (
        await rights.client.get(f"/compliance-orders/{other_order['id']}", headers=own)
    ).status_code == 404

    body = {
        "right_id": str(mine.id),
        "violation": "other",
        "description": "x",
        "due_on": "2030-01-01",
    }
    assert (
        await rights.client.post("/compliance-orders", json=body, headers=own)
    ).status_code == 403
    for caller in (own, rights.auth(Role.inspector)):
        refused = await rights.client.post(
            f"/compliance-orders/{own_order['id']}/resolve",
            json={"resolution": "自行整改完毕"},
            headers=caller,
        )
        assert refused.status_code == 403
    assert (await rights.client.get("/compliance-orders")).status_code == 401

"""Offline sync for inspection apps: the first sync, deltas with tombstones after real changes
(an order issued and one resolved, a rectification closed, a mine taken off the inspector),
ETag and gzip, tokens that are the inspector's own, and the refusals."""

import gzip
import json
from datetime import timedelta

import pytest
from servicekit import clock
from servicekit.auth import Role

from tests.rights_api.operations_support import BOUNDARY, make_right, rights_service
from tests.rights_api.sync_support import (
    BATU,
    SARNA,
    assign,
    inspect,
    rectification,
    sync,
)


@pytest.fixture
async def rights(databases, tmp_path):
    async with rights_service(databases, tmp_path / "attachments") as service:
        yield service


async def order(rights, right, description="东帮采掘工作面越出采矿许可范围约30米，责令限期退回。"):
    response = await rights.client.post(
        "/compliance-orders",
        json={
            "right_id": str(right.id),
            "violation": "out_of_bounds_mining",
            "description": description,
            "due_on": "2027-03-31",
        },
        headers=rights.auth(Role.bureau_reviewer),
    )
    assert response.status_code == 201, response.text
    return response.json()


def ids(items) -> set[str]:
    return {i["id"] for i in items}


async def test_first_sync_then_deltas_with_tombstones(rights):
    r1, r2, r3 = [await make_right(rights, n) for n in (1, 2, 3)]
    a1 = await assign(rights, r1.id)
    await assign(rights, r2.id)
    await assign(rights, r3.id, inspector=SARNA)
    o1 = await order(rights, r1)
    seen = await inspect(rights, r1.id)
    rect = await rectification(rights, r2)
    other = await inspect(rights, r3.id, inspector=SARNA)

    first = await sync(rights)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["schema_version"] == 1 and body["since"] is None
    assert body["token"].startswith("s1.")
    assert ids(body["mines"]) == {str(r1.id), str(r2.id)}
    [mine1] = [m for m in body["mines"] if m["id"] == str(r1.id)]
    assert mine1["boundary"] == BOUNDARY
    assert {"elevation_top_m", "elevation_bottom_m", "licence_no"} <= mine1.keys()
    assert {(o["kind"], o["id"]) for o in body["orders"]} == {
        ("compliance", o1["id"]),
        ("rectification", str(rect)),
    }
    assert ids(body["inspections"]) == {seen["id"]}
    assert body["removed"] == []
    assert other["id"] not in json.dumps(body) and str(r3.id) not in json.dumps(body)

    # nothing changed: nothing sent, and the same token back
    again = (await sync(rights, since=body["token"])).json()
    assert again["token"] == body["token"] and again["since"] == body["token"]
    assert again["mines"] == again["orders"] == again["inspections"] == again["removed"] == []

    # a new order on r2, the order on r1 resolved, r2's rectification resolved in
    # restoration-api, and r1 taken off the inspector
    o2 = await order(rights, r2, description="排土场边坡未按设计放坡，责令限期整改。")
    resolved = await rights.client.post(
        f"/compliance-orders/{o1['id']}/resolve",
        json={"resolution": "已退回矿区范围内作业，复查合格。"},
        headers=rights.auth(Role.bureau_reviewer),
    )
    assert resolved.status_code == 200, resolved.text
    await rectification(rights, r2, resolved_id=rect)
    ended = await rights.client.post(
        f"/inspector-assignments/{a1['id']}/end", headers=rights.auth(Role.bureau_admin)
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["ended_by"]

    delta = (await sync(rights, since=body["token"])).json()
    assert delta["token"] != body["token"]
    assert delta["mines"] == [] and delta["inspections"] == []  # r2 itself did not change
    assert [(o["kind"], o["id"]) for o in delta["orders"]] == [("compliance", o2["id"])]
    assert {(t["kind"], t["id"]) for t in delta["removed"]} == {
        ("mine", str(r1.id)),
        ("order", o1["id"]),
        ("order", str(rect)),
        ("inspection", seen["id"]),
    }
    # a record of a mine still assigned comes as a change, and the next delta is empty
    newer = await inspect(rights, r2.id, findings="西帮作业面停产，设备已撤离。")
    latest = (await sync(rights, since=delta["token"])).json()
    assert ids(latest["inspections"]) == {newer["id"]} and latest["removed"] == []
    quiet = (await sync(rights, since=latest["token"])).json()
    assert quiet["token"] == latest["token"] and quiet["inspections"] == []

    # the other inspector sees its own mine only, with its own tokens
    theirs = (await sync(rights, SARNA)).json()
    assert ids(theirs["mines"]) == {str(r3.id)} and ids(theirs["inspections"]) == {other["id"]}
    assert theirs["token"] != body["token"]


async def test_etag_answers_304_and_gzip_is_honoured(rights):
    right = await make_right(rights)
    await assign(rights, right.id)
    await inspect(rights, right.id)
    plain = await sync(rights, **{"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    etag = plain.headers["etag"]
    assert etag.startswith('"') and plain.headers["vary"] == "Accept-Encoding"

    unchanged = await sync(rights, **{"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["etag"] == etag

    # the bytes on the wire are gzip, smaller, and inflate to the same payload
    headers = {**rights.auth(Role.inspector, subject=BATU), "Accept-Encoding": "gzip"}
    async with rights.client.stream("GET", "/sync", headers=headers) as zipped:
        assert zipped.headers["content-encoding"] == "gzip"
        wire = b"".join([chunk async for chunk in zipped.aiter_raw()])
    assert wire[:2] == b"\x1f\x8b" and len(wire) < len(plain.content)
    assert json.loads(gzip.decompress(wire)) == plain.json()

    # a change gives a new ETag: the old one no longer matches
    await inspect(rights, right.id, findings="补充检查：采场南侧有积水。")
    changed = await sync(rights, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


async def test_refusals(rights):
    right = await make_right(rights)
    await assign(rights, right.id)
    token = (await sync(rights)).json()["token"]

    anonymous = await rights.client.get("/sync")
    assert anonymous.status_code == 401
    enterprise = await rights.client.get(
        "/sync", headers=rights.auth(Role.enterprise, holder_id=str(right.holder_id))
    )
    assert enterprise.status_code == 403
    assert enterprise.headers["content-type"] == "application/problem+json"

    for bad in ("yesterday", "s1.zz", token + "0"):
        refused = await sync(rights, since=bad)
        assert refused.status_code == 422, bad
        assert [e["field"] for e in refused.json()["errors"]] == ["query.since"]
    # a well-formed token that is not this inspector's, or one never issued
    for foreign in (token, "s1." + "0" * 40):
        refused = await sync(rights, SARNA, since=foreign)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "query.since"
        assert str(right.id) not in refused.text

    # an inspector may not sync as another; the bureau may, to support the app
    posing = await rights.client.get(
        "/sync", params={"inspector": BATU}, headers=rights.auth(Role.inspector, subject=SARNA)
    )
    assert posing.status_code == 403
    support = await rights.client.get(
        "/sync", params={"inspector": BATU}, headers=rights.auth(Role.bureau_admin)
    )
    assert support.status_code == 200 and ids(support.json()["mines"]) == {str(right.id)}


async def test_unused_tokens_expire_and_the_app_syncs_in_full(rights):
    right = await make_right(rights)
    await assign(rights, right.id)
    token = (await sync(rights)).json()["token"]
    later = clock.now() + timedelta(days=89)
    assert await rights.runtime.run_job("sync_tokens", now=later) == 0
    assert (await sync(rights, since=token)).status_code == 200  # used again: kept longer
    purged = await rights.runtime.run_job("sync_tokens", now=clock.now() + timedelta(days=91))
    assert purged == 1
    refused = await sync(rights, since=token)
    assert refused.status_code == 422
    full = (await sync(rights)).json()
    assert ids(full["mines"]) == {str(right.id)} and full["token"] == token


async def test_assignments(rights):
    right = await make_right(rights)
    made = await assign(rights, right.id, note="2026年第1批随机巡查")
    twice = await rights.client.post(
        "/inspector-assignments",
        json={"inspector": BATU, "right_id": str(right.id)},
        headers=rights.auth(Role.bureau_admin),
    )
    assert twice.status_code == 409 and twice.json()["assignment_id"] == made["id"]
    for body, field in (
        ({"inspector": BATU, "right_id": "0b6f4a52-8d0c-4f59-9a55-3c1f0e7d2a61"}, "right_id"),
        (
            {
                "inspector": SARNA,
                "right_id": str(right.id),
                "patrol_draw_id": "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f",
            },
            "patrol_draw_id",
        ),
    ):
        refused = await rights.client.post(
            "/inspector-assignments", json=body, headers=rights.auth(Role.bureau_admin)
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == f"body.{field}"
    by_inspector = await rights.client.post(
        "/inspector-assignments",
        json={"inspector": BATU, "right_id": str(right.id)},
        headers=rights.auth(Role.inspector, subject=BATU),
    )
    assert by_inspector.status_code == 403
    own = await rights.client.get(
        "/inspector-assignments", headers=rights.auth(Role.inspector, subject=SARNA)
    )
    assert own.status_code == 200 and own.json()["items"] == []
    mine = await rights.client.get(
        "/inspector-assignments", headers=rights.auth(Role.inspector, subject=BATU)
    )
    assert ids(mine.json()["items"]) == {made["id"]}
    url = f"/inspector-assignments/{made['id']}/end"
    assert (
        await rights.client.post(url, headers=rights.auth(Role.bureau_admin))
    ).status_code == 200
    again = await rights.client.post(url, headers=rights.auth(Role.bureau_admin))
    assert again.status_code == 409
    open_only = await rights.client.get(
        "/inspector-assignments", params={"open": "true"}, headers=rights.auth(Role.bureau_admin)
    )
    assert open_only.json()["items"] == []

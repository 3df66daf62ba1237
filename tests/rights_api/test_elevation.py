"""Licensed elevation 开采标高: a right carries its range (top above bottom), a change application
moves it, and an inspection whose working face lies outside it is flagged as out-of-level mining
超层越界 (第五章第三节 安全准入条件), the same way out-of-bounds mining is flagged."""

import uuid
from decimal import Decimal

from servicekit.auth import Role

from tests.rights_api.support import SCJ001, add_right, events, holder, load_edition

RANGE = {"elevation_top_m": "1010", "elevation_bottom_m": "960"}


def metres(shown: dict) -> tuple[Decimal, Decimal] | None:
    if shown["elevation_top_m"] is None:
        return None
    return Decimal(shown["elevation_top_m"]), Decimal(shown["elevation_bottom_m"])


def record(right: dict, elevation: str | None, *, at=SCJ001) -> dict:
    body = {
        "right_id": right["id"],
        "inspected_at": "2026-06-12T10:30:00+08:00",
        "working_face": [{"lon": at[0], "lat": at[1]}],
        "findings": "露天采场东帮作业面",
    }
    if elevation is not None:
        body["working_face_elevation_m"] = elevation
    return body


async def put(rights, body: dict, client_uuid=None):
    return await rights.client.put(
        f"/inspections/{client_uuid or uuid.uuid4()}",
        json=body,
        headers=rights.auth(Role.inspector, subject="inspector-1"),
    )


async def test_a_right_carries_its_licensed_range(rights):
    owner = await holder(rights, 41)
    right = await add_right(rights, owner, at=SCJ001, **RANGE)
    assert metres(right) == (1010, 960)
    reader = rights.auth(Role.bureau_admin)
    assert metres((await rights.client.get(f"/rights/{right['id']}", headers=reader)).json()) == (
        1010,
        960,
    )
    [(_, _, granted)] = await events(rights, "rights.right.granted")
    assert metres(granted) == (1010, 960)
    plain = await add_right(rights, owner, at=(SCJ001[0] + 0.01, SCJ001[1]))
    assert plain["elevation_top_m"] is None and plain["elevation_bottom_m"] is None


async def test_a_range_upside_down_or_half_given_is_refused_naming_the_field(rights):
    owner = await holder(rights, 42)
    for top, bottom in (("950", "960"), ("960", "960"), ("1010", None), (None, "960")):
        body = {"elevation_top_m": top, "elevation_bottom_m": bottom}
        response = await rights.client.post(
            "/rights",
            json={
                "licence_no": "C1525012019000000099999",
                "kind": "mining",
                "holder_id": owner,
                "mine_name": "测试花岗岩矿",
                "mineral": "construction_granite",
                "area_km2": "0.0500",
                "valid_from": "2019-01-01",
                "valid_to": "2029-12-31",
                **{k: v for k, v in body.items() if v is not None},
            },
            headers=rights.auth(Role.bureau_admin),
        )
        assert response.status_code == 422, (top, bottom)
        assert [e["field"] for e in response.json()["errors"]] == ["body.elevation_bottom_m"]


async def test_mining_outside_the_range_is_flagged_out_of_level(rights):
    owner = await holder(rights, 43)
    right = await add_right(rights, owner, at=SCJ001, **RANGE)
    below = await put(rights, record(right, "955.5"))
    assert below.status_code == 201, below.text
    flagged = below.json()
    assert flagged["out_of_level"] is True
    assert flagged["out_of_bounds"] is False
    assert flagged["violations"] == ["out_of_level_mining"]
    assert Decimal(flagged["working_face_elevation_m"]) == Decimal("955.5")
    above = (await put(rights, record(right, "1010.01"))).json()
    assert above["out_of_level"] is True
    for edge in ("1010", "960", "985"):  # the ends are inside
        inside = (await put(rights, record(right, edge))).json()
        assert inside["out_of_level"] is False and inside["violations"] == []
    unknown = (await put(rights, record(right, None))).json()
    assert unknown["out_of_level"] is None  # no elevation taken: nothing could be checked
    both = (await put(rights, record(right, "900", at=(SCJ001[0] + 0.01, SCJ001[1])))).json()
    assert both["violations"] == ["out_of_bounds_mining", "out_of_level_mining"]

    recorded = [data for _, _, data in await events(rights, "rights.inspection.recorded")]
    assert [r["out_of_level"] for r in recorded] == [True, True, False, False, False, None, True]
    assert recorded[0]["violations"] == ["out_of_level_mining"]

    listed = await rights.client.get(
        "/inspections", params={"out_of_level": "true"}, headers=rights.auth(Role.bureau_admin)
    )
    assert {i["id"] for i in listed.json()["items"]} == {flagged["id"], above["id"], both["id"]}


async def test_without_a_licensed_range_nothing_is_flagged(rights):
    owner = await holder(rights, 44)
    right = await add_right(rights, owner, at=SCJ001)
    shown = (await put(rights, record(right, "2000"))).json()
    assert shown["out_of_level"] is None and shown["violations"] == []


async def test_a_replay_without_the_elevation_is_the_same_record(rights):
    owner = await holder(rights, 45)
    right = await add_right(rights, owner, at=SCJ001, **RANGE)
    client_uuid = uuid.uuid4()
    assert (await put(rights, record(right, None), client_uuid)).status_code == 201
    assert (await put(rights, record(right, None), client_uuid)).status_code == 200
    changed = await put(rights, record(right, "955"), client_uuid)
    assert changed.status_code == 409  # a stored record is never replaced


async def test_a_change_application_moves_the_range(rights):
    await load_edition(rights)
    owner = await holder(rights, 46)
    right = await add_right(rights, owner, at=SCJ001, **RANGE)
    reviewer = rights.auth(Role.bureau_reviewer)
    bad = await rights.client.post(
        "/applications",
        json={
            "kind": "change",
            "right_id": right["id"],
            "elevation_top_m": "900",
            "elevation_bottom_m": "940",
        },
        headers=reviewer,
    )
    assert bad.status_code == 422
    assert "elevation_bottom_m" in bad.text
    filed = await rights.client.post(
        "/applications",
        json={
            "kind": "change",
            "right_id": right["id"],
            "elevation_top_m": "1000",
            "elevation_bottom_m": "940",
        },
        headers=reviewer,
    )
    assert filed.status_code == 201, filed.text
    approved = await rights.client.post(
        f"/applications/{filed.json()['id']}/approve",
        json={"reason": "开采标高变更，经审查同意"},
        headers=reviewer,
    )
    assert approved.status_code == 200, approved.text
    now = (await rights.client.get(f"/rights/{right['id']}", headers=reviewer)).json()
    assert metres(now) == (1000, 940)
    [(_, _, changed)] = await events(rights, "rights.right.changed")
    assert changed["changes"] == ["elevation"]
    assert metres(changed) == (1000, 940)
    below_new = (await put(rights, record(right, "945"))).json()
    assert below_new["out_of_level"] is False

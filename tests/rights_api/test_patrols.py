"""Random patrols 随机巡查 (第五章第二节): a draw reproduced from its published seed and inputs with
nothing but SHA-256, conflicted professionals excluded, the draw public without contact data,
and the patrol's findings recorded as inspections linked to the draw."""

import hashlib
import json
import uuid

import pytest
from servicekit.auth import Role

from tests.rights_api.operations_support import INSIDE, events, make_right, rights_service

SEED = "2026-随机巡查-第1批"


@pytest.fixture
async def rights(databases, tmp_path):
    async with rights_service(databases, tmp_path / "attachments") as service:
        yield service


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def professional(rights, name, **extra) -> str:
    body = {
        "name": name,
        "organisation": "内蒙古自治区第二地质矿产勘查开发院",
        "speciality": "采矿工程",
        "phone": "13900000000",
        **extra,
    }
    response = await rights.client.post(
        "/patrol-professionals", json=body, headers=rights.auth(Role.bureau_admin)
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def draw(rights, role=Role.bureau_admin, claims=None, **body):
    body = {"year": 2026, "sample_size": 3, "seed": SEED, "professionals_per_mine": 2, **body}
    headers = rights.auth(role, **(claims or {}))
    return await rights.client.post("/patrol-draws", json=body, headers=headers)


async def world(rights):
    mines = [await make_right(rights, n) for n in (1, 2, 3)]
    # a closed mine is not patrolled
    await make_right(rights, 4, status="closed")
    employed = await professional(rights, "王海", employer_holder_id=str(mines[0].holder_id))
    evaluated = await professional(rights, "李明", conflict_right_ids=[str(mines[1].id)])
    others = [await professional(rights, name) for name in ("张建国", "赵丽", "孙强")]
    return mines, employed, evaluated, others


async def test_a_draw_is_reproduced_from_its_seed_and_excludes_conflicted_professionals(rights):
    mines, employed, evaluated, others = await world(rights)
    response = await draw(rights)
    assert response.status_code == 201, response.text
    drawn = response.json()
    assert drawn["method"] == "sha256-rank-v1" and drawn["seed"] == SEED

    # recomputed by hand from the published inputs: SHA-256 ranks, ascending
    inputs = drawn["inputs"]
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert drawn["inputs_sha256"] == sha(canonical)
    assert {m["right_id"] for m in inputs["mines"]} == {str(m.id) for m in mines}
    order = sorted((str(m.id) for m in mines), key=lambda r: sha(f"{SEED}:{r}"))
    assert [m["right_id"] for m in drawn["mines"]] == order
    pool = [employed, evaluated, *others]
    for mine in drawn["mines"]:
        right = mine["right_id"]
        banned = {str(mines[0].id): employed, str(mines[1].id): evaluated}.get(right)
        eligible = sorted(
            (p for p in pool if p != banned), key=lambda p: sha(f"{SEED}:{right}:{p}")
        )
        assert mine["professional_ids"] == eligible[:2]
        if banned:
            [excluded] = mine["excluded"]
            assert excluded["professional_id"] == banned
            assert banned not in mine["professional_ids"]
        else:
            assert mine["excluded"] == []
    by_right = {m["right_id"]: m for m in drawn["mines"]}
    assert by_right[str(mines[0].id)]["excluded"][0]["reason"] == "works for the mine's holder"
    assert "evaluated" in by_right[str(mines[1].id)]["excluded"][0]["reason"]

    # the same seed and inputs draw the same result
    again = (await draw(rights)).json()
    assert again["id"] != drawn["id"]
    assert (again["mines"], again["professionals"], again["inputs_sha256"]) == (
        drawn["mines"],
        drawn["professionals"],
        drawn["inputs_sha256"],
    )
    other = (await draw(rights, seed="another seed", sample_size=1)).json()
    assert [m["right_id"] for m in other["mines"]] == [
        min((str(m.id) for m in mines), key=lambda r: sha(f"another seed:{r}"))
    ]

    # public: anyone reads the draw, its seed and inputs; no contact data
    public = await rights.client.get(f"/patrol-draws/{drawn['id']}")
    assert public.status_code == 200, public.text
    assert public.json() == drawn
    assert "13900000000" not in public.text and "phone" not in public.text
    named = {p["id"]: p for p in drawn["professionals"]}
    assert set(named) == {p for m in drawn["mines"] for p in m["professional_ids"]}
    assert set(next(iter(named.values()))) == {"id", "name", "organisation", "speciality"}
    listed = await rights.client.get("/patrol-draws")
    assert listed.status_code == 200
    assert [d["id"] for d in listed.json()["items"]][-1] == drawn["id"]  # newest first
    [published, *_] = await events(rights, "rights.patrol.drawn")
    assert published[2]["seed"] == SEED and published[2]["inputs_sha256"] == drawn["inputs_sha256"]
    assert published[2]["right_ids"] == order


async def test_refusals(rights):
    mines, *_ = await world(rights)
    owner = {"holder_id": str(mines[0].holder_id)}
    assert (await draw(rights, role=Role.enterprise, claims=owner)).status_code == 403
    assert (await draw(rights, role=Role.inspector)).status_code == 403
    anonymous = await rights.client.post("/patrol-draws", json={"year": 2026, "sample_size": 1})
    assert anonymous.status_code == 401
    for body, field in (
        ({"sample_size": 0}, "body.sample_size"),
        ({"sample_size": 4}, "body.sample_size"),  # 3 mines can be patrolled
        ({"year": 1999}, "body.year"),
        ({"professionals_per_mine": 0}, "body.professionals_per_mine"),
    ):
        refused = await draw(rights, **body)
        assert refused.status_code == 422, refused.text
        assert field in {e["field"] for e in refused.json()["errors"]}, refused.text
    # five professionals, one conflicted per mine for two mines: five per mine is too many
    short = await draw(rights, professionals_per_mine=5)
    assert short.status_code == 409, short.text
    assert set(short.json()["right_ids"]) == {str(mines[0].id), str(mines[1].id)}
    assert (await rights.client.get(f"/patrol-draws/{uuid.uuid4()}")).status_code == 404
    # the pool is the bureau's: contact data inside
    pool = await rights.client.get("/patrol-professionals", headers=rights.auth(Role.bureau_admin))
    assert pool.status_code == 200 and pool.json()["items"][0]["phone"] == "13900000000"
    for role, claims in ((Role.enterprise, owner), (Role.inspector, {}), (Role.gov_system, {})):
        headers = rights.auth(role, **claims)
        assert (
            await rights.client.get("/patrol-professionals", headers=headers)
        ).status_code == 403
    nameless = await rights.client.post(
        "/patrol-professionals",
        json={"organisation": "某院", "speciality": "地质"},
        headers=rights.auth(Role.bureau_admin),
    )
    assert nameless.status_code == 422
    assert "body.name" in {e["field"] for e in nameless.json()["errors"]}


async def test_a_patrols_findings_are_inspections_linked_to_its_draw(rights):
    mines, *_ = await world(rights)
    drawn = (await draw(rights, sample_size=1)).json()
    [picked] = drawn["mines"]
    not_picked = next(m for m in mines if str(m.id) != picked["right_id"])
    inspector = rights.auth(Role.inspector, subject="inspector-1")
    body = {
        "right_id": picked["right_id"],
        "inspected_at": "2026-06-12T10:30:00+08:00",
        "inspector_name": "张建国",
        "working_face": [INSIDE],
        "findings": "随机巡查：东帮采场作业面正常。",
        "patrol_draw_id": drawn["id"],
    }
    client_uuid = uuid.uuid4()
    first = await rights.client.put(f"/inspections/{client_uuid}", json=body, headers=inspector)
    assert first.status_code == 201, first.text
    assert first.json()["patrol_draw_id"] == drawn["id"]
    replay = await rights.client.put(f"/inspections/{client_uuid}", json=body, headers=inspector)
    assert replay.status_code == 200 and replay.json() == first.json()
    [recorded] = await events(rights, "rights.inspection.recorded")
    assert recorded[2]["patrol_draw_id"] == drawn["id"]

    for wrong in ({"right_id": str(not_picked.id)}, {"patrol_draw_id": str(uuid.uuid4())}):
        refused = await rights.client.put(
            f"/inspections/{uuid.uuid4()}", json=body | wrong, headers=inspector
        )
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["body.patrol_draw_id"]

    found = await rights.client.get(
        "/inspections",
        params={"patrol_draw_id": drawn["id"]},
        headers=rights.auth(Role.bureau_admin),
    )
    assert [i["id"] for i in found.json()["items"]] == [str(client_uuid)]
    # an ordinary inspection (no draw) keeps its old body hash: no patrol_draw_id in it
    plain = {k: v for k, v in body.items() if k != "patrol_draw_id"}
    ordinary = await rights.client.put(
        f"/inspections/{uuid.uuid4()}", json=plain, headers=inspector
    )
    assert ordinary.status_code == 201 and ordinary.json()["patrol_draw_id"] is None

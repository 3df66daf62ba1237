"""Enterprises file only for their own holder and see only their own applications."""

from servicekit.auth import Role

from tests.rights_api.support import BLANK, add_right, holder, load_edition, mining_request


async def test_an_enterprise_cannot_file_read_or_decide_for_another_holder(rights):
    await load_edition(rights)
    own, other = await holder(rights, 1), await holder(rights, 2)
    me = rights.auth(Role.enterprise, holder_id=own)

    for path in ("/applications/check", "/applications"):
        response = await rights.client.post(path, json=mining_request(other), headers=me)
        assert response.status_code == 403, path

    their_right = await add_right(rights, other, at=BLANK)
    closure = {
        "kind": "closure",
        "right_id": their_right["id"],
        "reason": "x",
        "documents": ["restoration_plan"],
    }
    for path in ("/applications/check", "/applications"):
        response = await rights.client.post(path, json=closure, headers=me)
        assert response.status_code == 404, path

    theirs = await rights.client.post(
        "/applications",
        json=mining_request(other),
        headers=rights.auth(Role.enterprise, holder_id=other),
    )
    assert theirs.status_code == 201
    mine = await rights.client.post(
        "/applications", json=mining_request(own, at=(111.70, 43.56)), headers=me
    )
    assert mine.status_code == 201, mine.text

    listed = (await rights.client.get("/applications", headers=me)).json()["items"]
    assert [a["id"] for a in listed] == [mine.json()["id"]]
    filtered = (
        await rights.client.get("/applications", params={"holder_id": other}, headers=me)
    ).json()["items"]
    assert filtered == []
    their_id = theirs.json()["id"]
    assert (await rights.client.get(f"/applications/{their_id}", headers=me)).status_code == 404
    for action in ("approve", "reject"):
        response = await rights.client.post(
            f"/applications/{their_id}/{action}", json={"reason": "x"}, headers=me
        )
        assert response.status_code == 403
    bureau = (
        await rights.client.get("/applications", headers=rights.auth(Role.bureau_reviewer))
    ).json()
    assert len(bureau["items"]) == 2


async def test_the_public_and_other_roles_cannot_file(rights):
    await load_edition(rights)
    owner = await holder(rights, 1)
    body = mining_request(owner)
    assert (await rights.client.post("/applications", json=body)).status_code == 401
    for role, claims in (
        (Role.inspector, {}),
        (Role.evaluator, {"org_id": "o"}),
        (Role.gov_system, {}),
    ):
        response = await rights.client.post(
            "/applications", json=body, headers=rights.auth(role, **claims)
        )
        assert response.status_code == 403

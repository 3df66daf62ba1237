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


async def test_an_overlap_names_only_the_callers_own_rights_to_an_enterprise(rights):
    """No overlap oracle: a dry run (or a refused application) tells an enterprise that other
    holders' rights are overlapped, never how many, which, or the area shared with them."""
    from tests.rights_api.support import SCJ001, codes

    await load_edition(rights)
    own, other = await holder(rights, 1), await holder(rights, 2)
    theirs = await add_right(rights, other, at=(SCJ001[0] + 0.002, SCJ001[1]), area=0.1)
    mine = await add_right(rights, own, at=(SCJ001[0] - 0.002, SCJ001[1]), area=0.1)
    body = mining_request(own)
    as_owner = rights.auth(Role.enterprise, holder_id=own)

    as_bureau = await rights.client.post(
        "/applications/check", json=body, headers=rights.auth(Role.bureau_reviewer)
    )
    seen = codes(as_bureau.json())["overlap"]["numbers"]
    assert {o["licence_no"] for o in seen["overlapping"]} == {
        mine["licence_no"],
        theirs["licence_no"],
    }
    [mine_shared] = [o["shared_km2"] for o in seen["overlapping"] if o["right_id"] == mine["id"]]
    assert float(seen["shared_km2"]) > float(mine_shared) > 0

    dry_run = await rights.client.post("/applications/check", json=body, headers=as_owner)
    filed = await rights.client.post("/applications", json=body, headers=as_owner)
    assert filed.status_code == 422, filed.text
    for answer in (dry_run.json(), filed.json()):
        violation = codes(answer)["overlap"]
        assert violation["clause"] == "第三章第四节, 第五章第二节"
        numbers = violation["numbers"]
        assert [o["licence_no"] for o in numbers["overlapping"]] == [mine["licence_no"]]
        assert numbers["other_holders"] is True
        assert numbers["shared_km2"] == mine_shared  # the caller's own overlap only
        assert "others_overlapping" not in numbers
        assert "他人矿业权" in violation["message_zh"]
        assert (
            "另1个" not in violation["message_zh"] and "1 of other" not in violation["message_en"]
        )
    for text in (dry_run.text, filed.text):
        assert theirs["licence_no"] not in text and theirs["id"] not in text

"""The rights-api slice: registering holders, and the building blocks seen through it."""

import asyncio
import uuid

import pytest
from servicekit.auth import Role
from sqlalchemy import text

from tests.samples import PETROCHINA, credit_code


async def count(service, sql: str) -> int:
    async with service.runtime.db.transaction() as session:
        return (await session.exec(text(sql))).scalar_one()


async def test_register_holder_writes_the_holder_and_its_event_together(rights):
    contact = {"contact_name": "生产办 王工", "contact_phone": "0479-7512345"}
    response = await rights.client.post(
        "/holders", json=PETROCHINA | contact, headers=rights.auth(Role.bureau_admin)
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["credit_code"] == "91110000710925462X"
    assert response.headers["location"] == f"/holders/{body['id']}"
    assert response.headers["etag"] == '"1"'
    async with rights.runtime.db.transaction() as session:
        row = (
            await session.exec(
                text("SELECT type, key, convert_from(value, 'UTF8')::jsonb AS data FROM outbox")
            )
        ).one()
    assert row.type == "rights.holder.registered"
    assert row.key == body["id"]
    assert row.data["credit_code"] == "91110000710925462X"
    assert row.data["name"] == "中国石油天然气股份有限公司"
    # personal data travels in the event; the notifier strips it for those not entitled to it
    assert {k: row.data[k] for k in contact} == contact
    assert row.data["contact_email"] is None


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("91110000710925462Y", "check character is Y, GB 32100-2015 gives X"),
        ("9111000071092546", "must be 18 characters"),
        ("91110000710925462I", "characters not allowed: I"),
        ("Z1110000710925462X", "characters not allowed: Z"),
    ],
)
async def test_a_bad_credit_code_is_a_422_naming_the_field(rights, code, why):
    response = await rights.client.post(
        "/holders", json={**PETROCHINA, "credit_code": code}, headers=rights.auth(Role.bureau_admin)
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert [e["field"] for e in problem["errors"]] == ["body.credit_code"]
    assert why in problem["errors"][0]["message"]
    assert await count(rights, "SELECT count(*) FROM holders") == 0
    assert await count(rights, "SELECT count(*) FROM outbox") == 0


async def test_a_lower_case_code_is_normalised(rights):
    response = await rights.client.post(
        "/holders",
        json={**PETROCHINA, "credit_code": "91110000710925462x"},
        headers=rights.auth(Role.bureau_admin),
    )
    assert response.status_code == 201
    assert response.json()["credit_code"] == "91110000710925462X"


async def test_a_credit_code_registers_once(rights):
    admin = rights.auth(Role.bureau_admin)
    first = await rights.client.post("/holders", json=PETROCHINA, headers=admin)
    again = await rights.client.post("/holders", json=PETROCHINA, headers=admin)
    assert first.status_code == 201
    assert again.status_code == 409
    assert again.json()["holder_id"] == first.json()["id"]
    assert await count(rights, "SELECT count(*) FROM outbox") == 1


async def test_concurrent_registrations_of_one_code_give_one_holder(rights):
    admin = rights.auth(Role.bureau_admin)
    responses = await asyncio.gather(
        *[rights.client.post("/holders", json=PETROCHINA, headers=admin) for _ in range(5)]
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409]
    assert all(
        r.headers["content-type"] == "application/problem+json"
        for r in responses
        if r.status_code == 409
    )
    assert await count(rights, "SELECT count(*) FROM holders") == 1
    assert await count(rights, "SELECT count(*) FROM outbox") == 1


@pytest.mark.parametrize("role", [Role.inspector, Role.gov_system, Role.evaluator, Role.enterprise])
async def test_only_bureau_staff_register_holders(rights, role):
    claims = (
        {"holder_id": str(uuid.uuid4())}
        if role is Role.enterprise
        else {"org_id": "org-1"}
        if role is Role.evaluator
        else {}
    )
    response = await rights.client.post(
        "/holders", json=PETROCHINA, headers=rights.auth(role, **claims)
    )
    assert response.status_code == 403
    assert response.json()["type"] == "urn:mineadmin:problem:forbidden"
    assert await count(rights, "SELECT count(*) FROM holders") == 0


async def test_the_public_cannot_register_or_read_holders(rights):
    post = await rights.client.post("/holders", json=PETROCHINA)
    get = await rights.client.get("/holders")
    for response in (post, get):
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.headers["content-type"] == "application/problem+json"


async def test_an_enterprise_sees_and_changes_only_its_own_holder(rights):
    admin = rights.auth(Role.bureau_admin)
    own = (await rights.client.post("/holders", json=PETROCHINA, headers=admin)).json()
    other = (
        await rights.client.post(
            "/holders",
            json={"credit_code": credit_code(1), "name": "二连市北山石料厂"},
            headers=admin,
        )
    ).json()
    enterprise = rights.auth(Role.enterprise, holder_id=own["id"])

    listed = (await rights.client.get("/holders", headers=enterprise)).json()["items"]
    assert [h["id"] for h in listed] == [own["id"]]
    assert (await rights.client.get(f"/holders/{own['id']}", headers=enterprise)).status_code == 200
    refused = await rights.client.get(f"/holders/{other['id']}", headers=enterprise)
    assert refused.status_code == 403
    patch = await rights.client.patch(
        f"/holders/{other['id']}",
        json={"contact_name": "x"},
        headers={**enterprise, "If-Match": '"1"'},
    )
    assert patch.status_code == 403
    stored = (await rights.client.get(f"/holders/{other['id']}", headers=admin)).json()
    assert stored["contact_name"] is None


async def test_updates_need_the_current_etag(rights):
    admin = rights.auth(Role.bureau_admin)
    holder = (await rights.client.post("/holders", json=PETROCHINA, headers=admin)).json()
    url = f"/holders/{holder['id']}"

    missing = await rights.client.patch(url, json={"contact_name": "王工"}, headers=admin)
    assert missing.status_code == 428
    ok = await rights.client.patch(
        url, json={"contact_name": "王工"}, headers={**admin, "If-Match": '"1"'}
    )
    assert ok.status_code == 200
    assert ok.headers["etag"] == '"2"'
    stale = await rights.client.patch(
        url, json={"contact_name": "李工"}, headers={**admin, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == '"2"'
    current = await rights.client.get(url, headers=admin)
    assert current.json()["contact_name"] == "王工"
    assert current.headers["etag"] == '"2"'


async def test_holders_page_through_in_a_stable_order(rights):
    admin = rights.auth(Role.bureau_admin)
    for serial in range(7):
        response = await rights.client.post(
            "/holders",
            json={"credit_code": credit_code(serial), "name": f"测试矿业{serial}"},
            headers=admin,
        )
        assert response.status_code == 201
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await rights.client.get("/holders", params=params, headers=admin)).json()
        seen += [h["name"] for h in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"测试矿业{i}" for i in range(7)]
    bad = await rights.client.get("/holders", params={"cursor": "!!"}, headers=admin)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "query.cursor"


@pytest.mark.parametrize("name", ["中国石油\u202e司公限有", "中国\u200b石油", "中国石油\x07"])
async def test_a_name_with_a_bidi_override_or_invisible_character_is_refused(rights, name):
    admin = rights.auth(Role.bureau_admin)
    response = await rights.client.post(
        "/holders", json={**PETROCHINA, "name": name}, headers=admin
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == "body.name" and "invisible or control character" in error["message"]
    assert await count(rights, "SELECT count(*) FROM holders") == 0

    made = await rights.client.post("/holders", json=PETROCHINA, headers=admin)
    assert made.status_code == 201, made.text
    patched = await rights.client.patch(
        f"/holders/{made.json()['id']}",
        json={"contact_name": name},
        headers={**admin, "If-Match": made.headers["etag"]},
    )
    assert patched.status_code == 422, patched.text
    assert patched.json()["errors"][0]["field"] == "body.contact_name"
    ordinary = "中国石油天然气股份有限公司（二连分公司）· No.1"
    renamed = await rights.client.patch(
        f"/holders/{made.json()['id']}",
        json={"name": ordinary},
        headers={**admin, "If-Match": made.headers["etag"]},
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == ordinary

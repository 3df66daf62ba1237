"""Every list of every service answers a cursor it did not make with a 422, never a 500, and
a cursor one list made is refused by another."""

from servicekit.auth import Role
from servicekit.pagination import encode_cursor

from tests.samples import credit_code, forged_cursor

FORGED = [
    forged_cursor(["not a time", "not an id"]),
    forged_cursor([1]),
    forged_cursor([{"a": 1}, None, 3]),
    encode_cursor([1], key=b"", scope="/"),
    "W1td",  # "[]" as a bare, unsigned payload
    "!!",
]


def paged_routes(app) -> list[str]:
    """GET routes without path parameters that take a `cursor`."""
    schema = app.openapi()
    return [
        path
        for path, ops in schema["paths"].items()
        if "get" in ops
        and "{" not in path
        and any(p["name"] == "cursor" for p in ops["get"].get("parameters", []))
    ]


async def assert_forged_cursors_refused(service) -> None:
    routes = paged_routes(service.app)
    assert routes, "no paged lists?"
    admin = service.auth(Role.bureau_admin)
    failures = {}
    for path in routes:
        for cursor in FORGED:
            response = await service.client.get(path, params={"cursor": cursor}, headers=admin)
            if response.status_code != 422:
                failures[f"{path} {cursor}"] = response.status_code
    assert failures == {}


async def test_rights_api(rights):
    await assert_forged_cursors_refused(rights)


async def test_restoration_api(restoration):
    await assert_forged_cursors_refused(restoration)


async def test_greenmine_api(greenmine):
    await assert_forged_cursors_refused(greenmine)


async def test_notifier(notifier):
    await assert_forged_cursors_refused(notifier)


async def test_a_cursor_is_good_for_its_own_list_only(rights):
    admin = rights.auth(Role.bureau_admin)
    for serial in (1, 2, 3):
        response = await rights.client.post(
            "/holders",
            json={"credit_code": credit_code(serial), "name": f"测试{serial}"},
            headers=admin,
        )
        assert response.status_code == 201, response.text
    first = await rights.client.get("/holders", params={"limit": 1}, headers=admin)
    cursor = first.json()["next_cursor"]
    second = await rights.client.get(
        "/holders", params={"limit": 1, "cursor": cursor}, headers=admin
    )
    assert second.status_code == 200
    assert second.json()["items"][0]["id"] != first.json()["items"][0]["id"]
    elsewhere = await rights.client.get("/rights", params={"cursor": cursor}, headers=admin)
    assert elsewhere.status_code == 422
    assert elsewhere.json()["errors"] == [
        {"field": "query.cursor", "message": "not a cursor of this list"}
    ]

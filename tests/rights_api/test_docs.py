"""The OpenAPI document: every route has a bilingual summary; examples come from the plan."""

import re

from servicekit.auth import Role


async def test_every_route_is_documented_in_chinese_and_english(rights):
    doc = (await rights.client.get("/openapi.json")).json()
    mine = [
        (path, method, op)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if path.startswith(
            ("/plan-editions", "/rights", "/applications", "/indicators", "/holders")
        )
    ]
    assert len(mine) >= 17
    for path, method, op in mine:
        summary = op.get("summary", "")
        assert re.search(r"[A-Za-z]", summary) and re.search(r"[\u4e00-\u9fff]", summary), (
            path,
            method,
            summary,
        )
    text = str(doc)
    assert "二连浩特市乌希根楚四号建筑用花岗岩矿" in text
    assert "二连浩特市乌希根楚二号建筑用花岗岩矿" in text
    assert (
        "admission"
        in doc["paths"]["/applications"]["post"]["responses"]["422"]["description"].lower()
        or "violations" in doc["paths"]["/applications"]["post"]["responses"]["422"]["description"]
    )


async def test_the_documented_example_passes_the_check(rights):
    """The example of POST /applications is a real granite mine in SCJ001 that meets the plan."""
    from tests.rights_api.support import holder, load_edition

    await load_edition(rights)
    doc = (await rights.client.get("/openapi.json")).json()
    examples = doc["paths"]["/applications/check"]["post"]["requestBody"]["content"][
        "application/json"
    ]["examples"]
    body = {**examples["new_mining_right"]["value"], "holder_id": await holder(rights, 1)}
    result = (
        await rights.client.post(
            "/applications/check", json=body, headers=rights.auth(Role.bureau_reviewer)
        )
    ).json()
    assert result["passed"] is True, result

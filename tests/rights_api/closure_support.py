"""The restoration side of the closure path as the cross-service tests drive it: the closure case
restoration-api opens from rights-api's event, the closure restoration plan, the passed closure
acceptance and the mine's closed fund."""

from devkit.testing import RunningService
from servicekit.auth import Role

CLOSURE_PLAN = {
    "kind": "closure",
    "title": "闭坑矿山环境恢复治理方案",
    "estimated_cost": "90000.00",
    "area_ha": "5.00",
    "schedule": [{"year": 2026, "cost": "90000.00", "area_ha": "5.00"}],
}
PASSED = {
    "closure": True,
    "passed": True,
    "accepted_area_ha": "5.00",
    "inspected_on": "2026-11-20",
}


async def closure_cases(restoration: RunningService, right_id: str) -> list[dict]:
    response = await restoration.client.get(
        "/closure-cases",
        params={"right_id": right_id},
        headers=restoration.auth(Role.bureau_admin),
    )
    return response.json()["items"] if response.status_code == 200 else []


async def file_closure_plan(restoration: RunningService, right_id: str):
    return await restoration.client.post(
        "/plans",
        json={"right_id": right_id, **CLOSURE_PLAN},
        headers=restoration.auth(Role.bureau_admin),
    )


async def pass_closure_acceptance(restoration: RunningService, right_id: str):
    return await restoration.client.post(
        "/acceptances",
        json={"right_id": right_id, **PASSED},
        headers=restoration.auth(Role.inspector),
    )


async def closed_funds(restoration: RunningService, right_id: str) -> list[dict] | None:
    """The mine's funds once the first is closed, else None (a probe for ``eventually``)."""
    response = await restoration.client.get(
        "/funds", params={"right_id": right_id}, headers=restoration.auth(Role.bureau_admin)
    )
    items = response.json()["items"] if response.status_code == 200 else []
    return items if items and items[0]["status"] == "closed" else None

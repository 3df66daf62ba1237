"""The reference saga (ARCHITECTURE.md) across two real services over the real broker:
rights-api files a closure → restoration-api opens the closure case → its acceptance passes →
rights-api releases the hold → approval closes the mine → restoration-api closes its fund."""

import pytest
from devkit.testing import eventually, running_service
from restoration_api.app import SERVICE as RESTORATION
from rights_api.app import SERVICE as RIGHTS
from servicekit.auth import Role

from tests.rights_api.closure_support import (
    closed_funds,
    closure_cases,
    file_closure_plan,
    pass_closure_acceptance,
)
from tests.rights_api.support import BLANK, add_right, holder, load_edition

pytestmark = pytest.mark.kafka


async def test_closure_saga_between_rights_api_and_restoration_api(databases, kafka, topic_prefix):
    common = {"topic_prefix": topic_prefix, "kafka_bootstrap_servers": kafka}
    async with (
        running_service(RIGHTS, database_url=await databases.create("rights"), **common) as rights,
        running_service(
            RESTORATION, database_url=await databases.create("restoration"), **common
        ) as restoration,
    ):
        await load_edition(rights)
        owner = await holder(rights, 1, "内蒙古源庭矿业有限公司")
        right = await add_right(rights, owner, at=BLANK, status="suspended")

        filed = await rights.client.post(
            "/applications",
            json={
                "kind": "closure",
                "right_id": right["id"],
                "reason": "乌希根楚三号建筑用花岗岩矿停产，办理闭坑手续",
                "documents": ["restoration_plan"],
            },
            headers=rights.auth(Role.enterprise, holder_id=owner),
        )
        assert filed.status_code == 201, filed.text
        application = filed.json()
        await eventually(
            lambda: closure_cases(restoration, right["id"]),
            what="restoration-api opened the closure case",
        )

        plan = await file_closure_plan(restoration, right["id"])
        assert plan.status_code == 201, plan.text
        accepted = await pass_closure_acceptance(restoration, right["id"])
        assert accepted.status_code == 201, accepted.text

        url = f"/applications/{application['id']}"
        reviewer = rights.auth(Role.bureau_reviewer)

        async def released():
            body = (await rights.client.get(url, headers=reviewer)).json()
            return body if body["waiting_for"] is None else None

        body = await eventually(released, what="rights-api released the closure")
        assert body["restoration_acceptance"]["accepted_area_ha"] == "5.00"
        approved = await rights.client.post(
            f"{url}/approve", json={"reason": "闭坑治理恢复已验收"}, headers=reviewer
        )
        assert approved.status_code == 200, approved.text

        status = (await rights.client.get(f"/rights/{right['id']}", headers=reviewer)).json()
        assert status["status"] == "closed"
        # the granted right opened a fund there; the closed mine with its accepted closure
        # restoration closes it (restoration-api's side of the saga)
        [fund] = await eventually(
            lambda: closed_funds(restoration, right["id"]),
            what="restoration-api closed the mine's fund",
        )
        assert fund["closed_at"] is not None

"""Over a real Kafka broker, rights-api and restoration-api as deployed: a rectification order
restoration-api issues reaches the inspector's offline sync, and once resolved there, leaves it
as a tombstone."""

import pytest
from devkit.testing import eventually
from servicekit.auth import Role

from tests.rights_api.support import BLANK, add_right, holder, load_edition
from tests.rights_api.sync_support import assign, sync

pytestmark = pytest.mark.kafka


async def test_a_rectification_reaches_the_sync_and_leaves_it_resolved(on_kafka, tmp_path):
    async with (
        on_kafka("rights", attachments_dir=tmp_path) as rights,
        on_kafka("restoration") as restoration,
    ):
        await load_edition(rights)
        right = await add_right(rights, await holder(rights, 1), at=BLANK)
        await assign(rights, right["id"])
        token = (await sync(rights)).json()["token"]
        bureau = restoration.auth(Role.bureau_admin)

        async def ordered():
            # restoration-api knows the mine once rights.right.granted has reached it
            response = await restoration.client.post(
                "/rectifications",
                json={
                    "right_id": right["id"],
                    "reason": "2026年度治理任务未完成：采场边坡未按方案削坡",
                    "due_on": "2027-03-31",
                },
                headers=bureau,
            )
            assert response.status_code in (201, 404), response.text
            return response.json() if response.status_code == 201 else None

        rectification = await eventually(ordered, timeout=60, what="restoration knows the mine")

        async def delta_with_order():
            body = (await sync(rights, since=token)).json()
            return body if body["orders"] else None

        delta = await eventually(delta_with_order, timeout=60, what="the order in the sync")
        [order] = delta["orders"]
        assert (order["kind"], order["id"], order["status"], order["due_on"]) == (
            "rectification",
            rectification["id"],
            "ordered",
            "2027-03-31",
        )
        assert order["description"] == "2026年度治理任务未完成：采场边坡未按方案削坡"

        resolved = await restoration.client.post(
            f"/rectifications/{rectification['id']}/resolve",
            json={"resolution": "已完成削坡及覆土，复查合格"},
            headers=bureau,
        )
        assert resolved.status_code == 200, resolved.text

        async def tombstone():
            body = (await sync(rights, since=delta["token"])).json()
            return body["removed"] or None

        removed = await eventually(tombstone, timeout=60, what="the tombstone")
        assert removed == [{"kind": "order", "id": rectification["id"]}]

"""Over a real Kafka broker, both ways: rights-api's seed announces 专栏一's mines, greenmine-api
lists the oilfield (a green mine since 2021-03-28) and counts the producing mines for
/green-mine-coverage; its greenmine.mine.listed reaches rights-api, whose named deadline of the
green-mine standard then shows the oilfield listed and 乌希根楚二号 owing it."""

import pytest
from devkit.testing import eventually
from greenmine_api.seed import seed
from rights_api.app import SERVICE as RIGHTS
from servicekit.auth import Role

pytestmark = pytest.mark.kafka
OIL = "内蒙古二连盆地包尔-吉格森油田开采"
ERHAO = "二连浩特市乌希根楚二号建筑用花岗岩矿"


async def test_the_reference_mines_cross_both_ways(on_kafka, tmp_path):
    async with (
        on_kafka("rights", attachments_dir=tmp_path) as rights,
        on_kafka("greenmine") as greenmine,
    ):
        async with greenmine.runtime.db.transaction() as session:
            await seed(session)
        async with rights.runtime.db.transaction() as session:
            await RIGHTS.seed(session)
        edition_id = (await rights.client.get("/plan-editions/current")).json()["id"]

        async def covered():
            response = await greenmine.client.get(
                "/green-mine-coverage", headers=greenmine.auth(Role.gov_system)
            )
            body = response.json()
            return body if body.get("producing") == 2 and body.get("listed") == 1 else None

        body = await eventually(covered, timeout=60, what="2 producing mines, 1 listed")
        assert body["share"] == 0.5
        assert {m["mine_name"]: m["state"] for m in body["mines"]} == {
            OIL: "listed",
            ERHAO: "owes_standard",
        }

        async def learned():
            response = await rights.client.get(
                f"/plan-editions/{edition_id}/deadlines", headers=rights.auth(Role.inspector)
            )
            green = {d["id"]: d for d in response.json()["deadlines"]}["green-mine-standard"]
            items = {e["mine_name"]: (e["what"], e["on"]) for e in green["evidence"]}
            return (green, items) if items.get(OIL, ("",))[0] == "listed" else None

        green, items = await eventually(
            learned, timeout=60, what="the oilfield's listing at rights"
        )
        assert items == {OIL: ("listed", "2021-03-28"), ERHAO: ("not_listed", None)}
        assert (green["state"], green["outstanding"]) == ("missed", True)

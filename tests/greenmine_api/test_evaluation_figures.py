"""GET /evaluation-figures: the green mines on the list at the end of a day, with the listings
behind the count; a mine delisted in 2024 was still on the list in 2023."""

from datetime import UTC, datetime

from contracts.rights import MineClosed
from servicekit.auth import Role

from tests.greenmine_api.support import deliver, granted

OILFIELD = "内蒙古二连盆地包尔-吉格森油田开采"


async def test_listings_count_as_they_stood(gm):
    oilfield = granted(mine_name=OILFIELD, holder_name="中国石油天然气股份有限公司", reference=True)
    await deliver(gm, oilfield)  # listed from 2021-03-28 (专栏一)
    await deliver(
        gm,
        MineClosed(
            right_id=oilfield.right_id,
            holder_id=oilfield.holder_id,
            licence_no=oilfield.licence_no,
            status="closed",
            closed_at=datetime(2024, 5, 10, 2, 0, tzinfo=UTC),
        ),
    )

    async def green(as_of: str, role: Role = Role.gov_system) -> dict:
        response = await gm.client.get(
            "/evaluation-figures",
            params={"edition": "2021-2025", "as_of": as_of},
            headers=gm.auth(role),
        )
        assert response.status_code == 200, response.text
        [figure] = response.json()["figures"]
        return figure

    in_2023 = await green("2023-12-31")
    assert (in_2023["code"], in_2023["actual"], in_2023["target"]) == ("green_mines", "1", "4")
    assert (in_2023["direction"], in_2023["binding"], in_2023["clause"]) == (
        "at_least",
        False,
        "专栏二",
    )
    assert [(r["kind"], r["name"], r["on"]) for r in in_2023["records"]] == [
        ("listing", OILFIELD, "2021-03-28")
    ]
    assert (await green("2024-05-09", Role.bureau_admin))["actual"] == "1"
    assert (await green("2024-05-10"))["actual"] == "0"  # delisted that day
    assert (await green("2021-03-27"))["actual"] == "0"  # not yet listed
    # today's /indicators reads the same function
    assert (await gm.client.get("/indicators")).json()["listed_count"] == 0

    params = {"edition": "2021-2025", "as_of": "2023-12-31"}
    assert (await gm.client.get("/evaluation-figures", params=params)).status_code == 401
    enterprise = gm.auth(Role.enterprise, holder_id=str(oilfield.holder_id))
    assert (
        await gm.client.get("/evaluation-figures", params=params, headers=enterprise)
    ).status_code == 403
    unknown = await gm.client.get(
        "/evaluation-figures",
        params={**params, "edition": "2031-2035"},
        headers=gm.auth(Role.gov_system),
    )
    assert unknown.status_code == 404
    bad = await gm.client.get(
        "/evaluation-figures", params={**params, "as_of": "soon"}, headers=gm.auth(Role.gov_system)
    )
    assert bad.status_code == 422 and "query.as_of" in bad.text

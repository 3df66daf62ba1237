"""The three services an evaluation needs: restoration-api and greenmine-api in-process and also
listening on real ports (rights-api calls them over HTTP with its token, as deployed), and
rights-api pointed at them; and the records of 2021–2025 the evaluation tests count."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import uvicorn
from contracts.mining import RightStatus
from contracts.rights import MineClosed
from devkit.inprocess import InProcessBroker
from devkit.ports import free_port
from devkit.testing import RunningService, running_service
from greenmine_api.app import SERVICE as GREENMINE
from restoration_api.app import SERVICE as RESTORATION
from rights_api.app import SERVICE as RIGHTS
from rights_api.rights import service as rights_service
from rights_api.rights.models import Right
from servicekit import clock
from servicekit.auth import Role
from sqlmodel import select

from tests.conftest import in_process
from tests.greenmine_api.support import deliver as deliver_to_greenmine
from tests.greenmine_api.support import granted as green_grant
from tests.restoration_api.support import grant as grant_in_restoration

OILFIELD = "内蒙古二连盆地包尔-吉格森油田开采"
PETROCHINA = "中国石油天然气股份有限公司"
CLOSED_GRANITE = "二连浩特市乌希根楚二号建筑用花岗岩矿"  # 专栏一, closed in the test on 2024-06-30


@asynccontextmanager
async def listening(service: RunningService) -> AsyncIterator[str]:
    """The in-process service (its lifespan already running) served on a real port too."""
    port = free_port()
    config = uvicorn.Config(
        service.app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(250):
        if server.started:
            break
        await asyncio.sleep(0.02)
    assert server.started, "the peer did not start listening"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass
class Services:
    rights: RunningService
    restoration: RunningService
    greenmine: RunningService
    edition_id: str = ""


@asynccontextmanager
async def rights_with_peers(databases, **peers: str) -> AsyncIterator[RunningService]:
    async with running_service(
        RIGHTS,
        database_url=await databases.create("rights"),
        broker=InProcessBroker(),
        background=False,
        peers=peers,
        peer_timeout_seconds=5,
    ) as rights:
        async with rights.runtime.db.transaction() as session:
            await RIGHTS.seed(session)
        yield rights


@asynccontextmanager
async def seeded_peers(databases) -> AsyncIterator[dict[str, str]]:
    """restoration-api and greenmine-api, seeded (the 2021–2025 targets) and listening: the
    ``peers`` setting of a rights-api that evaluates."""
    async with (
        in_process(databases, "restoration") as restoration,
        in_process(databases, "greenmine") as greenmine,
        listening(restoration) as restoration_url,
        listening(greenmine) as greenmine_url,
    ):
        for peer in (restoration, greenmine):
            async with peer.runtime.db.transaction() as session:
                await peer.runtime.spec.seed(session)
        yield {"restoration": restoration_url, "greenmine": greenmine_url}


@asynccontextmanager
async def three_services(databases) -> AsyncIterator[Services]:
    async with (
        in_process(databases, "restoration") as restoration,
        in_process(databases, "greenmine") as greenmine,
        listening(restoration) as restoration_url,
        listening(greenmine) as greenmine_url,
        rights_with_peers(
            databases, restoration=restoration_url, greenmine=greenmine_url
        ) as rights,
    ):
        found = Services(rights, restoration, greenmine)
        found.edition_id = (await rights.client.get("/plan-editions/current")).json()["id"]
        yield found


async def record_the_period(s: Services) -> None:
    """What happened in 2020–2025, dated: a granite mine closed in 2024 (rights-api), the oilfield
    listed from 2021-03-28 and delisted on its closure in 2024 (greenmine-api), legacy sites
    accepted in 2020 (before the period), 2023 and 2024, a mine's reclamation and its land
    balance (restoration-api)."""
    with clock.pinned(datetime(2024, 6, 30, 2, 0, tzinfo=UTC)):
        async with s.rights.runtime.db.transaction() as session:
            right = (
                await session.exec(select(Right).where(Right.mine_name == CLOSED_GRANITE))
            ).one()
            await rights_service.change_status(
                session=session, right=right, to=RightStatus.closed, actor="test", reason="closure"
            )

    async with s.greenmine.runtime.db.transaction() as session:
        await GREENMINE.seed(session)
    oilfield = green_grant(mine_name=OILFIELD, holder_name=PETROCHINA, reference=True)
    await deliver_to_greenmine(s.greenmine, oilfield)
    await deliver_to_greenmine(
        s.greenmine,
        MineClosed(
            right_id=oilfield.right_id,
            holder_id=oilfield.holder_id,
            licence_no=oilfield.licence_no,
            status="closed",
            closed_at=datetime(2024, 5, 10, 2, 0, tzinfo=UTC),
        ),
    )

    restoration = s.restoration
    async with restoration.runtime.db.transaction() as session:
        await RESTORATION.seed(session)
    admin = restoration.auth(Role.bureau_admin)
    sites = (await restoration.client.get("/legacy-sites", headers=admin)).json()["items"]
    sites.sort(key=lambda site: site["code"])
    for site, day, hectares in zip(
        sites, ("2020-10-01", "2023-09-30", "2024-09-30"), ("30", "12", "40"), strict=False
    ):
        body = {"legacy_site_id": site["id"], "passed": True, "accepted_area_ha": hectares,
                "inspected_on": day}  # fmt: skip
        response = await restoration.client.post("/acceptances", json=body, headers=admin)
        assert response.status_code == 201, response.text
    mine = await grant_in_restoration(restoration)
    body = {"right_id": mine["right_id"], "passed": True, "accepted_area_ha": "20",
            "inspected_on": "2022-06-30"}  # fmt: skip
    assert (await restoration.client.post("/acceptances", json=body, headers=admin)).is_success
    for year, occupied, restored in ((2022, "10", "8"), (2023, "10", "10")):
        response = await restoration.client.put(
            f"/land-balance/{mine['right_id']}/{year}",
            json={"occupied_ha": occupied, "restored_ha": restored},
            headers=admin,
        )
        assert response.is_success, response.text

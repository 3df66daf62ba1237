"""The register the mix works on, made before it starts: holders registered and mining rights
entered through rights-api's HTTP API (so every service learns them over Kafka: a fund opened in
restoration-api, an obliged mine in greenmine-api, deadlines at the notifier), the register
filled to thousands of rights in one statement as bench/rights_admission.py does, the
evaluation organisation, inspectors' assignments and the holders' inbox subscriptions.
Returns what the Locust users need: service URLs, tokens and ids."""

import asyncio
import random
from typing import Any

import asyncpg
from devkit.testing import eventually
from servicekit.auth import Role

from bench.rights_admission import FILL
from tests.e2e.system import SERVICES, System
from tests.e2e.workload import granite_quarry
from tests.greenmine_api.support import TEAM, prerequisites, scores
from tests.rights_api.support import SCJ001, mining_request
from tests.samples import credit_code

HOLDERS = 20
RIGHTS_PER_HOLDER = 10  # through the API: each opens a fund, an obliged mine, deadlines
FILLED = 3000  # in one statement: the register's bulk, for reads and the overlap search
EVALUATOR = "nmg-lvkuang-pinggu"
INSPECTOR = "inspector-batu"


def ok(response, status: int = 200) -> Any:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url.path}: "
        f"{response.status_code} {response.text}"
    )
    return response.json()


def right_body(holder_id: str, holder: int, serial: int) -> dict:
    return granite_quarry(
        holder_id,
        licence_no=f"C1525{holder:06d}{serial:012d}",
        mine_name=f"二连浩特市负载{holder}号矿业{serial}号建筑用花岗岩矿",
    )


async def seed(system: System, dsns: dict[str, str]) -> dict:
    admin = system.auth(Role.bureau_admin, subject="bench-admin")
    blocks = await raise_caps(system, admin)
    holders: list[str] = []
    for index in range(HOLDERS):
        body = {"credit_code": credit_code(70000 + index), "name": f"二连浩特市负载矿业{index}"}
        holders.append(
            ok(await system.call("rights", "POST", "/holders", json=body, headers=admin), 201)["id"]
        )

    async def enter(holder: int, serial: int) -> tuple[str, str]:
        body = right_body(holders[holder], holder, serial)
        response = await system.call("rights", "POST", "/rights", json=body, headers=admin)
        return holders[holder], ok(response, 201)["id"]

    mines: list[tuple[str, str]] = []
    for holder in range(HOLDERS):
        mines += await asyncio.gather(
            *(enter(holder, serial) for serial in range(RIGHTS_PER_HOLDER))
        )

    conn = await asyncpg.connect(dsns["rights"])
    try:
        await conn.execute("SELECT setseed(0.2026)")
        await conn.execute(FILL, holders[0], FILLED)
        for block in blocks:  # the planned blocks stay free, as the plan keeps them
            ring = block["boundary"]["coordinates"][0]
            lons, lats = [p[0] for p in ring], [p[1] for p in ring]
            await conn.execute(
                "DELETE FROM rights WHERE mine_name LIKE 'bench %' AND max_lon >= $1"
                " AND min_lon <= $2 AND max_lat >= $3 AND min_lat <= $4",
                min(lons) - 0.01,
                max(lons) + 0.01,
                min(lats) - 0.01,
                max(lats) + 0.01,
            )
        await conn.execute("VACUUM ANALYZE rights")
        sample = [str(r["id"]) for r in await conn.fetch("SELECT id FROM rights LIMIT 2000")]
        total = await conn.fetchval("SELECT count(*) FROM rights")
    finally:
        await conn.close()

    known = ok(await system.call("greenmine", "GET", "/evaluators"))["items"]
    if not any(o["id"] == EVALUATOR for o in known):
        evaluator = {
            "id": EVALUATOR,
            "name": "内蒙古绿矿评估有限公司",
            "credit_code": "91150100MA0N8XYZ1A",
        }
        ok(
            await system.call("greenmine", "POST", "/evaluators", json=evaluator, headers=admin),
            201,
        )

    for _, right_id in mines:
        body = {"inspector": INSPECTOR, "right_id": right_id}
        ok(
            await system.call("rights", "POST", "/inspector-assignments", json=body, headers=admin),
            201,
        )

    for index, holder_id in enumerate(holders):
        staff = system.auth(Role.enterprise, holder_id=holder_id, subject=f"staff-{index}")
        body = {"name": f"负载矿业{index} 安全环保部", "channel": "inbox"}
        ok(await system.call("notifier", "POST", "/subscriptions", json=body, headers=staff), 201)

    funds: dict[str, str] = {}

    async def every_fund_open() -> bool:
        cursor = None
        while True:
            params = {"kind": "mine", "limit": 200} | ({"cursor": cursor} if cursor else {})
            page = ok(
                await system.call("restoration", "GET", "/funds", params=params, headers=admin)
            )
            funds.update({f["right_id"]: f["id"] for f in page["items"] if f["status"] == "open"})
            if not (cursor := page["next_cursor"]):
                break
        return all(right_id in funds for _, right_id in mines)

    await eventually(every_fund_open, timeout=300, interval=2, what="every seeded fund open")
    await settled(dsns)

    return {
        "urls": {name: system.running(name)[0].url for name in SERVICES},
        "tokens": {
            "admin": admin,
            "reviewer": system.auth(Role.bureau_reviewer, subject="bench-reviewer"),
            "inspector": system.auth(Role.inspector, subject=INSPECTOR),
            "evaluator": system.auth(Role.evaluator, org_id=EVALUATOR, subject="bench-evaluator"),
            "enterprise": {
                holder_id: system.auth(Role.enterprise, holder_id=holder_id, subject=f"staff-{i}")
                for i, holder_id in enumerate(holders)
            },
        },
        "holders": holders,
        "mines": [
            {"holder_id": holder_id, "right_id": right_id, "fund_id": funds[right_id]}
            for holder_id, right_id in mines
        ],
        "rights": sample,
        "blocks": [block["id"] for block in blocks],
        "evaluator": EVALUATOR,
        "evaluation": {"scores": scores("0.82"), "prerequisites": prerequisites(), "team": TEAM},
        "checks": [check_body(random.Random(n), random.choice(holders)) for n in range(100)],
        "summary": {
            "holders": HOLDERS,
            "rights_through_api": len(mines),
            "rights_in_register": total,
        },
    }


async def raise_caps(system: System, admin: dict[str, str]) -> list[dict]:
    """The plan's mine caps (专栏二, 专栏四: four small mines in all) raised in place, as a
    规划调整 may: a register of thousands of live rights is far past them, and every offering and
    admission check would otherwise be refused on the caps alone."""
    current = await system.call("rights", "GET", "/plan-editions/current")
    edition = ok(current)
    big = 1_000_000
    small = edition["small_mine_cap"] | {"max_mines": big}
    caps = [
        cap
        | {"max_mines": big}
        | ({"max_output": cap["max_output"] | {"value": str(big)}} if cap.get("max_output") else {})
        for cap in edition["mine_caps"]
    ]
    headers = admin | {"If-Match": current.headers["ETag"]}
    body = {"small_mine_cap": small, "mine_caps": caps}
    ok(
        await system.call(
            "rights", "PATCH", f"/plan-editions/{edition['id']}", json=body, headers=headers
        )
    )
    return edition["planned_blocks"]


def check_body(rng: random.Random, holder_id: str) -> dict:
    """An enterprise's new granite mine near SCJ001, for the admission check's dry run."""
    at = (SCJ001[0] + rng.uniform(-0.01, 0.01), SCJ001[1] + rng.uniform(-0.01, 0.01))
    return mining_request(holder_id, at=at, area=0.1)


async def settled(dsns: dict[str, str]) -> None:
    """Every outbox sent (the seeding's events on their way), so the mix starts clean."""

    async def empty() -> bool:
        for dsn in dsns.values():
            conn = await asyncpg.connect(dsn)
            try:
                if await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL"):
                    return False
            finally:
                await conn.close()
        return True

    await eventually(empty, timeout=300, interval=1, what="every outbox sent")
    await asyncio.sleep(5)  # and consumed

"""What people do with the system, as steps over HTTP: each step is a plain async function over
a started ``System``, acts as the role that does it in real life (a holder's enterprise token,
the bureau's reviewer, an evaluator of its organisation...), and checks what the step must
have changed in every service it reaches. What travels over Kafka is awaited with
``eventually``; nothing here reads a database (``tests.e2e.audit`` does, for the final check).
"""

import json
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from devkit.testing import eventually
from greenmine_api.calendar_months import add_months
from servicekit.auth import Role

from tests.e2e.system import System
from tests.greenmine_api.support import TEAM, prerequisites, scores
from tests.rights_api.support import SCJ001, mining_request
from tests.samples import credit_code

SHANGHAI = ZoneInfo("Asia/Shanghai")
KAFKA = 60  # seconds an event may take from one service's commit to another's (2 busy cores)

# The mines of 专栏一 that rights-api's seed loads (mineadmin seed), by name.
OILFIELD = "内蒙古二连盆地包尔-吉格森油田开采"
GRANITE_NO2 = "二连浩特市乌希根楚二号建筑用花岗岩矿"  # producing, city-licensed
BEISHAN = "二连浩特市乌希根楚北山建筑用花岗岩矿"  # suspended, closure in progress

EVALUATOR_ORG = "nmg-lvkuang-pinggu"


@dataclass
class Mine:
    """A mining right as the journeys follow it across the services."""

    right_id: str
    holder_id: str
    name: str

    @property
    def user(self) -> str:
        """The token subject of the holder's staff member who reads the inbox."""
        return f"staff-of-{self.holder_id}"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url.path}: "
        f"{response.status_code} {response.text}"
    )
    return response.json()


def today() -> date:
    return datetime.now(SHANGHAI).date()


def at(day: date, hour: int = 10) -> str:
    """A moment of a local day, as ``run_job(now=)`` takes it."""
    return datetime.combine(day, time(hour), SHANGHAI).isoformat()


def enterprise(system: System, mine: Mine) -> dict[str, str]:
    return system.auth(Role.enterprise, holder_id=mine.holder_id, subject=mine.user)


# --- reading each service's state -----------------------------------------------------------


async def right(system: System, right_id: str) -> dict:
    return ok(
        await system.call(
            "rights", "GET", f"/rights/{right_id}", headers=system.auth(Role.bureau_reviewer)
        )
    )


async def seeded_mine(system: System, name: str) -> Mine:
    rights = ok(
        await system.call(
            "rights", "GET", "/rights", params={"limit": 50}, headers=system.auth(Role.inspector)
        )
    )["items"]
    [found] = [r for r in rights if r["mine_name"] == name]
    return Mine(found["id"], found["holder_id"], name)


async def fund(system: System, right_id: str) -> dict | None:
    response = await system.call(
        "restoration",
        "GET",
        "/funds",
        params={"right_id": right_id},
        headers=system.auth(Role.bureau_admin),
    )
    items = ok(response)["items"]
    assert len(items) <= 1, f"more than one fund for right {right_id}: {items}"
    return items[0] if items else None


async def fund_in(system: System, right_id: str, status: str) -> dict:
    async def probe():
        current = await fund(system, right_id)
        return current if current and current["status"] == status else None

    return await eventually(probe, timeout=KAFKA, what=f"the fund of {right_id} {status}")


async def listing(system: System, right_id: str) -> dict | None:
    """The mine's listing on the public green-mine list, with its detail."""
    items = ok(await system.call("greenmine", "GET", "/listings", params={"limit": 100}))["items"]
    mine = [i for i in items if i["right_id"] == right_id]
    assert len(mine) <= 1, f"more than one listing for right {right_id}: {mine}"
    if not mine:
        return None
    return ok(await system.call("greenmine", "GET", f"/listings/{mine[0]['id']}"))


async def listing_in(system: System, right_id: str, status: str) -> dict:
    async def probe():
        current = await listing(system, right_id)
        return current if current and current["status"] == status else None

    return await eventually(probe, timeout=KAFKA, what=f"the listing of {right_id} {status}")


async def deadlines(system: System, right_id: str, state: str | None = None) -> list[dict]:
    params = {"subject": right_id, "limit": 200} | ({"state": state} if state else {})
    response = await system.call(
        "notifier", "GET", "/deadlines", params=params, headers=system.auth(Role.bureau_admin)
    )
    return ok(response)["items"]


async def deadline(system: System, deadline_id: str, state: str) -> dict:
    """The notifier's deadline once it is in ``state``."""

    async def probe():
        response = await system.call(
            "notifier",
            "GET",
            f"/deadlines/{deadline_id}",
            headers=system.auth(Role.bureau_admin),
        )
        if response.status_code == 404:
            return None
        found = ok(response)
        return found if found["state"] == state else None

    return await eventually(probe, timeout=KAFKA, what=f"deadline {deadline_id} {state}")


async def deadline_of_kind(system: System, right_id: str, kind: str) -> dict:
    """The notifier's one deadline of ``kind`` about the right, once it has learnt it."""

    async def probe():
        found = [d for d in await deadlines(system, right_id) if d["kind"] == kind]
        assert len(found) <= 1, f"more than one {kind} deadline: {found}"
        return found[0] if found else None

    return await eventually(probe, timeout=KAFKA, what=f"a {kind} deadline of {right_id}")


# --- rights-api -----------------------------------------------------------------------------


async def register_holder(system: System, serial: int, name: str) -> str:
    holder = ok(
        await system.call(
            "rights",
            "POST",
            "/holders",
            json={"credit_code": credit_code(serial), "name": name},
            headers=system.auth(Role.bureau_admin),
        ),
        201,
    )
    assert holder["name"] == name
    return holder["id"]


def new_granite_mine(holder_id: str, name: str) -> dict:
    """The plan's own example: 10万m³/年, open pit, 0.15 km² in SCJ001, every document."""
    return mining_request(holder_id, at=SCJ001, area=0.15, mine_name=name)


async def file_application(system: System, holder_id: str, body: dict) -> httpx.Response:
    return await system.call(
        "rights",
        "POST",
        "/applications",
        json=body,
        headers=system.auth(Role.enterprise, holder_id=holder_id),
    )


async def check(system: System, holder_id: str, body: dict) -> dict:
    """The admission rules' dry run (nothing written)."""
    return ok(
        await system.call(
            "rights",
            "POST",
            "/applications/check",
            json=body,
            headers=system.auth(Role.enterprise, holder_id=holder_id),
        )
    )


async def approve(system: System, application_id: str, reason: str) -> dict:
    return ok(
        await system.call(
            "rights",
            "POST",
            f"/applications/{application_id}/approve",
            json={"reason": reason},
            headers=system.auth(Role.bureau_reviewer),
        )
    )


async def grant_new_mine(system: System, holder_id: str, name: str) -> Mine:
    """The holder applies for a new granite mine in SCJ001; the reviewer approves; the right is
    granted and every service learns it."""
    application = ok(
        await file_application(system, holder_id, new_granite_mine(holder_id, name)), 201
    )
    assert application["status"] == "filed"
    review = application["review_deadline"]
    assert review["id"] == f"rights:application:{application['id']}:review"
    await deadline(system, review["id"], "open")  # the reviewers are reminded of it

    decided = await approve(system, application["id"], "符合规划准入条件，予以批准")
    assert decided["status"] == "approved" and decided["right_id"]
    mine = Mine(decided["right_id"], holder_id, name)
    granted = await right(system, mine.right_id)
    assert granted["status"] == "under_construction"
    assert granted["zone"] == "SCJ001" and granted["holder_id"] == holder_id
    assert granted["licence_no"].startswith("C152501")
    await deadline(system, review["id"], "met")

    opened = await fund_in(system, mine.right_id, "open")
    assert opened["holder_id"] == holder_id
    assert opened["balances"] == {
        "required": "0.00",
        "deposited": "0.00",
        "spent": "0.00",
        "refunded": "0.00",
        "available": "0.00",
        "shortfall": "0.00",
    }
    expiry = await deadline(system, f"licence-expiry:{mine.right_id}", "open")
    assert expiry["due_at"] == granted["valid_to"]
    return mine


async def close_mine(system: System, mine: Mine, *, holder: dict[str, str] | None = None) -> None:
    """The reference saga: closure application → closure case → closure plan → acceptance of
    the closure restoration → release → approval → the mine closed, and every service follows.
    The mine's own listing and deadlines are checked by the caller, who knows what it had."""
    holder = holder or system.auth(Role.enterprise, holder_id=mine.holder_id)
    filed = ok(
        await system.call(
            "rights",
            "POST",
            "/applications",
            json={
                "kind": "closure",
                "right_id": mine.right_id,
                "reason": f"{mine.name}开采结束，申请闭坑",
                "documents": ["restoration_plan"],
            },
            headers=holder,
        ),
        201,
    )
    assert filed["waiting_for"]["event"] == "restoration.acceptance.passed"
    assert (await right(system, mine.right_id))["status"] == "closing"
    early = await system.call(
        "rights",
        "POST",
        f"/applications/{filed['id']}/approve",
        json={"reason": "未验收"},
        headers=system.auth(Role.bureau_reviewer),
    )
    assert early.status_code == 409, early.text  # not before the restoration is accepted

    staff = system.auth(Role.bureau_admin)

    async def case():
        response = await system.call(
            "restoration",
            "GET",
            "/closure-cases",
            params={"right_id": mine.right_id},
            headers=staff,
        )
        cases = ok(response)["items"] if response.status_code == 200 else []
        return [c for c in cases if c["application_id"] == filed["id"]]

    [opened] = await eventually(case, timeout=KAFKA, what=f"closure case of {mine.name}")
    assert opened["status"] == "open"
    ok(
        await system.call(
            "restoration",
            "POST",
            "/plans",
            json={
                "right_id": mine.right_id,
                "kind": "closure",
                "title": f"{mine.name}闭坑地质环境恢复治理方案",
                "estimated_cost": "80000.00",
                "area_ha": "3.00",
                "schedule": [{"year": today().year, "cost": "80000.00", "area_ha": "3.00"}],
            },
            headers=staff,
        ),
        201,
    )
    accepted = ok(
        await system.call(
            "restoration",
            "POST",
            "/acceptances",
            json={
                "right_id": mine.right_id,
                "closure": True,
                "passed": True,
                "accepted_area_ha": "3.00",
                "inspected_on": today().isoformat(),
            },
            headers=system.auth(Role.inspector),
        ),
        201,
    )
    [decided] = await case()
    assert decided["status"] == "passed" and decided["acceptance_id"] == accepted["id"]

    url = f"/applications/{filed['id']}"

    async def released():
        body = ok(
            await system.call("rights", "GET", url, headers=system.auth(Role.bureau_reviewer))
        )
        return body if body["waiting_for"] is None else None

    await eventually(released, timeout=KAFKA, what=f"rights-api released {mine.name}'s closure")
    assert (await approve(system, filed["id"], "闭坑治理恢复已验收"))["status"] == "approved"
    assert (await right(system, mine.right_id))["status"] == "closed"
    closed = await fund_in(system, mine.right_id, "closed")
    assert closed["closed_at"] is not None

    async def none_open():
        return not await deadlines(system, mine.right_id, "open")

    await eventually(none_open, timeout=KAFKA, what=f"no open deadline left for {mine.name}")


# --- restoration-api: the fund ---------------------------------------------------------------

RULES_2026 = {  # what the bureau loads for the year (the seeded set ends with 2025)
    "code": f"erenhot-{today().year}",
    "name": f"{today().year}年度矿山地质环境治理恢复基金提取标准（示意）",
    "effective_from": f"{today().year}-01-01",
    "effective_to": f"{today().year}-12-31",
    "base_rates": {"construction_granite": "5000.00"},
    "method_factors": {"open_pit": "1.2", "underground": "0.8"},
    "land_type_factors": {"grassland": "1.5", "bare_land": "1.0"},
    "region_factors": {"erenhot": "1.1"},
}


async def transfer(system: System, fund_id: str, kind: str, amount: str, **extra) -> dict:
    body = {"id": str(uuid.uuid4()), "kind": kind, "amount": amount, **extra}
    posted = ok(
        await system.call(
            "restoration",
            "POST",
            f"/funds/{fund_id}/transfers",
            json=body,
            headers=system.auth(Role.bureau_admin),
        ),
        201,
    )
    assert posted["kind"] == kind
    return posted


async def finance(system: System, mine: Mine) -> dict:
    """Accrual on this year's output, the holder's deposit, spending on a restoration work.
    Only restoration-api is involved: these writes need no broker (their events wait in the
    outbox). Returns the fund."""
    staff = system.auth(Role.bureau_admin)
    rules = await system.call(
        "restoration", "POST", "/accrual-rule-sets", json=RULES_2026, headers=staff
    )
    assert rules.status_code in (201, 409), rules.text  # one rule set per period
    current = await fund(system, mine.right_id)
    fund_id = current["id"]
    accrual = ok(
        await system.call(
            "restoration",
            "POST",
            f"/funds/{fund_id}/accruals",
            json={
                "year": today().year,
                "output": "10",
                "land_type": "grassland",
                "region": "erenhot",
            },
            headers=staff,
        ),
        201,
    )
    # 10 (万m³) × 5000 × 1.2 (open pit) × 1.5 (grassland) × 1.1 (Erenhot) = 99000
    assert accrual["posted"] == "99000.00"
    assert (await fund(system, mine.right_id))["balances"]["shortfall"] == "99000.00"

    await transfer(system, fund_id, "deposit", "99000.00")
    work = ok(
        await system.call(
            "restoration",
            "POST",
            "/works",
            json={
                "right_id": mine.right_id,
                "name": f"{mine.name} 采场边坡削坡及覆土绿化",
                "area_ha": "1.20",
                "estimated_cost": "30000.00",
                "year": today().year,
            },
            headers=staff,
        ),
        201,
    )
    await transfer(system, fund_id, "expenditure", "30000.00", work_id=work["id"])
    after = await fund(system, mine.right_id)
    assert after["balances"] == {
        "required": "99000.00",
        "deposited": "99000.00",
        "spent": "30000.00",
        "refunded": "0.00",
        "available": "69000.00",
        "shortfall": "0.00",
    }
    verified = ok(
        await system.call("restoration", "GET", f"/funds/{fund_id}/verify", headers=staff)
    )
    assert verified["ok"] is True, verified
    return after


# --- greenmine-api: the list -----------------------------------------------------------------


async def register_evaluator(system: System, org: str = EVALUATOR_ORG) -> None:
    known = ok(await system.call("greenmine", "GET", "/evaluators"))["items"]
    if any(o["id"] == org for o in known):
        return
    ok(
        await system.call(
            "greenmine",
            "POST",
            "/evaluators",
            json={"id": org, "name": "内蒙古绿矿评估有限公司", "credit_code": "91150100MA0N8XYZ1A"},
            headers=system.auth(Role.bureau_admin),
        ),
        201,
    )


async def apply_green(system: System, mine: Mine) -> dict:
    """The holder's entry application, once greenmine-api has learnt of the mine."""

    async def filed():
        response = await system.call(
            "greenmine",
            "POST",
            "/applications",
            json={"right_id": mine.right_id, "kind": "entry"},
            headers=enterprise(system, mine),
        )
        if response.status_code == 201:
            return response.json()
        assert response.status_code in (404, 409, 422), response.text  # mine not known yet
        return None

    application = await eventually(filed, timeout=KAFKA, what=f"green application of {mine.name}")
    assert application["status"] == "filed"
    return application


async def evaluate(system: System, application: dict, org: str = EVALUATOR_ORG) -> dict:
    """The bureau assigns the registered organisation; its evaluators score the mine (820 of
    1000 points, every prerequisite met) and upload the report."""
    ok(
        await system.call(
            "greenmine",
            "POST",
            f"/applications/{application['id']}/assignment",
            json={"org_id": org},
            headers=system.auth(Role.bureau_admin),
        )
    )
    evaluated = ok(
        await system.call(
            "greenmine",
            "POST",
            f"/applications/{application['id']}/evaluation",
            data={
                "evaluation": json.dumps(
                    {"scores": scores("0.82"), "prerequisites": prerequisites(), "team": TEAM}
                )
            },
            files={"report": ("评估报告.pdf", b"%PDF-1.7 evaluation report", "application/pdf")},
            headers=system.auth(Role.evaluator, org_id=org),
        ),
        201,
    )
    assert evaluated["status"] == "passed"
    assert Decimal(evaluated["evaluation"]["result"]["total"]) == 820
    return evaluated


async def publicise_and_list(system: System, mine: Mine, application: dict) -> dict:
    """Five working days of publicity from today; the hourly job, run as of the day after it
    ends, lists the mine. Returns the listing."""
    publicity = ok(
        await system.call(
            "greenmine",
            "POST",
            f"/applications/{application['id']}/publicity",
            json={"starts_on": today().isoformat()},
            headers=system.auth(Role.bureau_admin),
        ),
        201,
    )
    assert await listing(system, mine.right_id) is None  # not before the publicity ends
    day_after = date.fromisoformat(publicity["ends_on"]) + timedelta(days=1)
    assert await system.run_job("greenmine", "close_publicities", now=at(day_after)) == 1
    listed = await listing(system, mine.right_id)
    assert listed["status"] == "listed" and not listed["benefits_suspended"]
    entry = date.fromisoformat(listed["entry_date"])
    assert listed["next_review_due"] == add_months(entry, 36).isoformat()
    return listed


async def review_reminder(system: System, mine: Mine, listed: dict) -> dict:
    """The review application is due 6 months before the third anniversary; a staff member of
    the holder subscribed the inbox; the notifier's sweep, run as of 29 days before, puts the
    30-day reminder in that inbox. Returns the deadline."""
    due = add_months(date.fromisoformat(listed["entry_date"]), 30)

    review = await deadline_of_kind(system, mine.right_id, "green_mine_review")
    assert review["state"] == "open"
    assert review["due_at"] == due.isoformat()
    ok(
        await system.call(
            "notifier",
            "POST",
            "/subscriptions",
            json={"name": f"{mine.name} 安全环保部", "channel": "inbox"},
            headers=enterprise(system, mine),
        ),
        201,
    )
    await system.run_job("notifier", "reminder-sweep", now=at(due - timedelta(days=29), 12))
    inbox = ok(await system.call("notifier", "GET", "/inbox", headers=enterprise(system, mine)))
    [reminder] = [i for i in inbox["items"] if i["deadline_id"] == review["id"]]
    assert reminder["stage"] == "reminder" and reminder["read"] is False
    assert mine.name in reminder["title"]
    return review


# --- the whole life -------------------------------------------------------------------------


async def life_of_a_mine(
    system: System, *, outage: Callable[[], AbstractAsyncContextManager] | None = None
) -> Mine:
    """From a new holder to a closed mine, through all four services.

    ``outage``: an async context manager entered around the steps that touch one service only
    (the fund's postings, the green-mine application and evaluation), e.g. the broker stopped:
    they must go on answering while events wait in the outbox.
    """
    holder_id = await register_holder(system, 9001, "二连浩特市乌希根楚新材料有限公司")
    name = "二连浩特市乌希根楚五号建筑用花岗岩矿"
    # The plan's caps are full (3 granite mines, 4 small city mines): 北山's closure, in
    # progress since 2020, must complete before a new granite mine can pass (第二章第三节).
    refused = await check(system, holder_id, new_granite_mine(holder_id, name))
    assert {v["code"]: v["clause"] for v in refused["violations"]} == {
        "city_mine_cap": "第二章第三节, 专栏二",
        "mine_count_cap": "第四章第二节, 专栏四",
    }
    await close_mine(system, await seeded_mine(system, BEISHAN))
    assert (await check(system, holder_id, new_granite_mine(holder_id, name)))["passed"]

    mine = await grant_new_mine(system, holder_id, name)
    await register_evaluator(system)
    application = await apply_green(system, mine)  # greenmine-api learnt the grant

    async with outage() if outage else nullcontext():
        await finance(system, mine)
        await evaluate(system, application)

    # after the postings: the shortfall noticed by the accrual was met by the deposit
    shortfall = await deadline_of_kind(system, mine.right_id, "fund_shortfall")
    await deadline(system, shortfall["id"], "met")

    listed = await publicise_and_list(system, mine, application)
    review = await review_reminder(system, mine, listed)
    open_before = {d["id"] for d in await deadlines(system, mine.right_id, "open")}
    assert {review["id"], f"licence-expiry:{mine.right_id}"} <= open_before

    await close_mine(system, mine)
    gone = await listing_in(system, mine.right_id, "delisted")
    assert gone["exit_notice"]["reason"] == "mine_closed"
    assert gone["exit_notice"]["number"].startswith(f"二自然资绿退〔{today().year}〕")
    cancelled = {d["id"] for d in await deadlines(system, mine.right_id, "cancelled")}
    assert open_before <= cancelled
    closed = await fund(system, mine.right_id)
    assert closed["balances"]["available"] == "69000.00"  # the rest may now be refunded
    return mine


async def transfer_right(system: System, mine: Mine, buyer_id: str) -> Mine:
    """The holder transfers the right (转让); the bureau approves; the right changes hands."""
    filed = ok(
        await file_application(
            system,
            mine.holder_id,
            {"kind": "transfer", "right_id": mine.right_id, "to_holder_id": buyer_id},
        ),
        201,
    )
    assert (await approve(system, filed["id"], "转让手续齐全，予以备案"))["status"] == "approved"
    moved = await right(system, mine.right_id)
    assert moved["holder_id"] == buyer_id
    history = ok(
        await system.call(
            "rights",
            "GET",
            f"/rights/{mine.right_id}/history",
            headers=system.auth(Role.bureau_admin),
        )
    )["items"]
    assert history[-1]["action"] == "transferred"
    assert history[-1]["changes"] == {"holder_id": [mine.holder_id, buyer_id]}
    return Mine(mine.right_id, buyer_id, mine.name)

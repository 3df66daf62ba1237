"""The fault tests' workload: mining rights entered in the bureau's register through rights-api,
and the check that the whole system then holds each of them exactly once.

Each granted mining right must end as: one right in rights-api's register, one open fund in
restoration-api, one mine obliged to reach the green standard in greenmine-api, its three
deadlines at the notifier (licence expiry, next year's mining plan, this year's reserve report),
and in the notifier's journal each event once (a handler that ran twice writes two entries).
restoration-api's annual-obligations job adds two deadlines per mine (this year's restoration
plan, last year's report); it runs when the process starts and every six hours, so the check
runs it once more when every fund is open, to make the expected state the same every time.
Every outbox sent, every consumer caught up, no dead letter but the ones a test planted.
"""

import asyncio
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx
from devkit.testing import eventually
from servicekit.auth import Role

from tests.e2e.system import SERVICES, System
from tests.samples import credit_code

DEADLINE_KINDS = [
    "annual_mining_plan",
    "annual_restoration_plan",
    "annual_restoration_report",
    "licence_expiry",
    "reserve_verification",
]
EVENTS_PER_RIGHT = {"rights.right.granted": 1, "rights.filing.required": 2}
RETRYABLE = {502, 503, 504}


def granite_quarry(holder_id: str, *, licence_no: str, mine_name: str) -> dict:
    """The body of ``POST /rights`` for a producing granite quarry in zone SCJ001, licensed from
    2020-01-01 to 2030-12-31: the fault tests' rights and the bench mix's seeded ones."""
    return {
        "licence_no": licence_no,
        "kind": "mining",
        "holder_id": holder_id,
        "mine_name": mine_name,
        "mineral": "construction_granite",
        "area_km2": "0.0386",
        "scale": {"value": "6", "unit": "10k_m3_per_year"},
        "method": "open_pit",
        "status": "producing",
        "valid_from": "2020-01-01",
        "valid_to": "2030-12-31",
        "zone": "SCJ001",
    }


@dataclass
class Workload:
    system: System
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    holder_id: str | None = None
    rights: dict[int, str] = field(default_factory=dict)  # serial → right id
    letters_before: dict[str, set[int]] = field(default_factory=dict)  # dead letters at begin

    admin: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        # one caller throughout: an Idempotency-Key is scoped to the token's subject
        self.admin = self.system.auth(Role.bureau_admin, subject=f"faults-admin-{self.tag}")

    async def post(self, service: str, path: str, body: dict, key: str) -> httpx.Response:
        """A client's POST: same Idempotency-Key on every try, retried while the service is
        down or answers 502-504, so an attempt cut by a fault never has a second effect."""
        deadline = time.monotonic() + 60
        while True:
            try:
                response = await self.system.call(
                    service, "POST", path, json=body, headers=self.admin | {"Idempotency-Key": key}
                )
                if response.status_code not in RETRYABLE:
                    return response
            except (httpx.TransportError, AssertionError):  # AssertionError: no process up
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"POST {service}{path} ({key}) failed for 60 s")
            await asyncio.sleep(0.5)

    async def begin(self) -> "Workload":
        """Note the dead letters already there (other tests' plantings), register the holder."""
        for service in SERVICES:
            letters = await self.items(service, "/admin/dead-letters")
            self.letters_before[service] = {d["id"] for d in letters}
        await self.register_holder()
        return self

    async def register_holder(self) -> str:
        response = await self.post(
            "rights",
            "/holders",
            {
                "credit_code": credit_code(int(self.tag, 16) % 10**8),
                "name": f"故障测试矿业{self.tag}",
            },
            key=f"holder-{self.tag}",
        )
        assert response.status_code == 201, response.text
        self.holder_id = response.json()["id"]
        return self.holder_id

    def right_body(self, serial: int) -> dict:
        return granite_quarry(
            self.holder_id,
            licence_no=f"C1525{int(self.tag, 16) % 10**6:06d}{serial:012d}",
            mine_name=f"二连浩特市故障测试{self.tag}号{serial}建筑用花岗岩矿",
        )

    async def grant(self, serial: int) -> str:
        """Enter one right in the register (retried through faults until rights-api answers)."""
        response = await self.post(
            "rights", "/rights", self.right_body(serial), key=f"right-{self.tag}-{serial}"
        )
        assert response.status_code == 201, response.text
        self.rights[serial] = response.json()["id"]
        return self.rights[serial]

    async def grant_all(self, serials: range) -> None:
        for serial in serials:
            await self.grant(serial)

    async def items(self, service: str, path: str, **params) -> list[dict]:
        """Every page of a list."""
        found, cursor = [], None
        while True:
            query = params | {"limit": 200} | ({"cursor": cursor} if cursor else {})
            response = await self.system.call(
                service, "GET", path, params=query, headers=self.admin
            )
            assert response.status_code == 200, f"{service} {path}: {response.text}"
            page = response.json()
            found += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                return found

    async def discrepancies(self, dead_letters: dict[str, int] | None = None) -> list[str]:
        """What differs from "every right exactly once, everything delivered"; empty when none."""
        expected = set(self.rights.values())
        wrong: list[str] = []

        def compare(what: str, found: Counter) -> None:
            missing = expected - set(found)
            doubled = {k: n for k, n in found.items() if n > 1}
            if missing or doubled or set(found) - expected:
                wrong.append(
                    f"{what}: {len(missing)} missing, doubled {doubled}, "
                    f"stray {set(found) - expected}"
                )

        registered = await self.items("rights", "/rights", holder_id=self.holder_id)
        compare("rights-api register", Counter(r["id"] for r in registered))

        funds = await self.funds()
        compare("restoration-api funds", Counter(f["right_id"] for f in funds))
        if closed := [f["right_id"] for f in funds if f["status"] != "open"]:
            wrong.append(f"restoration-api funds not open: {closed}")

        indicators = await self.system.call("greenmine", "GET", "/indicators", headers=self.admin)
        obliged = [m for m in indicators.json()["obliged"] if m["holder_id"] == self.holder_id]
        compare("greenmine-api obliged mines", Counter(m["right_id"] for m in obliged))

        deadlines = await self.items("notifier", "/deadlines", holder_id=self.holder_id)
        kinds: dict[str, list[str]] = {}
        for d in deadlines:
            kinds.setdefault(d["subject"], []).append(d["kind"])
            if d["state"] not in ("open", "overdue"):  # overdue: last year's report, by date
                wrong.append(f"notifier deadline {d['id']} is {d['state']}")
        compare("notifier deadline subjects", Counter(set(kinds)))
        if odd := {s: k for s, k in kinds.items() if sorted(k) != DEADLINE_KINDS}:
            wrong.append(f"notifier deadlines other than {DEADLINE_KINDS}: {odd}")

        journal = await self.items("notifier", "/admin/received-events")
        if twice := {e for e, n in Counter(e["event_id"] for e in journal).items() if n > 1}:
            wrong.append(f"notifier journal: events applied twice {twice}")
        for event_type, per_right in EVENTS_PER_RIGHT.items():
            per_subject = Counter(e["subject"] for e in journal if e["type"] == event_type)
            seen = Counter({s: per_subject[s] for s in expected if per_subject[s]})
            if (missing := expected - set(seen)) or any(n != per_right for n in seen.values()):
                wrong.append(
                    f"notifier journal {event_type}: {len(missing)} rights missing, "
                    f"counts {sorted(set(seen.values()))} (want {per_right} each)"
                )

        wrong += await self.delivery_discrepancies(dead_letters or {})
        return wrong

    async def delivery_discrepancies(self, dead_letters: dict[str, int]) -> list[str]:
        """Every outbox sent, every consumer caught up, only the planted dead letters."""
        wrong = []
        for service in SERVICES:
            metrics = await self.metrics(service)
            if (backlog := gauge(metrics, "outbox_backlog")) != [0.0]:
                wrong.append(f"{service}: outbox backlog {backlog}")
            if any(gauge(metrics, "consumer_lag")):
                wrong.append(f"{service}: consumer lag {gauge(metrics, 'consumer_lag')}")
            letters = await self.new_dead_letters(service)
            if len(letters) != dead_letters.get(service, 0):
                wrong.append(f"{service}: dead letters {[d['error'] for d in letters]}")
        return wrong

    async def relayed(self, service: str) -> bool:
        """The service's outbox is empty: its relay published everything committed."""
        return gauge(await self.metrics(service), "outbox_backlog") == [0.0]

    async def metrics(self, service: str) -> str:
        """Its metrics, from the metrics port."""
        return await self.system.metrics(service)

    async def new_dead_letters(self, service: str) -> list[dict]:
        letters = await self.items(service, "/admin/dead-letters")
        return [d for d in letters if d["id"] not in self.letters_before.get(service, set())]

    async def funds(self) -> list[dict]:
        funds = await self.items("restoration", "/funds", kind="mine")
        return [f for f in funds if f["holder_id"] == self.holder_id]

    async def funds_complete(self) -> bool:
        return len(await self.funds()) >= len(self.rights)

    async def obligations_run(self) -> bool:
        return await self.job_run("restoration", "annual_obligations")

    async def job_run(self, service: str, job: str) -> bool:
        """The job now, on the real clock (as the startup run); False while another replica
        runs it."""
        response = await self.system.call(
            service, "POST", f"/admin/jobs/{job}/run", headers=self.admin
        )
        assert response.status_code in (200, 409), response.text
        return response.status_code == 200

    async def settled(self, *, timeout: float = 90, dead_letters: dict[str, int] | None = None):
        """Wait until the system holds every right exactly once; fail with what differs."""
        await eventually(self.funds_complete, timeout=timeout, interval=1, what="every fund opened")
        await eventually(self.obligations_run, timeout=30, what="annual obligations job run")
        last: list[str] = []

        async def probe() -> bool:
            nonlocal last
            last = await self.discrepancies(dead_letters)
            return not last

        try:
            await eventually(probe, timeout=timeout, interval=1, what="the settled system")
        except AssertionError:
            raise AssertionError(
                f"{len(self.rights)} rights granted; not settled after {timeout:.0f} s:\n"
                + "\n".join(last)
            ) from None


def gauge(metrics: str, name: str) -> list[float]:
    """The values of one metric in Prometheus text, across its label sets."""
    return [
        float(m.group(1))
        for m in re.finditer(rf"^{name}(?:{{[^}}]*}})? (\S+)$", metrics, flags=re.MULTILINE)
    ]

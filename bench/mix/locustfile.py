"""The whole-system mix for Locust (run by bench/whole_system.py, headless): one user class per
kind of caller, each paced as bench/mix/plan.py says. Every request is named
"<service> <METHOD> <route>", must answer its expected status (anything else is a failure), and
is written with its start time and latency to ``MIX_SAMPLES`` when the run ends, so the
orchestrator computes exact percentiles and latency over time itself.

Environment: ``MIX_DATA`` (the seeded ids, URLs and tokens), ``MIX_SAMPLES``, ``MIX_RUN``.
"""

import base64
import csv
import itertools
import json
import os
import random
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import gevent
from locust import HttpUser, constant_pacing, events, task

from bench.mix.plan import CLASSES

DATA = json.loads(open(os.environ["MIX_DATA"]).read())
SCJ001 = (111.68, 43.53)  # inside the demo zone SCJ001 (tests.rights_api.support)
URL = DATA["urls"]
TOKENS = DATA["tokens"]
MINES = DATA["mines"]
RIGHTS = DATA["rights"]
SAMPLES: list[tuple[float, str, float, int]] = []
LOCK = threading.Lock()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
TUS = {"Tus-Resumable": "1.0.0"}
# the green-mine workflow takes each mine once: the mix and each lone run take their own slice
GREEN_POOL = iter(MINES[int(os.environ.get("MIX_GREEN_FROM", "0")) :])
SERIALS = itertools.count(1)


@events.init.add_listener
def _clock(**_):
    # --run-time is a gevent timer counted from the event loop's cached time, which is as old
    # as the import of this file: without this a slow start shortens the run
    gevent.get_hub().loop.update_now()


@events.request.add_listener
def _sample(name, response_time, exception, start_time=None, **_):
    with LOCK:
        SAMPLES.append((start_time or 0.0, name, response_time, 0 if exception else 1))


@events.quitting.add_listener
def _write(**_):
    with open(os.environ["MIX_SAMPLES"], "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["start", "name", "ms", "ok"])
        writer.writerows(SAMPLES)


def today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


class Caller(HttpUser):
    abstract = True
    host = "http://127.0.0.1"

    def call(self, service: str, method: str, route: str, path: str, expect=200, **kwargs):
        """One request, failed unless it answers ``expect``; its JSON body, if any."""
        expected = expect if isinstance(expect, tuple) else (expect,)
        with self.client.request(
            method,
            URL[service] + path,
            name=f"{service} {method} {route}",
            catch_response=True,
            **kwargs,
        ) as response:
            if response.status_code not in expected:
                response.failure(f"{response.status_code}: {response.text[:300]}")
                return None
            response.success()
            if response.headers.get("content-type", "").startswith("application/json"):
                return response.json()
            return response


class PublicReader(Caller):
    """The public's reads: no token."""

    fixed_count = CLASSES["PublicReader"][0]
    wait_time = constant_pacing(CLASSES["PublicReader"][1])

    @task
    def zones(self):
        self.call("rights", "GET", "/zones", "/zones")

    @task
    def geojson(self):
        lon, lat = 111.36 + random.random(), 42.96 + random.random() * 0.7
        bbox = f"{lon:.4f},{lat:.4f},{lon + 0.1:.4f},{lat + 0.1:.4f}"
        self.call(
            "rights",
            "GET",
            "/rights.geojson",
            f"/rights.geojson?bbox={bbox}",
            headers=TOKENS["reviewer"],
        )

    @task
    def listings(self):
        self.call("greenmine", "GET", "/listings", "/listings?limit=50")

    @task
    def disclosure(self):
        mine = random.choice(MINES)
        self.call(
            "restoration", "GET", "/disclosures/{right_id}", f"/disclosures/{mine['right_id']}"
        )


class StaffReader(Caller):
    """Bureau reviewers at their desks."""

    fixed_count = CLASSES["StaffReader"][0]
    wait_time = constant_pacing(CLASSES["StaffReader"][1])

    @task(3)
    def right(self):
        self.call(
            "rights",
            "GET",
            "/rights/{id}",
            f"/rights/{random.choice(RIGHTS)}",
            headers=TOKENS["reviewer"],
        )

    @task(1)
    def register(self):
        self.call(
            "rights",
            "GET",
            "/rights",
            "/rights?limit=50&status=producing",
            headers=TOKENS["reviewer"],
        )


class AdmissionCheck(Caller):
    """Enterprises trying a ground against the admission rules (nothing written)."""

    fixed_count = CLASSES["AdmissionCheck"][0]
    wait_time = constant_pacing(CLASSES["AdmissionCheck"][1])

    @task
    def check(self):
        body = random.choice(DATA["checks"])
        holder_id = body["holder_id"]
        self.call(
            "rights",
            "POST",
            "/applications/check",
            "/applications/check",
            json=body,
            headers=TOKENS["enterprise"][holder_id],
        )


class Inspector(Caller):
    """An inspection made offline, synced, and its photo uploaded (tus 1.0)."""

    fixed_count = CLASSES["Inspector"][0]
    wait_time = constant_pacing(CLASSES["Inspector"][1])

    @task
    def inspect(self):
        mine = random.choice(MINES)
        client_id = uuid.uuid4()
        record = {
            "right_id": mine["right_id"],
            "inspected_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(timespec="seconds"),
            "inspector_name": "巴特尔",
            "working_face": [{"lon": SCJ001[0], "lat": SCJ001[1]}],
            "findings": "东帮采场作业面，挖掘机2台。",
        }
        headers = TOKENS["inspector"]
        if (
            self.call(
                "rights",
                "PUT",
                "/inspections/{id}",
                f"/inspections/{client_id}",
                201,
                json=record,
                headers=headers,
            )
            is None
        ):
            return
        photo = JPEG + os.urandom(200 * 1024)
        metadata = ",".join(
            f"{k} {base64.b64encode(v.encode()).decode()}"
            for k, v in {
                "filename": f"IMG_{next(SERIALS):04d}.jpg",
                "filetype": "image/jpeg",
            }.items()
        )
        created = self.call(
            "rights",
            "POST",
            "/inspections/{id}/photo-uploads",
            f"/inspections/{client_id}/photo-uploads",
            201,
            headers={
                **headers,
                **TUS,
                "Upload-Length": str(len(photo)),
                "Upload-Metadata": metadata,
            },
        )
        if created is None:
            return
        location = created.headers["Location"]
        path = location.split(URL["rights"], 1)[-1]
        self.call(
            "rights",
            "PATCH",
            "/inspections/{id}/photo-uploads/{upload}",
            path,
            204,
            data=photo,
            headers={
                **headers,
                **TUS,
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            },
        )


class FundPosting(Caller):
    """Deposits into the holders' restoration funds, each with its Idempotency-Key."""

    fixed_count = CLASSES["FundPosting"][0]
    wait_time = constant_pacing(CLASSES["FundPosting"][1])

    @task
    def deposit(self):
        mine = random.choice(MINES)
        body = {
            "id": str(uuid.uuid4()),
            "kind": "deposit",
            "amount": f"{random.randint(1, 900)}00.00",
        }
        self.call(
            "restoration",
            "POST",
            "/funds/{id}/transfers",
            f"/funds/{mine['fund_id']}/transfers",
            201,
            json=body,
            headers={**TOKENS["admin"], "Idempotency-Key": str(uuid.uuid4())},
        )


class GreenMine(Caller):
    """A mine applies for the green-mine list, the bureau assigns the evaluators, they score it."""

    fixed_count = CLASSES["GreenMine"][0]
    wait_time = constant_pacing(CLASSES["GreenMine"][1])

    @task
    def apply_and_evaluate(self):
        mine = next(GREEN_POOL, None)
        if mine is None:
            return
        application = self.call(
            "greenmine",
            "POST",
            "/applications",
            "/applications",
            201,
            json={"right_id": mine["right_id"], "kind": "entry"},
            headers=TOKENS["enterprise"][mine["holder_id"]],
        )
        if application is None:
            return
        path = f"/applications/{application['id']}"
        if (
            self.call(
                "greenmine",
                "POST",
                "/applications/{id}/assignment",
                f"{path}/assignment",
                json={"org_id": DATA["evaluator"]},
                headers=TOKENS["admin"],
            )
            is None
        ):
            return
        self.call(
            "greenmine",
            "POST",
            "/applications/{id}/evaluation",
            f"{path}/evaluation",
            201,
            data={"evaluation": json.dumps(DATA["evaluation"])},
            files={"report": ("评估报告.pdf", b"%PDF-1.7 evaluation report", "application/pdf")},
            headers=TOKENS["evaluator"],
        )


class GrantOffering(Caller):
    """招拍挂: a planned block offered, its notice announced, then withdrawn (the block free
    again for the next round)."""

    fixed_count = CLASSES["GrantOffering"][0]
    wait_time = constant_pacing(CLASSES["GrantOffering"][1])

    @task
    def offer(self):
        body = {
            "block_id": random.choice(DATA["blocks"]),
            "method": "listing",
            "reserve_price_yuan": "1200000.00",
            "deposit_yuan": "240000.00",
            "term_years": 10,
            "scale": {"value": "10", "unit": "10k_m3_per_year"},
        }
        offering = self.call(
            "rights",
            "POST",
            "/grant-offerings",
            "/grant-offerings",
            201,
            json=body,
            headers=TOKENS["admin"],
        )
        if offering is None:
            return
        path = f"/grant-offerings/{offering['id']}"
        self.call(
            "rights",
            "POST",
            "/grant-offerings/{id}/announce",
            f"{path}/announce",
            json={"notice_from": today().isoformat()},
            headers=TOKENS["admin"],
        )
        self.call(
            "rights",
            "POST",
            "/grant-offerings/{id}/withdraw",
            f"{path}/withdraw",
            json={"reason": "区块范围需调整"},
            headers=TOKENS["admin"],
        )


class NotifierDesk(Caller):
    """The bureau's deadline desk and holders reading their inbox."""

    fixed_count = CLASSES["NotifierDesk"][0]
    wait_time = constant_pacing(CLASSES["NotifierDesk"][1])

    @task
    def deadlines(self):
        self.call(
            "notifier",
            "GET",
            "/deadlines",
            "/deadlines?limit=50&state=open",
            headers=TOKENS["admin"],
        )

    @task
    def inbox(self):
        holder_id = random.choice(DATA["holders"])
        self.call("notifier", "GET", "/inbox", "/inbox", headers=TOKENS["enterprise"][holder_id])


class ReminderSweep(Caller):
    """The reminder sweep run on request (as an operator does) besides its own schedule: it
    puts due reminders in the inboxes and hands them to delivery."""

    fixed_count = CLASSES["ReminderSweep"][0]
    wait_time = constant_pacing(CLASSES["ReminderSweep"][1])

    @task
    def sweep(self):
        self.call(
            "notifier",
            "POST",
            "/admin/jobs/{name}/run",
            "/admin/jobs/reminder-sweep/run",
            (200, 409),
            headers=TOKENS["admin"],
        )

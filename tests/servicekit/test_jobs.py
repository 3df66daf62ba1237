"""Periodic jobs: driven with an explicit clock, one replica at a time, runnable by an admin."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from devkit.inprocess import InProcessBroker
from devkit.testing import eventually, running_service
from rights_api.app import SERVICE
from servicekit.auth import Role
from servicekit.jobs import Job
from servicekit.settings import ServiceSettings, service_config
from servicekit.spec import ServiceSpec
from sqlalchemy import text

seen: list[datetime] = []
release = asyncio.Event()


async def record_now(session, now: datetime) -> int:
    await session.exec(text("SELECT 1"))
    seen.append(now)
    return 3


async def block_until_released(session, now: datetime) -> int:
    await release.wait()
    return 1


class JobsSettings(ServiceSettings):
    model_config = service_config("JOBS_")


JOBS = ServiceSpec(
    name="jobs",
    title="jobs 测试",
    description="Test-only service with periodic jobs.",
    settings=JobsSettings,
    package="tests.servicekit",
    migrations=SERVICE.migrations,
    port=8997,
    jobs=[
        Job("record-now", every=timedelta(milliseconds=50), run=record_now),
        Job("slow", every=timedelta(hours=1), run=block_until_released),
    ],
)


@pytest.fixture
async def url(databases):
    return await databases.create("rights")


@pytest.fixture(autouse=True)
def fresh_state():
    global release
    seen.clear()
    release = asyncio.Event()  # an event binds to the loop that first waits on it


async def test_a_job_runs_with_the_time_it_is_given_and_counts_what_it_handled(url):
    async with running_service(
        JOBS, database_url=url, broker=InProcessBroker(), background=False
    ) as service:
        moment = datetime(2027, 1, 1, 0, 5, tzinfo=UTC)
        assert await service.runtime.run_job("record-now", now=moment) == 3
        assert seen == [moment]
        metrics = await service.metrics()
        assert 'job_items_total{job="record-now"} 3.0' in metrics
        assert 'job_runs_total{job="record-now",outcome="ok"} 1.0' in metrics


async def test_the_scheduler_runs_each_job_on_its_cadence_a_slow_one_blocking_none(url):
    async with running_service(JOBS, database_url=url, broker=InProcessBroker()):
        await eventually(lambda: asyncio.sleep(0, len(seen) >= 3), timeout=10, what="3 runs")


async def test_two_replicas_never_run_one_job_at_once(url):
    async with (
        running_service(JOBS, database_url=url, broker=InProcessBroker(), background=False) as a,
        running_service(JOBS, database_url=url, broker=InProcessBroker(), background=False) as b,
    ):
        first = asyncio.create_task(a.runtime.run_job("slow"))
        await asyncio.sleep(0.3)  # first holds the lock, waiting on the event
        assert await b.runtime.run_job("slow") is None
        release.set()
        assert await first == 1
        assert await b.runtime.run_job("slow") == 1  # the lock went with the transaction


async def test_admins_run_a_job_now_and_others_may_not(url):
    async with running_service(
        JOBS, database_url=url, broker=InProcessBroker(), background=False
    ) as service:
        ok = await service.client.post(
            "/admin/jobs/record-now/run", headers=service.auth(Role.bureau_admin)
        )
        assert ok.status_code == 200, ok.text
        assert ok.json() == {"job": "record-now", "handled": 3}
        missing = await service.client.post(
            "/admin/jobs/nothing/run", headers=service.auth(Role.bureau_admin)
        )
        assert missing.status_code == 404
        assert "nothing" in missing.json()["detail"]
        refused = await service.client.post(
            "/admin/jobs/record-now/run", headers=service.auth(Role.bureau_reviewer)
        )
        assert refused.status_code == 403
        assert len(seen) == 1


async def test_dev_mode_runs_a_job_as_of_another_moment_and_production_refuses(url):
    moment = "2027-03-28T09:00:00+08:00"
    async with running_service(
        JOBS, database_url=url, broker=InProcessBroker(), background=False
    ) as service:
        ok = await service.client.post(
            "/admin/jobs/record-now/run",
            params={"now": moment},
            headers=service.auth(Role.bureau_admin),
        )
        assert ok.status_code == 200, ok.text
        assert seen == [datetime.fromisoformat(moment)]
    production = {"mode": "production", "jwt_secret": "a-production-secret-0123456789abcdef"}
    async with running_service(
        JOBS, database_url=url, broker=InProcessBroker(), background=False, **production
    ) as service:
        refused = await service.client.post(
            "/admin/jobs/record-now/run",
            params={"now": moment},
            headers=service.auth(Role.bureau_admin),
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "query.now"
        assert len(seen) == 1

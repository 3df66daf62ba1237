"""Periodic jobs: overdue sweeps, obligations created on a schedule, reminder sweeps.

A job is a plain service function ``run(session, now) -> items handled``. Each run is one
transaction holding a transaction-level advisory lock named after the service and the job, so
with several replicas only one runs a job at a time and the others skip that round. ``now`` is
passed in, never read inside the job, so tests and operators can drive time explicitly.
"""

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from servicekit.db import Database
from servicekit.metrics import ServiceMetrics

log = logging.getLogger("servicekit.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[AsyncSession, datetime], Awaitable[int]]


class UnknownJob(LookupError):
    pass


def lock_key(service: str, job: str) -> int:
    """A signed 64-bit advisory-lock key, stable across processes and versions."""
    digest = hashlib.sha256(f"mineadmin:job:{service}:{job}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class Scheduler:
    def __init__(
        self, *, service: str, db: Database, jobs: Sequence[Job], metrics: ServiceMetrics
    ) -> None:
        self.service, self.db, self.metrics = service, db, metrics
        self.jobs = {job.name: job for job in jobs}
        if len(self.jobs) != len(jobs):
            raise ValueError(f"{service}: two jobs with one name")

    async def run_job(self, name: str, *, now: datetime | None = None) -> int | None:
        """Run one job now; None when another replica is running it."""
        job = self.jobs.get(name)
        if job is None:
            raise UnknownJob(name)
        started = time.perf_counter()
        try:
            async with self.db.transaction() as session:
                lock = text("SELECT pg_try_advisory_xact_lock(:key)").bindparams(
                    key=lock_key(self.service, name)
                )
                if not (await session.exec(lock)).scalar_one():
                    self.metrics.job_runs.labels(name, "skipped").inc()
                    return None
                handled = await job.run(session, now or datetime.now(UTC))
        except Exception:
            self.metrics.job_runs.labels(name, "failed").inc()
            raise
        self.metrics.job_runs.labels(name, "ok").inc()
        self.metrics.job_items.labels(name).inc(handled)
        self.metrics.job_seconds.labels(name).observe(time.perf_counter() - started)
        return handled

    async def run_forever(self) -> None:
        """Each job in its own loop, so a slow one never delays another."""
        await asyncio.gather(*(self._loop(job) for job in self.jobs.values()))

    async def _loop(self, job: Job) -> None:
        while True:
            try:
                await self.run_job(job.name)
            except Exception:
                log.exception("job %s failed; next run in %s", job.name, job.every)
            await asyncio.sleep(job.every.total_seconds())

"""Operations endpoints every service has: liveness, readiness, dead letters (metrics are on
their own port: servicekit.metrics_server)."""

import asyncio
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import AwareDatetime, BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from servicekit import workdays
from servicekit.auth import Principal, Role, require
from servicekit.errors import (
    PROBLEM_RESPONSES,
    Conflict,
    FieldError,
    NotFound,
    problem_doc,
    validation_error,
)
from servicekit.events import dead_letters
from servicekit.events.dead_letters import DeadLetter
from servicekit.jobs import UnknownJob
from servicekit.pagination import Page, PageParams, page_of, page_params
from servicekit.settings import Mode
from servicekit.unit_of_work import get_session

log = logging.getLogger("servicekit.operations")
router = APIRouter(tags=["operations 运维"])
Session = Annotated[AsyncSession, Depends(get_session)]
Admin = Annotated[Principal, Depends(require(Role.bureau_admin))]


class Check(BaseModel):
    status: str
    checks: dict[str, str]


@router.get("/healthz", summary="Liveness 存活检查", response_model=Check)
async def healthz() -> Check:
    return Check(status="ok", checks={})


@router.get(
    "/readyz",
    summary="Readiness: database and broker 就绪检查",
    response_model=Check,
    responses={503: {"model": Check, "description": "A dependency is down"}},
)
async def readyz(request: Request, response: Response) -> Check:
    runtime = request.app.state.runtime
    checks = {}
    for name, probe in (("database", runtime.db.ping), ("broker", runtime.broker.ping)):
        try:
            await asyncio.wait_for(probe(), timeout=3)
            checks[name] = "ok"
        except Exception as exc:
            # the probe answers anyone who can reach it: the reason (hosts, ports) goes to the log
            log.warning("readiness: %s is down: %s: %s", name, type(exc).__name__, exc)
            checks[name] = f"down: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    response.status_code = 200 if ok else 503
    return Check(status="ok" if ok else "unavailable", checks=checks)


class ReplayResult(BaseModel):
    id: int
    outcome: str


@router.get(
    "/admin/dead-letters",
    summary="List dead letters 死信列表",
    response_model=Page[DeadLetter],
    responses=PROBLEM_RESPONSES,
)
async def list_dead_letters(
    session: Session,
    _: Admin,
    page: Annotated[PageParams, Depends(page_params)],
    include_replayed: bool = False,
) -> Page[DeadLetter]:
    rows = await dead_letters.list_dead_letters(
        session=session, page=page, include_replayed=include_replayed
    )
    return page_of(rows, page, lambda r: [r.id])


@router.post(
    "/admin/dead-letters/{dead_letter_id}/replay",
    summary="Replay a dead letter through its consumer 重放死信",
    response_model=ReplayResult,
    responses={
        **PROBLEM_RESPONSES,
        404: problem_doc("No such dead letter"),
        409: problem_doc("Already replayed, or the handler failed again"),
    },
)
async def replay_dead_letter(
    dead_letter_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    request: Request,
    session: Session,
    _: Admin,
) -> ReplayResult:
    outcome = await dead_letters.replay(
        session=session,
        consumers=request.app.state.runtime.consumers,
        dead_letter_id=dead_letter_id,
    )
    return ReplayResult(id=dead_letter_id, outcome=outcome)


class JobRun(BaseModel):
    job: str
    handled: int


@router.post(
    "/admin/jobs/{name}/run",
    summary="Run a periodic job now 立即执行定时任务",
    description="Runs an overdue sweep or another periodic job of this service at once, "
    "instead of waiting for its next round. In dev mode (a developer's machine) `now` "
    "runs it as of another moment, e.g. a deadline's day; production "
    "refuses `now`: its jobs only ever see the real clock.",
    response_model=JobRun,
    responses={
        **PROBLEM_RESPONSES,
        404: problem_doc("No job of that name"),
        409: problem_doc("Another replica is running this job right now"),
        422: problem_doc("`now` given outside dev mode"),
    },
)
async def run_job(
    name: str,
    request: Request,
    _: Admin,
    now: Annotated[
        AwareDatetime | None,
        Query(
            description="Dev mode only: run as of this moment.",
            examples=["2027-03-28T09:00:00+08:00"],
        ),
    ] = None,
) -> JobRun:
    runtime = request.app.state.runtime
    if now is not None and runtime.settings.mode is not Mode.dev:
        raise validation_error(
            [FieldError(field="query.now", message="production jobs run on the real clock")]
        )
    try:
        handled = await runtime.run_job(name, now=now)
    except UnknownJob:
        raise NotFound(f"This service has no job named {name!r}.") from None
    if handled is None:
        raise Conflict(f"Job {name!r} is running on another replica; try again shortly.")
    return JobRun(job=name, handled=handled)


@router.put(
    "/admin/calendar/{year}",
    summary="Load a year's holiday schedule 导入年度法定节假日安排",
    description="The State Council's schedule of days off and adjusted working days for one "
    "year. It replaces any schedule loaded before and takes precedence over the built-in "
    "calendar (which covers the years up to 2026). Days not listed follow the weekday rule.",
    status_code=204,
    responses={**PROBLEM_RESPONSES, 422: problem_doc("A day outside the year")},
)
async def load_calendar(
    year: Annotated[int, Path(ge=2000, le=2100)],
    schedule: workdays.YearSchedule,
    session: Session,
    _: Admin,
) -> None:
    stray = [
        FieldError(field=f"body.{kind}.{i}.day", message=f"{d.day} is not in {year}")
        for kind in ("holidays", "workdays")
        for i, d in enumerate(getattr(schedule, kind))
        if d.day.year != year
    ]
    if stray:
        raise validation_error(stray)
    await workdays.store_year(session, year, schedule)

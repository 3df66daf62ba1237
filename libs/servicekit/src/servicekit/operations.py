"""Operations endpoints every service has: liveness, readiness, metrics, dead letters."""

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from servicekit.auth import Principal, Role, require
from servicekit.errors import PROBLEM_RESPONSES, problem_doc
from servicekit.events import dead_letters
from servicekit.events.dead_letters import DeadLetter
from servicekit.pagination import Page, PageParams, page_of, page_params
from servicekit.unit_of_work import get_session

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
            checks[name] = f"down: {type(exc).__name__}: {exc}"[:300]
    ok = all(v == "ok" for v in checks.values())
    response.status_code = 200 if ok else 503
    return Check(status="ok" if ok else "unavailable", checks=checks)


@router.get(
    "/metrics",
    summary="Prometheus metrics 监控指标",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
)
async def metrics(request: Request) -> Response:
    runtime = request.app.state.runtime
    await runtime.refresh_metrics()
    return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)


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
    dead_letter_id: int, request: Request, session: Session, _: Admin
) -> ReplayResult:
    outcome = await dead_letters.replay(
        session=session,
        consumers=request.app.state.runtime.consumers,
        dead_letter_id=dead_letter_id,
    )
    return ReplayResult(id=dead_letter_id, outcome=outcome)

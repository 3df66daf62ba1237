"""HTTP for the integrity record: parse, authorize, call the service, shape the response."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from servicekit.deps import Admin, Officials, Paging, Public, Reader, Session
from servicekit.errors import problem_doc
from servicekit.http_cache import cached
from servicekit.pagination import Page

from rights_api.integrity import service
from rights_api.integrity.schemas import (
    AbnormalEntry,
    Correction,
    Feed,
    IntegrityEntryPublic,
    IntegrityRecord,
)

router = APIRouter(tags=["integrity 诚信体系"])
AbnormalCache = Annotated[None, cached("integrity_entries", "holders")]


@router.get(
    "/holders/{holder_id}/integrity",
    summary="A holder's integrity record 矿山企业诚信档案",
    responses={404: problem_doc("No such holder (or another enterprise's)")},
)
async def holder_integrity(holder_id: UUID, session: Session, caller: Reader) -> IntegrityRecord:
    """Every entry of the holder's record (第五章第二节 "建立矿山企业诚信体系"), oldest first: what
    happened across the services, each with its `kind`, `severity`, the plan's `clause`, when it
    `occurred_at` and the CloudEvent it came from (`source_event_id`): annual filings on time or
    overdue, compliance orders and restoration rectifications ordered, met or overdue, random
    patrol findings, listing on and removal from the green-mine list (第六章第一节), fund
    shortfalls, the bureau's suspensions and revocations. Entries never change; a correction is
    a later entry (`kind: correction`) naming the one it corrects. `grade` follows the written
    rule `integrity-grade-v1`. An enterprise sees its own holder's record only (another's is
    404); bureau staff, inspectors and government systems see every holder's.
    """
    return await service.record_of(session=session, holder_id=holder_id, caller=caller)


@router.post(
    "/integrity/entries/{entry_id}/corrections",
    status_code=201,
    summary="Correct an integrity entry 更正诚信记录",
    responses={
        404: problem_doc("No such entry"),
        409: problem_doc("Already corrected, or a correction 已更正"),
    },
)
async def correct_entry(
    entry_id: UUID, data: Correction, session: Session, caller: Admin, response: Response
) -> IntegrityEntryPublic:
    """Records a correction: a new entry (`kind: correction`, `corrects_entry_id`) with the
    reason. The corrected entry is not changed (the database refuses any UPDATE or DELETE); it
    shows `corrected_by_entry_id` and no longer counts in the grade or the 异常名录. An entry is
    corrected once (409 after)."""
    fix = await service.correct(session=session, entry_id=entry_id, data=data, caller=caller)
    [shown] = await service.shown(session, [fix])
    response.headers["Location"] = f"/holders/{fix.holder_id}/integrity"
    return shown


@router.get("/integrity/abnormal", summary="Serious entries, public 矿山企业异常名录")
async def abnormal(
    session: Session, _: Public, page: Paging, _cache: AbnormalCache
) -> Page[AbnormalEntry]:
    """Public: every uncorrected serious entry (overdue filings, orders and rectifications left
    overdue, patrol violations, removal from the green-mine list 除名并公开曝光 (第六章第一节),
    revocations), newest first, with the enterprise's name and credit code; no personal contact
    data. No token needed."""
    return await service.abnormal(session=session, page=page)


@router.get("/integrity/feed", summary="Feed for credit systems 信用信息共享")
async def integrity_feed(
    session: Session,
    _: Officials,
    after: Annotated[
        int, Query(ge=0, le=2**63 - 1, description="The last `seq` already read; 0 at first")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Feed:
    """Every entry of every holder in `seq` order, for government credit systems to poll
    (第六章第一节三 "将绿色矿山信息纳入企业征信系统"): send `after` = the last `next_after`. The
    order is the order of commits, so a poller never misses an entry nor reads one twice.
    Corrections arrive as entries of their own. `gov_system`, bureau staff and inspectors."""
    return await service.feed(session=session, after=after, limit=limit)

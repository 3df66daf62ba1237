"""Rules for annual filings 年度报送. Functions never commit: the caller owns the transaction.

Each December a mine files next year's mining plan with its plan map, and the bureau verifies
reserves yearly (DOMAIN, 第五章第二节: 年度采掘计划, 年度资源储量动态核查). For a filing year Y
an active mining right owes the mining plan *for* Y+1 and the reserve verification *for* Y, both
due in Y (settings ``mining_plan_due``, ``reserve_report_due``; a due date on a statutory
holiday moves to the next working day, 民法典第二百零三条).
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from contracts import EventPayload
from contracts.deadline import Deadline, DeadlineAction
from contracts.mining import RightKind
from contracts.rights import FilingOverdue, FilingRequired, FilingSubmitted
from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import Conflict, FieldError, validation_error
from servicekit.pagination import Page, PageParams
from sqlalchemy import and_, exists
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api import obligations
from rights_api.attachments import service as attachments
from rights_api.attachments.models import Attachment
from rights_api.attachments.schemas import AttachmentPublic
from rights_api.filings.models import (
    AttachmentPurpose,
    Filing,
    FilingAttachment,
    FilingKind,
    FilingStatus,
)
from rights_api.filings.schemas import (
    REQUIRED_ATTACHMENTS,
    FilingFilters,
    FilingPublic,
    FilingSubmit,
)
from rights_api.rights import service as rights
from rights_api.rights.models import Right
from rights_api.settings import RightsSettings

TITLES_ZH = {
    FilingKind.annual_mining_plan: "{year}年度采掘计划报送（{mine}）",
    FilingKind.reserve_verification: "{year}年度资源储量动态核查报告（{mine}）",
}
FILES = attachments.Links(FilingAttachment, "filing_id", missing="Filing {} has no attachment {}.")


def filed_for(kind: FilingKind, filing_year: int) -> int:
    """The year a filing due in ``filing_year`` is about."""
    return filing_year + 1 if kind == FilingKind.annual_mining_plan else filing_year


async def due_date(
    *, session: AsyncSession, settings: RightsSettings, kind: FilingKind, filing_year: int
) -> date:
    month_day = (
        settings.mining_plan_due
        if kind == FilingKind.annual_mining_plan
        else settings.reserve_report_due
    )
    return await obligations.due_on(session=session, year=filing_year, month_day=month_day)


def deadline(filing: Filing, right: Right, action: DeadlineAction) -> Deadline:
    return rights.holder_deadline(
        right,
        action,
        id=f"rights.filing.{filing.id}",
        kind=filing.kind,
        due_at=filing.due_on,
        title_zh=TITLES_ZH[FilingKind(filing.kind)].format(year=filing.year, mine=right.mine_name),
    )


async def _announce(
    session: AsyncSession,
    event: type[EventPayload],
    filing: Filing,
    right: Right,
    action: DeadlineAction,
    **fields: Any,
) -> None:
    await rights.publish_about(
        session,
        event,
        right,
        filing_id=filing.id,
        kind=filing.kind,
        year=filing.year,
        deadline=deadline(filing, right, action),
        **fields,
    )


async def due_dates(*, session: AsyncSession, year: int) -> dict[FilingKind, date]:
    settings: RightsSettings = session.info["settings"]
    return {
        kind: await due_date(session=session, settings=settings, kind=kind, filing_year=year)
        for kind in FilingKind
    }


async def create_obligations_for(
    *,
    session: AsyncSession,
    right: Right,
    year: int,
    at: datetime | None = None,
    dues: dict[FilingKind, date] | None = None,
) -> list[Filing]:
    """The filings a mining right owes in ``year`` (the plan for year+1, the reserve report for
    year), each published as ``rights.filing.required``. Safe to call again: an obligation
    that exists is left as it is and only new ones are returned. Exploration rights owe none.
    Call it when a mining right is granted (with the current local year). ``dues``: the due
    dates of ``year`` when the caller already has them (the job, for many rights)."""
    if right.kind != RightKind.mining:
        return []
    dues = dues or await due_dates(session=session, year=year)
    created = []
    for kind in FilingKind:
        filing = await obligations.insert_once(
            session,
            Filing,
            constraint="filings_right_kind_year",
            right_id=right.id,
            kind=kind,
            year=filed_for(kind, year),
            due_on=dues[kind],
            status=FilingStatus.owed,
            created_at=at or clock.now(),
        )
        if filing is None:
            continue
        created.append(filing)
        await _announce(session, FilingRequired, filing, right, DeadlineAction.set)
    return created


async def owed_from_grant(*, session: AsyncSession, right: Right) -> list[Filing]:
    """A working right granted today owes this year's filings from the day of grant, not from
    the job's next round."""
    today = clock.local_today(right.created_at)
    if right.status in obligations.OBLIGED and right.valid_from <= today <= right.valid_to:
        return await create_obligations_for(session=session, right=right, year=today.year)
    return []


async def create_due_obligations(session: AsyncSession, now: datetime) -> int:
    """The scheduled job ``filing_obligations``: every working mining right, valid today,
    owes this year's filings. Rights that already have both are skipped in SQL."""
    today = clock.local_today(now)
    year = today.year

    def owes(kind: FilingKind):
        return ~exists().where(
            and_(
                Filing.right_id == Right.id,
                Filing.kind == kind,
                Filing.year == filed_for(kind, year),
            )
        )

    rights = (
        await session.exec(
            select(Right)
            .where(
                obligations.working_mining_rights(today),
                owes(FilingKind.annual_mining_plan) | owes(FilingKind.reserve_verification),
            )
            .order_by(Right.created_at, Right.id)
        )
    ).all()
    created = 0
    for right in rights:
        created += len(
            await create_obligations_for(session=session, right=right, year=year, at=now)
        )
    return created


async def mark_overdue(session: AsyncSession, now: datetime) -> int:
    """The scheduled job ``filings_overdue``: a filing still owed after its local due date
    becomes overdue and ``rights.filing.overdue`` is published (once: it is no longer owed)."""
    return await obligations.mark_overdue(
        session,
        Filing,
        now,
        owed=FilingStatus.owed,
        overdue=FilingStatus.overdue,
        announce=lambda filing, right: _announce(
            session, FilingOverdue, filing, right, DeadlineAction.overdue
        ),
    )


async def get(
    *, session: AsyncSession, filing_id: UUID, caller: Principal, for_update: bool = False
) -> tuple[Filing, Right]:
    """404 too for another holder's filing (BOLA)."""
    return await rights.on_visible_right(
        session, Filing, filing_id, caller=caller, what="filing", for_update=for_update
    )


async def public(*, session: AsyncSession, filings: list[Filing]) -> list[FilingPublic]:
    """The filings as the API shows them, each with its attachments."""
    files = await FILES.of(session=session, owner_ids=[f.id for f in filings])
    return [
        FilingPublic.model_validate(
            {
                **{name: getattr(filing, name) for name in Filing.model_fields},
                "required_attachment": REQUIRED_ATTACHMENTS[FilingKind(filing.kind)],
                "attachments": files[filing.id],
            }
        )
        for filing in filings
    ]


async def show(*, session: AsyncSession, filing_id: UUID, caller: Principal) -> FilingPublic:
    filing, _ = await get(session=session, filing_id=filing_id, caller=caller)
    [shown] = await public(session=session, filings=[filing])
    return shown


async def list_filings(
    *, session: AsyncSession, page: PageParams, caller: Principal, filters: FilingFilters
) -> Page[FilingPublic]:
    rows = await rights.visible_page(
        session=session, model=Filing, filters=filters, caller=caller, page=page
    )
    return rows.with_items(await public(session=session, filings=rows.items))


def _ensure_holder_acts(caller: Principal, right: Right) -> None:
    # enterprises only (the route requires the role); get() already hid others' filings
    caller.ensure_holder(right.holder_id)


async def add_attachment(
    *,
    session: AsyncSession,
    settings: RightsSettings,
    filing_id: UUID,
    data: bytes,
    purpose: AttachmentPurpose,
    caller: Principal,
) -> tuple[AttachmentPublic, bool]:
    """Store the file and attach it (False: it was attached already); only the holder, before
    submitting."""
    filing, right = await get(session=session, filing_id=filing_id, caller=caller, for_update=True)
    stored = await attachments.store(
        session=session, settings=settings, data=data, allowed=attachments.DOCUMENT_TYPES
    )
    _ensure_holder_acts(caller, right)
    if filing.status == FilingStatus.submitted:
        raise Conflict(f"Filing {filing.id} was submitted; its attachments are final.")
    return await FILES.add(
        session=session, owner_id=filing.id, attachment=stored, by=caller.subject, purpose=purpose
    )


async def attachment(
    *, session: AsyncSession, filing_id: UUID, sha256: str, caller: Principal
) -> Attachment:
    """Whoever may read the filing may read its attachments; a hash alone opens nothing."""
    filing, _ = await get(session=session, filing_id=filing_id, caller=caller)
    return await FILES.file(session=session, owner_id=filing.id, sha256=sha256)


async def submit(
    *,
    session: AsyncSession,
    filing_id: UUID,
    data: FilingSubmit,
    caller: Principal,
    at: datetime | None = None,
) -> FilingPublic:
    """The holder files: owed or overdue → submitted (late when after the due date), and
    ``rights.filing.submitted`` with the deadline met."""
    filing, right = await get(session=session, filing_id=filing_id, caller=caller, for_update=True)
    _ensure_holder_acts(caller, right)
    if filing.status == FilingStatus.submitted:
        raise Conflict(f"Filing {filing.id} was already submitted.")
    required = REQUIRED_ATTACHMENTS[FilingKind(filing.kind)]
    purposes = (
        await session.exec(
            select(FilingAttachment.purpose).where(FilingAttachment.filing_id == filing.id)
        )
    ).all()
    if required not in purposes:
        raise validation_error(
            [
                FieldError(
                    field="attachments",
                    message=f"a {required.value} attachment is required before submitting; "
                    f"upload it with POST /filings/{filing.id}/attachments",
                )
            ]
        )
    at = at or clock.now()
    filing.late = filing.status == FilingStatus.overdue or clock.local_today(at) > filing.due_on
    filing.status = FilingStatus.submitted
    filing.submitted_at, filing.submitted_by = at, caller.subject
    filing.summary = data.summary
    filing.figures = data.model_dump(mode="json")["figures"]
    filing.version += 1
    session.add(filing)
    await session.flush()
    await _announce(session, FilingSubmitted, filing, right, DeadlineAction.met, submitted_at=at)
    [shown] = await public(session=session, filings=[filing])
    return shown

"""The integrity record 诚信体系: entries written from events (``handlers.py``), read per holder,
as the public list of serious entries 异常名录 and as a feed. Functions never commit.

Entries are append-only: nothing here updates or deletes one, and the database refuses it
(trigger ``integrity_entries_append_only``, r0011). A wrong entry is corrected by a new entry
(``kind: correction``) pointing at it; the corrected entry stays, marked by its correction, and
no longer counts in the grade or the public list.
"""

from datetime import datetime, timedelta
from uuid import UUID, uuid4

from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import Conflict, NotFound
from servicekit.events.envelope import CloudEvent
from servicekit.lookup import get_or_404
from servicekit.pagination import Page, PageParams, paginate
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.holders.models import Holder
from rights_api.integrity import rules
from rights_api.integrity.models import IntegrityEntry
from rights_api.integrity.schemas import (
    AbnormalEntry,
    Correction,
    Feed,
    Grade,
    IntegrityEntryPublic,
    IntegrityRecord,
)

# every writer takes this transaction lock before its insert, so ``seq`` (taken after the lock)
# grows in commit order and a feed reader polling ``after=<seq>`` never skips a late commit
FEED_LOCK = 0x1_7E6A_17E6  # "integrity" as a lock key
GRADE_RULE = "integrity-grade-v1"
GRADE_WINDOW = timedelta(days=3 * 365)


async def _lock_feed(session: AsyncSession) -> None:
    await session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=FEED_LOCK))


async def record_event(*, session: AsyncSession, event: CloudEvent, payload) -> bool:
    """The entry an event makes under ``rules.RULES``, once per CloudEvent id (a redelivered or
    replayed event adds nothing). Whether an entry was written."""
    draft = rules.RULES[type(payload)](payload, event.time)
    if draft is None:
        return False
    return await _insert(
        session,
        holder_id=draft.holder_id,
        right_id=draft.right_id,
        kind=draft.kind,
        severity=draft.severity,
        clause=draft.clause,
        summary_zh=draft.summary_zh,
        occurred_at=draft.occurred_at,
        source_event_id=str(event.id),
        source_type=event.type,
        source=event.source,
        detail={**draft.detail, "rule": rules.RULE},
    )


async def _insert(session: AsyncSession, **values) -> bool:
    await _lock_feed(session)
    written = await session.scalar(
        insert(IntegrityEntry)
        .values(id=uuid4(), recorded_at=clock.now(), **values)
        .on_conflict_do_nothing(index_elements=["source_event_id"])
        .returning(IntegrityEntry.id)
    )
    return written is not None


async def correct(
    *, session: AsyncSession, entry_id: UUID, data: Correction, caller: Principal
) -> IntegrityEntry:
    """A correction: a new entry voiding ``entry_id``; the corrected entry is not changed."""
    wrong = await get_or_404(session, IntegrityEntry, entry_id, what="integrity entry")
    if wrong.kind == "correction":
        raise Conflict("A correction is not corrected; record the fact again instead.")
    source_event_id = f"correction:{wrong.id}"
    written = await _insert(
        session,
        holder_id=wrong.holder_id,
        right_id=wrong.right_id,
        kind="correction",
        severity=rules.INFO,
        clause=wrong.clause,
        summary_zh=f"更正：{wrong.summary_zh}",
        occurred_at=clock.now(),
        source_event_id=source_event_id,
        source_type="rights.integrity.correction",
        source="/services/rights",
        detail={"reason": data.reason, "corrected_kind": wrong.kind},
        corrects_entry_id=wrong.id,
        recorded_by=caller.subject,
    )
    if not written:
        raise Conflict(f"Integrity entry {wrong.id} is already corrected.")
    return (
        await session.exec(
            select(IntegrityEntry).where(IntegrityEntry.source_event_id == source_event_id)
        )
    ).one()


def _uncorrected():
    fix = aliased(IntegrityEntry)
    return ~select(fix.id).where(fix.corrects_entry_id == IntegrityEntry.id).exists()


async def _corrections(session: AsyncSession, ids: list[UUID]) -> dict[UUID, UUID]:
    if not ids:
        return {}
    rows = await session.exec(
        select(IntegrityEntry.corrects_entry_id, IntegrityEntry.id).where(
            col(IntegrityEntry.corrects_entry_id).in_(ids)
        )
    )
    return {corrected: fix for corrected, fix in rows.all()}


async def shown(session: AsyncSession, entries: list[IntegrityEntry]) -> list[IntegrityEntryPublic]:
    fixes = await _corrections(session, [e.id for e in entries])
    return [
        IntegrityEntryPublic.model_validate(
            {**e.model_dump(), "corrected_by_entry_id": fixes.get(e.id)}
        )
        for e in entries
    ]


def grade(entries: list[IntegrityEntryPublic], *, now: datetime) -> Grade:
    """Rule ``integrity-grade-v1`` (configuration: the plan sets no grades). Over the
    uncorrected entries of the last 3 years (365-day years): no serious and at most one minor
    entry → A 守信; no serious → B 基本守信; one serious → C 失信风险; two or more → D 严重失信.
    Corrections and info entries count for nothing."""
    since = now - GRADE_WINDOW
    counted = [
        e
        for e in entries
        if e.corrected_by_entry_id is None and e.kind != "correction" and e.occurred_at >= since
    ]
    serious = sum(e.severity == rules.SERIOUS for e in counted)
    minor = sum(e.severity == rules.MINOR for e in counted)
    if serious >= 2:
        letter = "D"
    elif serious == 1:
        letter = "C"
    else:
        letter = "A" if minor <= 1 else "B"
    return Grade(rule=GRADE_RULE, grade=letter, serious=serious, minor=minor, window_from=since)


async def record_of(
    *, session: AsyncSession, holder_id: UUID, caller: Principal
) -> IntegrityRecord:
    """The holder's whole record, oldest first; another holder's is 404 for an enterprise."""
    holder = await session.get(Holder, holder_id)
    if holder is None or not caller.sees_holder(holder_id):
        raise NotFound(f"No holder {holder_id}.")
    rows = (
        await session.exec(
            select(IntegrityEntry)
            .where(IntegrityEntry.holder_id == holder_id)
            .order_by(IntegrityEntry.seq)
        )
    ).all()
    entries = await shown(session, list(rows))
    return IntegrityRecord(
        holder_id=holder.id,
        holder_name=holder.name,
        credit_code=holder.credit_code,
        entries=entries,
        grade=grade(entries, now=clock.now()),
    )


async def abnormal(*, session: AsyncSession, page: PageParams) -> Page[AbnormalEntry]:
    """异常名录: every uncorrected serious entry, newest first, with the enterprise's name and
    credit code (public in the national credit system) and no personal contact data."""
    query = select(IntegrityEntry).where(IntegrityEntry.severity == rules.SERIOUS, _uncorrected())
    rows = await paginate(session, query, page, order=(IntegrityEntry.seq,), descending=True)
    holder_ids = {e.holder_id for e in rows.items}
    holders = (
        {
            h.id: h
            for h in (
                await session.exec(select(Holder).where(col(Holder.id).in_(holder_ids)))
            ).all()
        }
        if holder_ids
        else {}
    )
    return rows.with_items(
        [
            AbnormalEntry(
                entry_id=e.id,
                holder_id=e.holder_id,
                holder_name=holders[e.holder_id].name if e.holder_id in holders else "",
                credit_code=holders[e.holder_id].credit_code if e.holder_id in holders else "",
                right_id=e.right_id,
                kind=e.kind,
                clause=e.clause,
                summary_zh=e.summary_zh,
                occurred_at=e.occurred_at,
            )
            for e in rows.items
        ]
    )


async def feed(*, session: AsyncSession, after: int, limit: int) -> Feed:
    """Entries with ``seq`` above ``after``, in ``seq`` order: poll with the last ``next_after``
    and nothing is missed or repeated (``seq`` follows commit order, see ``FEED_LOCK``)."""
    rows = (
        await session.exec(
            select(IntegrityEntry)
            .where(IntegrityEntry.seq > after)
            .order_by(IntegrityEntry.seq)
            .limit(limit)
        )
    ).all()
    entries = await shown(session, list(rows))
    return Feed(entries=entries, next_after=entries[-1].seq if entries else after)

"""The plan's named deadlines 规划时限目标 as obligations (第二章第三节, 专栏二, 第六章): each
judged met, missed or open as of a day from rights-api's own register and what other services
reported in events (restoration acceptances, green-mine listings, legacy-site acceptances, kept
in small read tables by ``handlers.py``). The daily job publishes each change once with a
``deadline`` the notifier reminds and alerts on. Functions never commit."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from contracts.deadline import Audience, Deadline, DeadlineAction
from contracts.mining import RightKind, RightStatus
from contracts.rights import NamedDeadlineChanged
from servicekit import clock
from servicekit.events.outbox import publish
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.deadlines.models import (
    AcceptanceSeen,
    GreenListingSeen,
    LegacyAcceptanceSeen,
    NamedDeadlineState,
)
from rights_api.deadlines.schemas import EvidenceItem, NamedDeadlines, NamedDeadlineStatus, State
from rights_api.plan import service as plans
from rights_api.plan.models import PlanEdition
from rights_api.plan.schemas import EditionStatus, Evidence, NamedDeadline
from rights_api.rights.models import CLOSED, Right, RightHistory

HA_PER_KM2 = Decimal(100)
AUDIENCE = Audience(role="bureau_admin")  # the bureau's own targets


async def deadlines(*, session: AsyncSession, edition_id: UUID) -> NamedDeadlines:
    """Every named deadline of the edition as of today (local date)."""
    edition = await plans.get_published(session=session, edition_id=edition_id)
    return await judge(session=session, edition=edition, on=clock.local_today())


async def judge(*, session: AsyncSession, edition: PlanEdition, on: date) -> NamedDeadlines:
    content = plans.view(edition).content
    return NamedDeadlines(
        edition_id=edition.id,
        edition_code=edition.code,
        as_of=on,
        deadlines=[await _judge(session, d, on) for d in content.named_deadlines],
    )


async def _judge(session: AsyncSession, named: NamedDeadline, on: date) -> NamedDeadlineStatus:
    numbers: dict[str, str] = {}
    match named.evidence:
        case Evidence.restoration_accepted:
            items = [await _accepted(session, mine, named.due_on) for mine in named.mines]
        case Evidence.right_closed:
            items = [await _closed(session, mine, named.due_on) for mine in named.mines]
        case Evidence.green_mine_or_exit:
            items = await _green(session, named.due_on)
        case Evidence.legacy_area_restored:
            items, numbers = await _legacy(session, named)
    done = all(i.met for i in items)
    met_on = max((i.on for i in items if i.on), default=None) if done and items else None
    if done and not any(i.late for i in items):
        state = State.met
    elif on > named.due_on:
        state = State.missed
    else:
        state = State.open
    return NamedDeadlineStatus(
        id=named.id,
        title_zh=named.title_zh,
        due_on=named.due_on,
        clause=named.clause,
        words_zh=named.words_zh,
        evidence_kind=named.evidence,
        state=state,
        met_on=met_on,
        outstanding=state == State.missed and not done,
        evidence=items,
        numbers=numbers,
    )


def _item(right: Right | None, mine: str | None, what: str, on: date | None, due: date, **kw):
    return EvidenceItem(
        mine_name=right.mine_name if right else mine,
        right_id=right.id if right else None,
        holder_id=right.holder_id if right else None,
        what=what,
        met=on is not None,
        on=on,
        late=on is not None and on > due,
        right_status=right.status if right else None,
        **kw,
    )


async def _right_named(session: AsyncSession, mine: str) -> Right | None:
    """The mining right of the mine the plan names (专栏一's name), the newest if several."""
    query = (
        select(Right)
        .where(Right.mine_name == mine, Right.kind == RightKind.mining)
        .order_by(Right.created_at.desc())
    )
    return (await session.exec(query)).first()


async def _accepted(session: AsyncSession, mine: str, due: date) -> EvidenceItem:
    right = await _right_named(session, mine)
    if right is None:
        return _item(None, mine, "not_in_register", None, due)
    first = await session.scalar(
        select(func.min(AcceptanceSeen.accepted_on)).where(AcceptanceSeen.right_id == right.id)
    )
    return _item(right, mine, "restoration_accepted" if first else "not_accepted", first, due)


async def _closed(session: AsyncSession, mine: str, due: date) -> EvidenceItem:
    right = await _right_named(session, mine)
    if right is None:
        return _item(None, mine, "not_in_register", None, due)
    if right.status != RightStatus.closed:
        return _item(right, mine, "not_closed", None, due)
    return _item(right, mine, "right_closed", await _closed_on(session, right), due)


async def _closed_on(session: AsyncSession, right: Right) -> date:
    """The local day the right's closure was recorded (its history), else its last change."""
    at = await session.scalar(
        select(func.min(RightHistory.at)).where(
            RightHistory.right_id == right.id, RightHistory.to_status.in_(list(CLOSED))
        )
    )
    return clock.local_today(at or right.updated_at)


async def _green(session: AsyncSession, due: date) -> list[EvidenceItem]:
    """Every producing mine (生产矿山: status producing) on the green-mine list on the due day.
    A mine that left the market (closed, ended, closing) is no longer a producing mine and owes
    nothing here."""
    query = (
        select(Right)
        .where(Right.kind == RightKind.mining, Right.status == RightStatus.producing)
        .order_by(Right.valid_from, Right.created_at, Right.id)
    )
    items = []
    for right in (await session.exec(query)).all():
        listings = (
            await session.exec(
                select(GreenListingSeen)
                .where(GreenListingSeen.right_id == right.id)
                .order_by(GreenListingSeen.entry_date)
            )
        ).all()
        on_time = next(
            (
                x
                for x in listings
                if x.entry_date <= due and (x.delisted_on is None or x.delisted_on > due)
            ),
            None,
        )
        current = next((x for x in listings if x.delisted_on is None), None)
        listing = on_time or current
        entered = listing.entry_date if listing else None
        items.append(_item(right, None, "listed" if listing else "not_listed", entered, due))
    return items


async def _legacy(
    session: AsyncSession, named: NamedDeadline
) -> tuple[list[EvidenceItem], dict[str, str]]:
    """Legacy-site area accepted as restored by the due date, against the target (km²)."""
    rows = (
        await session.exec(select(LegacyAcceptanceSeen).order_by(LegacyAcceptanceSeen.accepted_on))
    ).all()
    required = named.area_km2 or Decimal(0)
    by_due = sum((r.accepted_area_ha for r in rows if r.accepted_on <= named.due_on), Decimal(0))
    total = sum((r.accepted_area_ha for r in rows), Decimal(0))
    reached_on = None
    running = Decimal(0)
    for row in rows:
        running += row.accepted_area_ha
        if running / HA_PER_KM2 >= required:
            reached_on = row.accepted_on
            break

    def km2(ha: Decimal) -> str:
        return f"{(ha / HA_PER_KM2).normalize():f}"

    numbers = {
        "required_km2": f"{required.normalize():f}",
        "restored_km2": km2(by_due),
        "restored_km2_total": km2(total),
    }
    what = "legacy_area_restored" if reached_on else "legacy_area_short"
    return [_item(None, None, what, reached_on, named.due_on)], numbers


# --- publishing: set when tracked, then met or overdue, once each ---------------------------


def deadline_of(edition: PlanEdition, status: NamedDeadlineStatus) -> Deadline:
    action = {
        State.open: DeadlineAction.set,
        State.met: DeadlineAction.met,
        State.missed: DeadlineAction.overdue,
    }[status.state]
    return Deadline(
        id=f"rights.named-deadline.{edition.code}.{status.id}",
        kind="plan_target",
        action=action,
        due_at=status.due_on,
        subject=f"plan-edition:{edition.id}",
        audience=AUDIENCE,
        title_zh=f"{status.title_zh}（{status.clause}）",
    )


async def track(*, session: AsyncSession, edition: PlanEdition, on: date) -> int:
    """Publish what changed for the edition's named deadlines since last told: a new one (or a
    moved due date) is set, then met or overdue. Returns how many events it published."""
    judged = await judge(session=session, edition=edition, on=on)
    rows = {
        r.deadline_id: r
        for r in (
            await session.exec(
                select(NamedDeadlineState)
                .where(NamedDeadlineState.edition_id == edition.id)
                .with_for_update()
            )
        ).all()
    }
    published = 0
    for status in judged.deadlines:
        row = rows.get(status.id)
        steps: list[NamedDeadlineStatus] = []
        if row is None or row.due_on != status.due_on:
            steps.append(status.model_copy(update={"state": State.open}))
            if row is None:
                row = NamedDeadlineState(
                    edition_id=edition.id, deadline_id=status.id, due_on=status.due_on, state="open"
                )
            row.state = State.open
        if status.state != row.state and status.state != State.open:
            steps.append(status)
        for step in steps:
            await _announce(session, edition, step)
            published += 1
        row.due_on, row.state, row.updated_at = status.due_on, status.state, clock.now()
        session.add(row)
    await session.flush()
    return published


async def _announce(session: AsyncSession, edition: PlanEdition, status: NamedDeadlineStatus):
    payload = NamedDeadlineChanged(
        edition_id=edition.id,
        edition_code=edition.code,
        deadline_id=status.id,
        title_zh=status.title_zh,
        clause=status.clause,
        due_on=status.due_on,
        state=status.state.value,
        met_on=status.met_on if status.state != State.open else None,
        deadline=deadline_of(edition, status),
    )
    await publish(session, payload, subject=f"plan-edition:{edition.id}", key=str(edition.id))


async def track_all(session: AsyncSession, now: datetime) -> int:
    """The daily job ``named_deadlines``: every published edition's named deadlines as of
    ``now`` (a draft's are not obligations yet)."""
    on = clock.local_today(now)
    editions = (
        await session.exec(
            select(PlanEdition)
            .where(PlanEdition.status == EditionStatus.published.value)
            .order_by(PlanEdition.effective_from)
        )
    ).all()
    return sum([await track(session=session, edition=e, on=on) for e in editions])


def outstanding(judged: NamedDeadlines) -> list[NamedDeadlineStatus]:
    """The missed deadlines still not done: what conformance reports."""
    return [d for d in judged.deadlines if d.outstanding]

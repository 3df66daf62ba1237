"""Events published by restoration-api on ``restoration.events`` (key: the right id)."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import Field

from contracts.base import EventPayload
from contracts.deadline import Deadline

TOPIC = "restoration.events"


class FundOpened(EventPayload):
    event_type = "restoration.fund.opened"
    topic = TOPIC
    summary = "A mine's restoration fund account was opened 治理恢复基金账户已开立"

    fund_id: UUID
    right_id: UUID
    holder_id: UUID
    opened_at: datetime


class FundClosed(EventPayload):
    event_type = "restoration.fund.closed"
    topic = TOPIC
    summary = "A closed mine's restoration fund account was closed 基金账户已销户"

    fund_id: UUID
    right_id: UUID
    holder_id: UUID
    closed_at: datetime


class TransferPosted(EventPayload):
    event_type = "restoration.transfer.posted"
    topic = TOPIC
    summary = "A ledger transfer was posted to a fund 基金账务已记账"

    transfer_id: UUID
    fund_id: UUID
    right_id: UUID | None = None
    kind: str = Field(examples=["deposit", "expenditure"])
    amount: Decimal = Field(description="Yuan, exact decimal.", examples=["125000.00"])
    posted_at: datetime


class FundShortfall(EventPayload):
    event_type = "restoration.fund.shortfall"
    topic = TOPIC
    summary = "Deposits fell behind the accrued requirement 基金缴存不足"

    fund_id: UUID
    right_id: UUID
    holder_id: UUID
    required: Decimal
    deposited: Decimal
    shortfall: Decimal
    deadline: Deadline = Field(description="The date by which the shortfall must be deposited.")


class FundShortfallCovered(EventPayload):
    event_type = "restoration.fund.shortfall_covered"
    topic = TOPIC
    summary = "Deposits caught up with the requirement 基金缴存缺口已补足"

    fund_id: UUID
    right_id: UUID
    holder_id: UUID
    required: Decimal
    deposited: Decimal
    deadline: Deadline = Field(description="The shortfall's deadline (action met).")


class ObligationDue(EventPayload):
    event_type = "restoration.obligation.due"
    topic = TOPIC
    summary = "An annual restoration plan or report is owed 年度治理计划书、年度报告报送义务"

    obligation_id: UUID
    right_id: UUID
    holder_id: UUID
    kind: str = Field(examples=["annual_restoration_plan", "annual_restoration_report"])
    year: int
    deadline: Deadline


class ObligationSubmitted(EventPayload):
    event_type = "restoration.obligation.submitted"
    topic = TOPIC
    summary = "An annual restoration plan or report was submitted 年度治理计划书、年度报告已提交"

    obligation_id: UUID
    right_id: UUID
    holder_id: UUID
    kind: str
    year: int
    deadline: Deadline = Field(description="The obligation's deadline, now met.")


class ObligationOverdue(EventPayload):
    event_type = "restoration.obligation.overdue"
    topic = TOPIC
    summary = "An annual restoration plan or report is overdue 年度治理材料逾期"

    obligation_id: UUID
    right_id: UUID
    holder_id: UUID
    kind: str
    year: int
    deadline: Deadline = Field(description="The deadline that passed (action overdue).")


class AcceptancePassed(EventPayload):
    event_type = "restoration.acceptance.passed"
    topic = TOPIC
    summary = "Restoration work passed acceptance 治理恢复工程验收通过"

    acceptance_id: UUID
    right_id: UUID
    holder_id: UUID | None = None
    closure: bool = Field(description="True when this acceptance completes a closure case.")
    case_id: UUID | None = Field(None, description="The closure case, when closure is true.")
    application_id: UUID | None = Field(None, description="The rights-api closure application.")
    cause: str | None = Field(
        None,
        description="What opened the closure case: application, or the bureau's ending of the "
        "right (revoked, policy_closed, expired).",
        examples=["policy_closed"],
    )
    accepted_area_ha: Decimal
    accepted_on: date


class AcceptanceFailed(EventPayload):
    event_type = "restoration.acceptance.failed"
    topic = TOPIC
    summary = "Restoration work failed acceptance 治理恢复工程验收未通过"

    acceptance_id: UUID
    right_id: UUID
    holder_id: UUID | None = None
    closure: bool
    case_id: UUID | None = None
    application_id: UUID | None = None
    cause: str | None = None
    reasons: list[str]
    inspected_on: date


class RectificationOrdered(EventPayload):
    event_type = "restoration.rectification.ordered"
    topic = TOPIC
    summary = "Rectification of a mine's restoration was ordered 治理恢复限期整改"

    rectification_id: UUID
    right_id: UUID
    holder_id: UUID
    reason: str
    deadline: Deadline


class RectificationResolved(EventPayload):
    event_type = "restoration.rectification.resolved"
    topic = TOPIC
    summary = "A restoration rectification was resolved 治理恢复整改完成"

    rectification_id: UUID
    right_id: UUID
    holder_id: UUID
    resolved_at: datetime
    deadline: Deadline = Field(description="The order's deadline, now met.")


class RectificationOverdue(EventPayload):
    event_type = "restoration.rectification.overdue"
    topic = TOPIC
    summary = "A restoration rectification ran past its deadline 治理恢复整改逾期"

    rectification_id: UUID
    right_id: UUID
    holder_id: UUID
    deadline: Deadline = Field(description="The deadline that passed (action overdue).")


EVENTS = (
    FundOpened,
    FundClosed,
    TransferPosted,
    FundShortfall,
    FundShortfallCovered,
    ObligationDue,
    ObligationSubmitted,
    ObligationOverdue,
    AcceptancePassed,
    AcceptanceFailed,
    RectificationOrdered,
    RectificationResolved,
    RectificationOverdue,
)


# --- issue 18 part F "targets": legacy sites' restoration, read by rights-api's named deadlines


class LegacySiteAccepted(EventPayload):
    event_type = "restoration.legacy_site.accepted"
    topic = TOPIC
    summary = (
        "Restoration on a legacy site passed acceptance 历史遗留矿山治理恢复验收通过 "
        "(专栏二: 0.52 km² in the plan period)"
    )

    acceptance_id: UUID
    legacy_site_id: UUID
    site_name: str = Field(examples=["盐池废弃采区"])
    accepted_area_ha: Decimal = Field(examples=["12.5"])
    accepted_on: date


EVENTS = (*EVENTS, LegacySiteAccepted)

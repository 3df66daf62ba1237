"""Events published by greenmine-api on ``greenmine.events`` (key: the right id)."""

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from contracts.base import EventPayload
from contracts.deadline import Deadline

TOPIC = "greenmine.events"


class GreenApplicationFiled(EventPayload):
    event_type = "greenmine.application.filed"
    topic = TOPIC
    summary = "A mine applied for the green-mine list 绿色矿山遴选申请已提交"

    application_id: UUID
    right_id: UUID
    holder_id: UUID
    kind: str = Field(examples=["entry", "review"])
    filed_at: datetime


class MineListed(EventPayload):
    event_type = "greenmine.mine.listed"
    topic = TOPIC
    summary = "A mine entered (or re-entered) the green-mine list 纳入绿色矿山名录"

    listing_id: UUID
    right_id: UUID
    holder_id: UUID
    entry_date: date
    next_review_due: date
    relisted: bool = False


class MineDelisted(EventPayload):
    event_type = "greenmine.mine.delisted"
    topic = TOPIC
    summary = "A mine was removed from the green-mine list with an exit notice 移出绿色矿山名录"

    listing_id: UUID
    right_id: UUID
    holder_id: UUID
    exit_notice_no: str = Field(examples=["二自然资绿退〔2026〕1号"])
    reason: str = Field(examples=["mine_closed", "review_failed", "transferred"])
    delisted_on: date


class ReviewDue(EventPayload):
    event_type = "greenmine.review.due"
    topic = TOPIC
    summary = "A listed mine's three-yearly review application is due 绿色矿山复查申请"

    listing_id: UUID
    right_id: UUID
    holder_id: UUID
    review_due: date
    deadline: Deadline = Field(description="The review application, due 6 months before.")


class BenefitsSuspended(EventPayload):
    event_type = "greenmine.benefits.suspended"
    topic = TOPIC
    summary = "A listed mine's benefits are suspended during rectification 暂停绿色矿山优惠政策"

    listing_id: UUID
    right_id: UUID
    holder_id: UUID
    reason: str
    suspended_on: date


class BenefitsRestored(EventPayload):
    event_type = "greenmine.benefits.restored"
    topic = TOPIC
    summary = "A re-listed mine's benefits are restored 恢复绿色矿山优惠政策"

    listing_id: UUID
    right_id: UUID
    holder_id: UUID
    restored_on: date


class GreenRectificationOrdered(EventPayload):
    event_type = "greenmine.rectification.ordered"
    topic = TOPIC
    summary = "A listed mine must rectify within 6 months 绿色矿山限期整改"

    rectification_id: UUID
    listing_id: UUID
    right_id: UUID
    holder_id: UUID
    reason: str
    deadline: Deadline


class GreenRectificationResolved(EventPayload):
    event_type = "greenmine.rectification.resolved"
    topic = TOPIC
    summary = "A green-mine rectification ended (passed or failed) 绿色矿山整改结束"

    rectification_id: UUID
    listing_id: UUID
    right_id: UUID
    holder_id: UUID
    passed: bool
    deadline: Deadline = Field(description="The rectification deadline, now met.")


class GreenRectificationOverdue(EventPayload):
    event_type = "greenmine.rectification.overdue"
    topic = TOPIC
    summary = "A green-mine rectification ran past its deadline 绿色矿山整改逾期"

    rectification_id: UUID
    listing_id: UUID
    right_id: UUID
    holder_id: UUID
    deadline: Deadline = Field(description="The deadline that passed (action overdue).")


class SpotCheckDrawn(EventPayload):
    event_type = "greenmine.spot_check.drawn"
    topic = TOPIC
    summary = "Mines and experts were drawn for a spot check 双随机抽查已抽取"

    spot_check_id: UUID
    seed: str
    algorithm: str
    right_ids: list[UUID]
    expert_ids: list[UUID]
    drawn_at: datetime


class SpotCheckPublished(EventPayload):
    event_type = "greenmine.spot_check.published"
    topic = TOPIC
    summary = "A spot check's results were published 双随机抽查结果已公开"

    spot_check_id: UUID
    published_at: datetime


EVENTS = (
    GreenApplicationFiled,
    MineListed,
    MineDelisted,
    ReviewDue,
    BenefitsSuspended,
    BenefitsRestored,
    GreenRectificationOrdered,
    GreenRectificationResolved,
    GreenRectificationOverdue,
    SpotCheckDrawn,
    SpotCheckPublished,
)

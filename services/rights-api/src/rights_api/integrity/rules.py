"""Which events make an integrity entry, and what entry: rule ``integrity-entries-v1``.

One function per consumed event type, from its payload to the entry (or None: nothing to
record). Each entry names the plan's clause that makes the fact count (checked against the
plan's text):
- 第五章第二节 "加强矿山年度资源储量动态核查，矿山企业必须于本年12月份完成编制下年度采掘计划…报
  自然资源行政管理部门备案" (annual filings), "聘用专业技术人员开展随机巡查制度，建立矿山企业诚信
  体系，对矿山企业…全过程进行监督管理" (patrols, compliance orders, the bureau's suspensions and
  revocations);
- 第六章第二节二 "狠抓落实矿山企业矿山地质环境监测、保护与治理恢复主体责任…足额缴纳矿山地质环境
  治理恢复基金" (restoration rectifications, fund shortfalls);
- the clause of each threshold a three-rates report fell below (第四章第三节, 第八章第三节);
- 第六章第一节三 "将绿色矿山信息纳入企业征信系统" (listing on the green-mine list) and
  第六章第一节四 "整改不合格的矿山、发生违法违规案件的矿山…从目录中除名，公开曝光" (removal,
  green-mine rectification).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from uuid import UUID

from contracts import greenmine, restoration
from contracts import rights as rights_events
from contracts.base import EventPayload
from servicekit.clock import LOCAL

RULE = "integrity-entries-v1"

SUPERVISION = "第五章第二节"
FILINGS = "第五章第二节"
RESTORATION = "第六章第二节二"
GREEN_CREDIT = "第六章第一节三"
GREEN_REMOVAL = "第六章第一节四"

INFO, MINOR, SERIOUS = "info", "minor", "serious"
SEVERITIES = (INFO, MINOR, SERIOUS)
# a delisting for these reasons is an ordinary exit, not a removal 除名
ORDINARY_EXITS = {"mine_closed", "transferred", "voluntary_exit"}


@dataclass(frozen=True)
class Draft:
    holder_id: UUID
    right_id: UUID | None
    kind: str
    severity: str
    clause: str
    summary_zh: str
    occurred_at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


Rule = Callable[[Any, datetime], Draft | None]
RULES: dict[type[EventPayload], Rule] = {}


def rule(payload: type[EventPayload]) -> Callable[[Rule], Rule]:
    def register(function: Rule) -> Rule:
        RULES[payload] = function
        return function

    return register


def _end_of(day) -> datetime:
    """The last instant of a local date (a deadline's day), as an aware datetime."""
    return datetime.combine(day, time.max, tzinfo=LOCAL)


@rule(rights_events.FilingSubmitted)
def filing_submitted(p: rights_events.FilingSubmitted, at: datetime) -> Draft:
    late = p.submitted_at > _end_of(p.deadline.due_at)
    return Draft(
        p.holder_id,
        p.right_id,
        "filing_submitted_late" if late else "filing_submitted_on_time",
        MINOR if late else INFO,
        FILINGS,
        f"{p.year}年度{_filing(p.kind)}{'逾期后' if late else '按期'}报送",
        p.submitted_at,
        {
            "filing_id": str(p.filing_id),
            "kind": p.kind,
            "year": p.year,
            "due_on": p.deadline.due_at.isoformat(),
        },
    )


@rule(rights_events.FilingOverdue)
def filing_overdue(p: rights_events.FilingOverdue, at: datetime) -> Draft:
    return Draft(
        p.holder_id,
        p.right_id,
        "filing_overdue",
        SERIOUS,
        FILINGS,
        f"{p.year}年度{_filing(p.kind)}逾期未报送",
        at,
        {
            "filing_id": str(p.filing_id),
            "kind": p.kind,
            "year": p.year,
            "due_on": p.deadline.due_at.isoformat(),
        },
    )


@rule(rights_events.UtilisationFlagged)
def utilisation_flagged(p: rights_events.UtilisationFlagged, at: datetime) -> Draft:
    """A three-rates report below the edition's thresholds (三率, 第四章第三节; fluorite waste rock
    第八章第三节): each finding names its own clause."""
    return Draft(
        p.holder_id,
        p.right_id,
        "utilisation_below_threshold",
        MINOR,
        "; ".join(dict.fromkeys(f.clause for f in p.findings)),
        f"{p.year}年度三率指标低于规定（{len(p.findings)}项）",
        at,
        {
            "report_id": str(p.report_id),
            "year": p.year,
            "findings": [f.model_dump(mode="json") for f in p.findings],
        },
    )


def _filing(kind: str) -> str:
    return {"annual_mining_plan": "采掘计划", "reserve_verification": "资源储量动态核查报告"}.get(
        kind, kind
    )


@rule(rights_events.ComplianceOrdered)
def compliance_ordered(p: rights_events.ComplianceOrdered, at: datetime) -> Draft:
    return Draft(
        p.holder_id,
        p.right_id,
        "compliance_ordered",
        MINOR,
        SUPERVISION,
        f"被责令限期整改（{p.violation}）",
        at,
        {
            "order_id": str(p.order_id),
            "violation": p.violation,
            "due_on": p.deadline.due_at.isoformat(),
        },
    )


@rule(rights_events.ComplianceResolved)
def compliance_resolved(p: rights_events.ComplianceResolved, at: datetime) -> Draft:
    return Draft(
        p.holder_id,
        p.right_id,
        "compliance_resolved",
        INFO,
        SUPERVISION,
        "限期整改已完成",
        p.resolved_at,
        {"order_id": str(p.order_id)},
    )


@rule(rights_events.ComplianceOverdue)
def compliance_overdue(p: rights_events.ComplianceOverdue, at: datetime) -> Draft:
    return Draft(
        p.holder_id,
        p.right_id,
        "compliance_overdue",
        SERIOUS,
        SUPERVISION,
        "逾期未完成整改，矿山停产整治",
        at,
        {"order_id": str(p.order_id), "due_on": p.deadline.due_at.isoformat()},
    )


@rule(rights_events.RightSuspended)
def suspended(p: rights_events.RightSuspended, at: datetime) -> Draft | None:
    # a suspension that follows an overdue order or rectification is recorded by that overdue
    if p.cause != "bureau":
        return None
    return Draft(
        p.holder_id,
        p.right_id,
        "suspended_by_bureau",
        SERIOUS,
        p.clause or SUPERVISION,
        f"被责令停产：{p.reason}",
        p.suspended_at,
        {"reason": p.reason},
    )


@rule(rights_events.RightRevoked)
def revoked(p: rights_events.RightRevoked, at: datetime) -> Draft:
    return Draft(
        p.holder_id,
        p.right_id,
        "licence_revoked",
        SERIOUS,
        p.clause or SUPERVISION,
        f"采矿许可证被吊销（{p.mine_name}）：{p.reason}",
        p.ended_at,
        {"licence_no": p.licence_no, "reason": p.reason},
    )


@rule(rights_events.InspectionRecorded)
def inspected(p: rights_events.InspectionRecorded, at: datetime) -> Draft | None:
    found = ", ".join(p.violations)
    detail = {"inspection_id": str(p.inspection_id), "violations": p.violations}
    if p.patrol_draw_id is not None:
        detail["patrol_draw_id"] = str(p.patrol_draw_id)
        if p.violations:
            return Draft(
                p.holder_id,
                p.right_id,
                "patrol_violation",
                SERIOUS,
                SUPERVISION,
                f"随机巡查发现违法行为（{found}）",
                p.inspected_at,
                detail,
            )
        return Draft(
            p.holder_id,
            p.right_id,
            "patrol_passed",
            INFO,
            SUPERVISION,
            "随机巡查未发现问题",
            p.inspected_at,
            detail,
        )
    if p.violations:
        return Draft(
            p.holder_id,
            p.right_id,
            "inspection_violation",
            MINOR,
            SUPERVISION,
            f"现场检查发现违法行为（{found}）",
            p.inspected_at,
            detail,
        )
    return None


@rule(restoration.RectificationOrdered)
def restoration_ordered(p: restoration.RectificationOrdered, at: datetime) -> Draft:
    return Draft(
        p.holder_id,
        p.right_id,
        "restoration_rectification_ordered",
        MINOR,
        RESTORATION,
        f"矿山地质环境治理被责令限期整改：{p.reason}",
        at,
        {"rectification_id": str(p.rectification_id), "due_on": p.deadline.due_at.isoformat()},
    )


@rule(restoration.RectificationResolved)
def restoration_resolved(p: restoration.RectificationResolved, at: datetime) -> Draft:
    return Draft(
        p.holder_id,
        p.right_id,
        "restoration_rectification_resolved",
        INFO,
        RESTORATION,
        "矿山地质环境治理整改已完成",
        p.resolved_at,
        {"rectification_id": str(p.rectification_id)},
    )


@rule(restoration.RectificationOverdue)
def restoration_overdue(p: restoration.RectificationOverdue, at: datetime) -> Draft:
    return Draft(
        p.holder_id,
        p.right_id,
        "restoration_rectification_overdue",
        SERIOUS,
        RESTORATION,
        "矿山地质环境治理逾期未整改",
        at,
        {"rectification_id": str(p.rectification_id), "due_on": p.deadline.due_at.isoformat()},
    )


@rule(restoration.FundShortfall)
def fund_shortfall(p: restoration.FundShortfall, at: datetime) -> Draft:
    return Draft(
        p.holder_id,
        p.right_id,
        "fund_shortfall",
        MINOR,
        RESTORATION,
        f"矿山地质环境治理恢复基金未足额计提，差额{p.shortfall}元",
        at,
        {
            "fund_id": str(p.fund_id),
            "shortfall_yuan": str(p.shortfall),
            "due_on": p.deadline.due_at.isoformat(),
        },
    )


@rule(greenmine.MineListed)
def green_listed(p: greenmine.MineListed, at: datetime) -> Draft:
    return Draft(
        p.holder_id,
        p.right_id,
        "green_mine_listed",
        INFO,
        GREEN_CREDIT,
        "纳入绿色矿山名录",
        at,
        {"listing_id": str(p.listing_id), "entry_date": p.entry_date.isoformat()},
    )


@rule(greenmine.MineDelisted)
def green_delisted(p: greenmine.MineDelisted, at: datetime) -> Draft:
    detail = {
        "listing_id": str(p.listing_id),
        "exit_notice_no": p.exit_notice_no,
        "reason": p.reason,
        "delisted_on": p.delisted_on.isoformat(),
    }
    if p.reason in ORDINARY_EXITS:
        return Draft(
            p.holder_id,
            p.right_id,
            "green_mine_exited",
            INFO,
            GREEN_CREDIT,
            f"退出绿色矿山名录（{p.exit_notice_no}）",
            at,
            detail,
        )
    return Draft(
        p.holder_id,
        p.right_id,
        "green_mine_removed",
        SERIOUS,
        GREEN_REMOVAL,
        f"从绿色矿山名录中除名（{p.exit_notice_no}）",
        at,
        detail,
    )


@rule(greenmine.GreenRectificationOrdered)
def green_ordered(p: greenmine.GreenRectificationOrdered, at: datetime) -> Draft:
    return Draft(
        p.holder_id,
        p.right_id,
        "green_rectification_ordered",
        MINOR,
        GREEN_REMOVAL,
        f"绿色矿山被责令整改：{p.reason}",
        at,
        {"rectification_id": str(p.rectification_id), "due_on": p.deadline.due_at.isoformat()},
    )


@rule(greenmine.GreenRectificationOverdue)
def green_overdue(p: greenmine.GreenRectificationOverdue, at: datetime) -> Draft:
    return Draft(
        p.holder_id,
        p.right_id,
        "green_rectification_overdue",
        SERIOUS,
        GREEN_REMOVAL,
        "绿色矿山逾期未整改",
        at,
        {"rectification_id": str(p.rectification_id), "due_on": p.deadline.due_at.isoformat()},
    )

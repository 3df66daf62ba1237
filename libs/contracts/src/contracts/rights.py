"""Events published by rights-api on ``rights.events`` (key and subject: the right id)."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field

from contracts.base import PERSONAL, EventPayload
from contracts.deadline import Deadline
from contracts.mining import (
    LicensingLevel,
    Mineral,
    MiningMethod,
    RightKind,
    RightStatus,
    Scale,
)

TOPIC = "rights.events"


class RightNews(EventPayload):
    """An event that changes a right: it carries the right's version after the change."""

    right_version: int | None = Field(
        None,
        description="The right's version at rights-api after this change (its ETag); a "
        "consumer keeping a copy of the right ignores news not newer than what it holds.",
        examples=[2],
    )


class HolderRegistered(EventPayload):
    event_type = "rights.holder.registered"
    topic = TOPIC
    summary = "A rights holder was registered 采矿权人已登记"

    holder_id: UUID
    credit_code: str = Field(
        description="Unified social credit code (GB 32100-2015).", examples=["91150000114122592P"]
    )
    name: str = Field(examples=["中国石油天然气股份有限公司"])
    registered_at: datetime
    # the enterprise's contact person: personal data (``personal_fields``), stripped from events
    # leaving the bureau for a system not entitled to it
    contact_name: str | None = Field(
        None, examples=["华北油田二连分公司 生产办"], json_schema_extra=PERSONAL
    )
    contact_phone: str | None = Field(None, examples=["0479-7512345"], json_schema_extra=PERSONAL)
    contact_email: str | None = Field(
        None, examples=["shengchan@erlian.example.cn"], json_schema_extra=PERSONAL
    )


class ApplicationFiled(EventPayload):
    event_type = "rights.application.filed"
    topic = TOPIC
    summary = "An application passed the admission check and was filed 申请已受理"

    application_id: UUID
    kind: str = Field(
        examples=["new_mining_right", "closure"],
        description="new_mining_right, new_exploration_right, renewal, transfer, "
        "mortgage_filing, change or closure.",
    )
    holder_id: UUID
    right_id: UUID | None = Field(None, description="The existing right, for all but new ones.")
    mineral: Mineral | None = None
    filed_at: datetime
    deadline: Deadline | None = Field(None, description="The bureau's review deadline.")


class ApplicationReleased(EventPayload):
    event_type = "rights.application.released"
    topic = TOPIC
    summary = "A held application stopped waiting (closure restoration accepted) 申请解除等待"

    application_id: UUID
    kind: str = Field(examples=["closure"])
    holder_id: UUID
    right_id: UUID | None = None
    released_by: str = Field(examples=["restoration.acceptance.passed"])
    released_at: datetime
    deadline: Deadline = Field(description="The review deadline, moved to run from now.")


class ApplicationReviewOverdue(EventPayload):
    event_type = "rights.application.review_overdue"
    topic = TOPIC
    summary = "The bureau's review deadline of an application passed undecided 申请审查逾期"

    application_id: UUID
    kind: str
    holder_id: UUID
    right_id: UUID | None = None
    deadline: Deadline = Field(description="The deadline that passed (action overdue).")


class ApplicationApproved(EventPayload):
    event_type = "rights.application.approved"
    topic = TOPIC
    summary = "An application was approved 申请已批准"

    application_id: UUID
    kind: str
    holder_id: UUID
    right_id: UUID | None = None
    reason: str | None = None
    decided_at: datetime
    deadline: Deadline | None = Field(None, description="The review deadline, now met.")


class ApplicationRejected(EventPayload):
    event_type = "rights.application.rejected"
    topic = TOPIC
    summary = "An application was rejected 申请未获批准"

    application_id: UUID
    kind: str
    holder_id: UUID
    right_id: UUID | None = None
    reason: str
    decided_at: datetime
    deadline: Deadline | None = Field(None, description="The review deadline, now met.")


class RightGranted(RightNews):
    event_type = "rights.right.granted"
    topic = TOPIC
    summary = "A mining or exploration right was granted (or loaded as reference data) 矿业权已设立"

    right_id: UUID
    licence_no: str = Field(examples=["C1500002009062120023456"])
    kind: RightKind
    holder_id: UUID
    holder_name: str | None = None
    mine_name: str = Field(examples=["二连浩特市乌希根楚二号建筑用花岗岩矿"])
    mineral: Mineral
    area_km2: Decimal = Field(examples=["0.0386"])
    scale: Scale | None = None
    method: MiningMethod | None = None
    status: RightStatus
    zone: str | None = Field(None, examples=["SCJ001"])
    licensing_level: LicensingLevel
    valid_from: date
    valid_to: date
    reference: bool = Field(False, description="Loaded from the plan's 专栏一, not granted now.")
    granted_at: datetime
    elevation_top_m: Decimal | None = Field(
        None, description="Licensed top elevation 开采标高上限, metres.", examples=["1010"]
    )
    elevation_bottom_m: Decimal | None = Field(
        None, description="Licensed bottom elevation 开采标高下限, metres.", examples=["950"]
    )


class RightRenewed(RightNews):
    event_type = "rights.right.renewed"
    topic = TOPIC
    summary = "A right's validity was extended 矿业权已延续"

    right_id: UUID
    holder_id: UUID
    licence_no: str
    valid_from: date
    valid_to: date
    renewed_at: datetime


class RightTransferred(RightNews):
    event_type = "rights.right.transferred"
    topic = TOPIC
    summary = "A right passed to another holder 矿业权已转让"

    right_id: UUID
    licence_no: str
    from_holder_id: UUID
    to_holder_id: UUID
    to_holder_name: str | None = None
    transferred_at: datetime


class RightChanged(RightNews):
    event_type = "rights.right.changed"
    topic = TOPIC
    summary = "A right's registered details changed (mine name, scale, method) 矿业权变更"

    right_id: UUID
    holder_id: UUID
    licence_no: str
    mine_name: str
    scale: Scale | None = None
    method: MiningMethod | None = None
    changes: list[str] = Field(description="Names of the fields that changed.")
    changed_at: datetime
    elevation_top_m: Decimal | None = Field(None, description="Licensed top elevation, m.")
    elevation_bottom_m: Decimal | None = Field(None, description="Licensed bottom elevation, m.")


class RightSuspended(RightNews):
    event_type = "rights.right.suspended"
    topic = TOPIC
    summary = "A mine was suspended 矿山已停产整治"

    right_id: UUID
    holder_id: UUID
    reason: str = Field(examples=["compliance_overdue"])
    order_id: UUID | None = None
    suspended_at: datetime
    cause: str | None = Field(
        None,
        description="What suspended it: compliance_overdue, bureau (POST /rights/{id}/suspend) or "
        "restoration_rectification_overdue.",
        examples=["restoration_rectification_overdue"],
    )
    clause: str | None = Field(None, examples=["第六章第二节二"])
    rectification_id: UUID | None = Field(
        None, description="The restoration-api rectification whose overdue suspended it."
    )


class RightStatusChanged(RightNews):
    event_type = "rights.right.status_changed"
    topic = TOPIC
    summary = "A right's status changed (other than granting, suspension and closure) 矿山状态变更"

    right_id: UUID
    holder_id: UUID
    from_status: RightStatus
    to_status: RightStatus
    reason: str | None = None
    changed_at: datetime


class MineClosed(RightNews):
    event_type = "rights.mine.closed"
    topic = TOPIC
    summary = "A mine was closed after its closure restoration passed acceptance 矿山已闭坑"

    right_id: UUID
    holder_id: UUID
    licence_no: str
    status: RightStatus = Field(description="closed or closed_by_policy")
    closed_at: datetime
    reason: str | None = None


class FilingRequired(EventPayload):
    event_type = "rights.filing.required"
    topic = TOPIC
    summary = "An annual filing is owed (mining plan, reserve report) 年度报送义务"

    filing_id: UUID
    right_id: UUID
    holder_id: UUID
    kind: str = Field(examples=["annual_mining_plan", "reserve_verification"])
    year: int = Field(description="The year the filing is for.", examples=[2027])
    deadline: Deadline


class FilingSubmitted(EventPayload):
    event_type = "rights.filing.submitted"
    topic = TOPIC
    summary = "An annual filing was submitted 年度报送已提交"

    filing_id: UUID
    right_id: UUID
    holder_id: UUID
    kind: str
    year: int
    submitted_at: datetime
    deadline: Deadline = Field(description="The filing's deadline, now met.")


class FilingOverdue(EventPayload):
    event_type = "rights.filing.overdue"
    topic = TOPIC
    summary = "An annual filing's date passed unfiled 年度报送逾期"

    filing_id: UUID
    right_id: UUID
    holder_id: UUID
    kind: str
    year: int
    deadline: Deadline = Field(description="The deadline that passed (action overdue).")


class ComplianceOrdered(EventPayload):
    event_type = "rights.compliance.ordered"
    topic = TOPIC
    summary = "A compliance order with a deadline was issued 限期整改通知"

    order_id: UUID
    right_id: UUID
    holder_id: UUID
    violation: str = Field(examples=["out_of_bounds_mining"])
    inspection_id: UUID | None = None
    deadline: Deadline


class ComplianceResolved(EventPayload):
    event_type = "rights.compliance.resolved"
    topic = TOPIC
    summary = "A compliance order was resolved 整改已完成"

    order_id: UUID
    right_id: UUID
    holder_id: UUID
    resolved_at: datetime
    deadline: Deadline = Field(description="The order's deadline, now met.")


class ComplianceOverdue(EventPayload):
    event_type = "rights.compliance.overdue"
    topic = TOPIC
    summary = "A compliance order ran past its deadline; the mine is suspended 整改逾期"

    order_id: UUID
    right_id: UUID
    holder_id: UUID
    deadline: Deadline = Field(description="The deadline that passed (action overdue).")


class InspectionRecorded(EventPayload):
    event_type = "rights.inspection.recorded"
    topic = TOPIC
    summary = "A site inspection was recorded (out_of_bounds: 越界开采 found) 现场检查已记录"

    inspection_id: UUID = Field(description="The inspector app's client_uuid.")
    right_id: UUID
    holder_id: UUID
    inspected_at: datetime
    out_of_bounds: bool | None = Field(
        description="A working-face point lies outside the licensed boundary; null when the "
        "right has no boundary on record."
    )
    violations: list[str] = Field(examples=[["out_of_bounds_mining"]])
    out_of_level: bool | None = Field(
        None,
        description="The working face lies outside the licensed elevation range 超层越界; null "
        "when the range or the face's elevation is not on record.",
    )
    patrol_draw_id: UUID | None = Field(
        None,
        description="The random patrol 随机巡查 (POST /patrol-draws) this inspection was made "
        "for; null for an ordinary inspection.",
    )


class InspectionEdited(EventPayload):
    event_type = "rights.inspection.edited"
    topic = TOPIC
    summary = "An inspector edited a recorded inspection (a new version) 现场检查记录已修改"

    inspection_id: UUID = Field(description="The inspector app's client_uuid.")
    right_id: UUID
    holder_id: UUID
    version: int = Field(description="The record's version after the edit.")
    changed: list[str] = Field(examples=[["findings", "working_face_elevation_m"]])
    out_of_bounds: bool | None
    out_of_level: bool | None
    violations: list[str] = Field(examples=[["out_of_level_mining"]])


EVENTS = (
    HolderRegistered,
    ApplicationFiled,
    ApplicationReleased,
    ApplicationReviewOverdue,
    ApplicationApproved,
    ApplicationRejected,
    RightGranted,
    RightRenewed,
    RightTransferred,
    RightChanged,
    RightSuspended,
    RightStatusChanged,
    MineClosed,
    FilingRequired,
    FilingSubmitted,
    FilingOverdue,
    ComplianceOrdered,
    ComplianceResolved,
    ComplianceOverdue,
    InspectionRecorded,
    InspectionEdited,
)


# --- Part A "offerings": market grant 市场出让 (招拍挂) of planned blocks (第五章第二节) ---------


class GrantInstalment(BaseModel):
    """One payment of the grant proceeds 矿业权出让收益 a grant contract sets."""

    number: int = Field(ge=1, examples=[1])
    amount_yuan: Decimal = Field(description="Yuan, exact decimal.", examples=["240000.00"])
    due_on: date = Field(description="Local date in Asia/Shanghai.")


class _GrantNews(EventPayload):
    """About an awarded offering: the offering, the right registered for it, the winner."""

    offering_id: UUID
    right_id: UUID = Field(description="The right registered for the winner (under_construction).")
    holder_id: UUID = Field(description="The winner 中标人/竞得人.")


class GrantAwarded(_GrantNews):
    event_type = "rights.grant.awarded"
    topic = TOPIC
    summary = "A market grant of a planned block was awarded and its contract signed 矿业权出让成交"

    block_id: str = Field(examples=["KQ-01"])
    mineral: Mineral
    method: str = Field(examples=["tender", "auction", "listing"])
    price_yuan: Decimal = Field(description="Yuan, exact decimal.", examples=["1200000.00"])
    contract_no: str = Field(examples=["CR-152501-2026-00001"])
    decided_on: date
    reference: str | None = Field(
        None, description="The public-resources trading centre's reference, when it ran the sale."
    )
    key_project: bool = False
    instalments: list[GrantInstalment]


class GrantInstalmentDue(_GrantNews):
    event_type = "rights.grant.instalment_due"
    topic = TOPIC
    summary = "An instalment of the grant proceeds falls due 矿业权出让收益分期缴纳"

    contract_no: str
    number: int = Field(ge=1)
    amount_yuan: Decimal = Field(description="Yuan, exact decimal.", examples=["240000.00"])
    deadline: Deadline = Field(description="The payment deadline (kind grant_proceeds).")


EVENTS = (*EVENTS, GrantAwarded, GrantInstalmentDue)


# --- part B "endings": mortgages, the bureau's suspensions and endings, expiry -----------------


class _MortgageNews(RightNews):
    """About one mortgage of a mining right."""

    right_id: UUID
    holder_id: UUID
    licence_no: str
    mortgage_id: UUID
    mortgagee: str = Field(examples=["中国农业银行股份有限公司二连浩特市支行"])


class RightMortgaged(_MortgageNews):
    event_type = "rights.right.mortgaged"
    topic = TOPIC
    summary = "A mortgage of a mining right was filed 采矿权抵押备案"

    amount_yuan: Decimal = Field(examples=["3000000.00"])
    starts_on: date
    ends_on: date
    application_id: UUID | None = Field(None, description="The mortgage_filing application.")
    filed_at: datetime


class MortgageReleased(_MortgageNews):
    event_type = "rights.mortgage.released"
    topic = TOPIC
    summary = "A mortgage of a mining right was released 采矿权抵押解除"

    reason: str
    released_at: datetime


class RightResumed(RightNews):
    event_type = "rights.right.resumed"
    topic = TOPIC
    summary = "A suspended mine resumed 矿山恢复生产"

    right_id: UUID
    holder_id: UUID
    from_status: RightStatus = Field(examples=["suspended"])
    to_status: RightStatus = Field(examples=["producing"])
    cause: str = Field(
        description="bureau (POST /rights/{id}/resume) or restoration_rectification_resolved.",
        examples=["bureau"],
    )
    reason: str
    clause: str | None = None
    rectification_id: UUID | None = None
    resumed_at: datetime


class _RightEnded(RightNews):
    """The bureau ended a right: it enters the closure path (closure restoration, acceptance),
    and rights-api closes the mine when restoration-api reports the acceptance passed."""

    right_id: UUID
    holder_id: UUID
    licence_no: str
    mine_name: str
    ending_id: UUID = Field(description="The ending at rights-api (the closure case's cause).")
    from_status: RightStatus
    status: RightStatus
    reason: str
    clause: str | None = None
    ended_at: datetime


class RightRevoked(_RightEnded):
    event_type = "rights.right.revoked"
    topic = TOPIC
    summary = "A mining right was revoked 采矿许可证吊销 (closure restoration follows)"


class RightPolicyClosed(_RightEnded):
    event_type = "rights.right.policy_closed"
    topic = TOPIC
    summary = "A mine is closed by policy 政策性关闭 (closing until restoration accepted)"


class RightExpired(_RightEnded):
    event_type = "rights.right.expired"
    topic = TOPIC
    summary = "A mining licence ran out unrenewed 采矿许可证有效期届满未延续"

    valid_to: date
    grace_days: int = Field(description="Days after valid_to the bureau waited.")
    deadline: Deadline = Field(
        description="The licence's expiry (id licence-expiry:<right id>, the one the notifier "
        "keeps from the grant and renewals), now overdue: the holder is alerted."
    )


ENDINGS_EVENTS = (
    RightMortgaged,
    MortgageReleased,
    RightResumed,
    RightRevoked,
    RightPolicyClosed,
    RightExpired,
)
EVENTS = (*EVENTS, *ENDINGS_EVENTS)


# --- part C "conformance": existing rights judged against a plan edition (第五章第三节) ---------


class ConformanceFlagged(EventPayload):
    event_type = "rights.conformance.flagged"
    topic = TOPIC
    summary = (
        "The bureau opened the action a plan edition prescribes for a non-conforming right "
        "规划符合性处置"
    )

    action_id: UUID
    edition_id: UUID
    edition_code: str = Field(examples=["2021-2025"])
    right_id: UUID
    holder_id: UUID
    licence_no: str
    mine_name: str
    rule: str = Field(
        examples=["below_min_scale"],
        description="below_min_scale, below_min_scale_no_renewal, prohibited_area, "
        "outside_zone, city_mine_cap, mine_count_cap or output_cap.",
    )
    action: str = Field(examples=["exit"], description="exit, close, no_renewal or restrict.")
    clause: str = Field(examples=["第四章第二节"])
    message_zh: str
    numbers: dict[str, object] = Field(default_factory=dict)
    order_id: UUID | None = Field(
        None, description="The compliance order 限期整改/限期退出 opened for exit or restrict."
    )
    deadline: Deadline | None = Field(
        None,
        description="The holder's deadline: the order's date (exit, restrict) or the licence's "
        "last day (no_renewal); none for close (the closure path has its own).",
    )
    opened_at: datetime


EVENTS = (*EVENTS, ConformanceFlagged)


# --- part D "utilisation": three rates 三率 (第四章第三节; 第八章第三节) and the bureau's
# annual reserve verification 年度资源储量动态核查 (第五章第二节) --------------------------------


class UtilisationFinding(BaseModel):
    """One rate of a report below the threshold the edition sets for it."""

    rule: str = Field(
        examples=["waste_rock_utilisation"],
        description="mining_recovery 开采回采率, processing_recovery 选矿回收率, "
        "comprehensive_utilisation 综合利用率 or waste_rock_utilisation 废石综合利用率.",
    )
    clause: str = Field(examples=["第八章第三节"])
    threshold: Decimal = Field(description="The minimum, in percent.", examples=["80"])
    actual: Decimal = Field(description="The reported rate, in percent.", examples=["62.50"])
    source: str = Field(
        examples=["plan"],
        description="plan: the plan's own number; configuration: a value the plan does not give.",
    )


class UtilisationFlagged(EventPayload):
    event_type = "rights.utilisation.flagged"
    topic = TOPIC
    summary = "A three-rates report fell below the edition's thresholds 三率指标未达标"

    report_id: UUID
    right_id: UUID
    holder_id: UUID
    licence_no: str
    mine_name: str
    mineral: Mineral
    year: int = Field(examples=[2025])
    edition_code: str = Field(examples=["2021-2025"])
    findings: list[UtilisationFinding] = Field(min_length=1)
    reported_at: datetime


class _ReserveCheckNews(EventPayload):
    check_id: UUID
    right_id: UUID
    holder_id: UUID
    year: int = Field(description="The year the verification is about.", examples=[2025])
    deadline: Deadline = Field(description="The bureau's deadline to record the verification.")


class ReserveCheckRequired(_ReserveCheckNews):
    event_type = "rights.reserve_check.required"
    topic = TOPIC
    summary = "The bureau owes a mine's annual reserve verification 年度资源储量动态核查待核查"


class ReserveCheckRecorded(_ReserveCheckNews):
    event_type = "rights.reserve_check.recorded"
    topic = TOPIC
    summary = "The bureau recorded a mine's annual reserve verification 年度资源储量动态核查已核查"

    result: str = Field(examples=["pass", "fail"])
    remarks: str | None = None
    late: bool = Field(description="Recorded after its deadline.")


class ReserveCheckOverdue(_ReserveCheckNews):
    event_type = "rights.reserve_check.overdue"
    topic = TOPIC
    summary = "A mine's annual reserve verification passed its date unrecorded 年度核查逾期"


UTILISATION_EVENTS = (
    UtilisationFlagged,
    ReserveCheckRequired,
    ReserveCheckRecorded,
    ReserveCheckOverdue,
)
EVENTS = (*EVENTS, *UTILISATION_EVENTS)
# --- issue 18 part F "targets": the plan's named deadlines as obligations ----------------------


class NamedDeadlineChanged(EventPayload):
    event_type = "rights.named_deadline.changed"
    topic = TOPIC
    summary = (
        "A dated target of the plan was set, met or missed 规划时限目标设立、达成或逾期 "
        "(第二章第三节, 专栏二, 第六章)"
    )

    edition_id: UUID
    edition_code: str = Field(examples=["2021-2025"])
    deadline_id: str = Field(examples=["wuxigenchu-closure"])
    title_zh: str = Field(examples=["乌希根楚三号、乌希根楚北山建筑用花岗岩矿环境治理与闭坑"])
    clause: str = Field(examples=["第二章第三节"])
    due_on: date = Field(examples=["2021-12-31"])
    state: str = Field(examples=["missed"], description="open, met or missed")
    met_on: date | None = Field(None, description="When the last evidence arrived, if it has.")
    deadline: Deadline = Field(
        description="For the bureau (role bureau_admin): set when tracked or moved, met, or "
        "overdue when the day passed unmet; id rights.named-deadline.<edition code>.<id>."
    )


EVENTS = (*EVENTS, NamedDeadlineChanged)
# --- part E "supervision": random patrols 随机巡查 (第五章第二节) --------------------------------


class PatrolDrawn(EventPayload):
    event_type = "rights.patrol.drawn"
    topic = TOPIC
    summary = "The bureau drew the mines and professionals of a random patrol 随机巡查已抽取"

    patrol_draw_id: UUID
    year: int = Field(examples=[2026])
    seed: str = Field(description="The published seed; with the draw's inputs it reproduces it.")
    method: str = Field(examples=["sha256-rank-v1"])
    inputs_sha256: str = Field(description="SHA-256 of the draw's inputs in canonical JSON.")
    right_ids: list[UUID] = Field(description="The mines drawn, in draw order.")
    professional_ids: list[UUID]
    drawn_at: datetime


EVENTS = (*EVENTS, PatrolDrawn)
# --- issue 19 part B "editions": drafted editions are published ------------------------------


class PlanEditionPublished(EventPayload):
    event_type = "rights.plan_edition.published"
    topic = TOPIC
    summary = (
        "A drafted plan edition was published: from its effective date it judges applications "
        "规划版本已发布 (第七章)"
    )

    edition_id: UUID
    code: str = Field(examples=["2026-2030"])
    title: str = Field(examples=["二连浩特市矿产资源总体规划（2026-2030年）"])
    period_start: date = Field(examples=["2026-01-01"])
    period_end: date = Field(examples=["2030-12-31"])
    effective_from: date = Field(examples=["2027-01-01"])
    replaces: str | None = Field(
        None,
        description="The code of the edition in force the day before it takes effect, if any.",
        examples=["2021-2025"],
    )
    published_by: str
    published_at: datetime


EVENTS = (*EVENTS, PlanEditionPublished)

"""What a plan edition holds: every number and area the admission rules read (第七章: the plan
is re-issued, so these are data per edition, never constants)."""

import math
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from contracts.mining import LicensingLevel, Mineral, MiningMethod, Scale
from geojson_pydantic import Feature, FeatureCollection, MultiPolygon, Polygon
from pydantic import AfterValidator, BaseModel, Field, model_validator
from servicekit.text import Name, Text


class DocumentKind(StrEnum):
    development_plan = "development_plan"  # 开发利用方案
    eia = "eia"  # 环境影响评价
    soil_water_plan = "soil_water_plan"  # 水土保持方案
    restoration_plan = "restoration_plan"  # 矿山地质环境保护与土地复垦方案
    safety_assessment = "safety_assessment"  # 安全评价


class MineralRule(BaseModel):
    """Per mineral: who licenses it, the minimum scale of a new mine, how it is granted."""

    mineral: Mineral
    licensing_level: LicensingLevel = Field(description="Who registers it 登记发证机关")
    min_scale: Scale | None = Field(None, description="Minimum scale of a new mine 最低开采规模")
    competitive_grant: bool = Field(False, description="Granted by tender/auction 招拍挂")
    market_grant_only: bool = Field(
        False,
        description="A new mining right only through a market grant (/grant-offerings): a direct "
        "application is refused (第五章第二节: 普通建筑用砂石矿采矿权必须严格执行市场出让制度).",
    )
    clause: str = Field(examples=["专栏五"])

    def falls_short(self, scale: Scale | None) -> bool:
        """Whether a mine of ``scale`` is below this mineral's minimum (no scale on record, or
        one in another unit, cannot show it reaches it); False when there is no minimum."""
        if self.min_scale is None:
            return False
        minimum = self.min_scale
        return scale is None or scale.unit != minimum.unit or scale.value < minimum.value


class MineCap(BaseModel):
    """A cap on the number of mines and their yearly output, over one or more minerals."""

    name_zh: Name = Field(examples=["建筑用花岗岩"])
    minerals: list[Mineral] = Field(min_length=1)
    max_mines: int | None = Field(None, ge=0)
    max_output: Scale | None = None
    binding: bool = Field(
        False, description="约束性 (binding) or 预期性 (expected: every row of 专栏四 of 2021-2025)"
    )
    clause: str = Field(examples=["第四章第二节, 专栏四"])

    def counts(self, mineral: str) -> bool:
        """Whether a mine of ``mineral`` counts against this cap (whoever licenses it)."""
        return mineral in self.minerals


class SmallMineCap(BaseModel):
    """City-licensed sand-gravel and small non-metallic mines 本市发证砂石及小型非金属矿山."""

    max_mines: int = Field(ge=0, examples=[4])
    minerals: list[Mineral] = Field(min_length=1)
    clause: str = Field(examples=["第二章第三节, 专栏二"])

    def counts(self, mineral: str, licensing_level: str = LicensingLevel.city) -> bool:
        """Whether a mine of ``mineral`` licensed at ``licensing_level`` counts (本市发证)."""
        return mineral in self.minerals and licensing_level == LicensingLevel.city


class ZoneKind(StrEnum):
    concentrated_zone = "concentrated_zone"  # 集中开采区
    planned_block = "planned_block"  # 开采规划区块


class ZoneProperties(BaseModel):
    code: str = Field(examples=["SCJ001"])
    name_zh: Name = Field(examples=["乌希根楚建筑用花岗岩矿集中开采区"])
    kind: ZoneKind
    minerals: list[Mineral] = Field(description="Minerals the zone is planned for; empty: any.")
    area_km2: Decimal | None = Field(None, description="Area given by the plan 规划面积")
    illustrative: bool = Field(
        description="True when the geometry is demo data 示意 (the plan gives areas only)."
    )
    clause: str = Field(examples=["第三章第四节, 专栏三"])


class ProhibitedKind(StrEnum):
    ecological_red_line = "ecological_red_line"  # 生态保护红线
    nature_reserve_core = "nature_reserve_core"  # 自然保护地核心保护区
    water_source_protection = "water_source_protection"  # 水源地保护区
    urban_boundary = "urban_boundary"  # 城镇开发边界
    grassland = "grassland"  # 草原（非草原区原则）
    visible_area = "visible_area"  # 可视区（非可视区原则）


class ProhibitedProperties(BaseModel):
    name_zh: Name = Field(examples=["二连浩特市城镇开发边界"])
    kind: ProhibitedKind
    illustrative: bool
    clause: str = Field(examples=["第三章第一节"])


def _finite(area: Polygon | MultiPolygon) -> Polygon | MultiPolygon:
    """geojson-pydantic takes NaN and Infinity (which Python's JSON reads) as coordinates."""
    nested: list = [area.coordinates]
    while nested:
        value = nested.pop()
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError("coordinates must be finite numbers")
        elif isinstance(value, (list, tuple)):
            nested.extend(value)
    return area


Area = Annotated[Polygon | MultiPolygon, AfterValidator(_finite)]
ZoneFeature = Feature[Area, ZoneProperties]
ProhibitedFeature = Feature[Area, ProhibitedProperties]


class CityExtent(BaseModel):
    name_zh: Name = Field(examples=["二连浩特市"])
    area_km2: Decimal = Field(examples=["4015"])
    boundary: Area
    illustrative: bool
    clause: str = Field(examples=["第一章第一节"])


class Target(BaseModel):
    code: str = Field(examples=["city_small_mines"])
    name_zh: Name
    value: Decimal
    unit: str = Field(examples=["个", "km2", "ha", "%"])
    binding: bool = Field(description="约束性 (binding) or 预期性 (expected)")
    clause: str


class PlannedNewRights(BaseModel):
    """New city-licensed mining rights the plan foresees (第五章第一节)."""

    count: int = Field(examples=[5])
    by_mineral: dict[Mineral, int] = Field(examples=[{"construction_sand": 2}])
    area_km2: Decimal = Field(examples=["0.777"])
    clause: str


class PlannedBlock(BaseModel):
    """A planned block 开采规划区块 (第五章第一节): ground the plan sets aside for one new mining
    right, granted only through the market (第五章第二节, ``/grant-offerings``)."""

    id: str = Field(max_length=32, pattern=r"^[A-Za-z0-9-]+$", examples=["KQ-01"])
    name_zh: Name = Field(max_length=200, examples=["建筑用砂开采规划区块"])
    mineral: Mineral
    area_km2: Decimal = Field(gt=0, max_digits=14, decimal_places=4, examples=["0.1500"])
    boundary: Annotated[Polygon, AfterValidator(_finite)] = Field(
        description="GeoJSON Polygon, CGCS2000 longitude/latitude"
    )
    illustrative: bool = Field(
        description="True when the boundary is demo data 示意 (the plan gives no boundaries)."
    )
    clause: str = Field("第五章第一节", examples=["第五章第一节"])
    scale: Scale | None = Field(
        None, description="The block's planned production scale 区块规划生产建设规模 (≥ 专栏五)."
    )


def _unique_ids(blocks: list[PlannedBlock]) -> list[PlannedBlock]:
    ids = [b.id for b in blocks]
    if len(ids) != len(set(ids)):
        raise ValueError("every planned block id must be unique")
    return blocks


PlannedBlocks = Annotated[list[PlannedBlock], AfterValidator(_unique_ids)]


class Instalment(BaseModel):
    """One payment of the grant proceeds 矿业权出让收益 after a contract is signed."""

    percent: Decimal = Field(gt=0, le=100, examples=["20"])
    due_after_days: int = Field(ge=0, le=36600, description="Days after the award.")


class MarketGrantRules(BaseModel):
    """Periods and steps of a market grant 招拍挂 (矿业权出让交易规则). Working days are counted
    with the mainland statutory calendar; the publication day itself is not counted."""

    notice_workdays: int = Field(
        20, ge=1, le=250, description="出让公告期 (working days) before bidding opens."
    )
    tender_workdays: int = Field(1, ge=1, le=250, description="Bidding window of a tender 招标.")
    auction_workdays: int = Field(1, ge=1, le=250, description="Bidding window of an auction 拍卖.")
    listing_workdays: int = Field(
        10, ge=1, le=250, description="挂牌期: bids stay open at least this many working days."
    )
    min_increment_yuan: Decimal = Field(
        Decimal("10000"),
        gt=0,
        max_digits=14,
        decimal_places=2,
        description="Smallest step above the best bid at an auction or listing 加价幅度.",
    )
    instalments: list[Instalment] = Field(
        default_factory=lambda: [
            Instalment(percent=Decimal(20), due_after_days=30),
            *[Instalment(percent=Decimal(20), due_after_days=365 * n) for n in range(1, 5)],
        ],
        min_length=1,
        description="Payment schedule of the grant proceeds 出让收益 (percentages sum to 100).",
    )

    @model_validator(mode="after")
    def _whole(self) -> "MarketGrantRules":
        if sum(i.percent for i in self.instalments) != 100:
            raise ValueError("the instalments' percentages must sum to 100")
        return self

    def bidding_workdays(self, method: str) -> int:
        return {
            "tender": self.tender_workdays,
            "auction": self.auction_workdays,
            "listing": self.listing_workdays,
        }[method]


class UtilisationRule(StrEnum):
    """The rates a mine reports each year (三率, 第四章第三节) and its waste-rock use."""

    mining_recovery = "mining_recovery"  # 开采回采率
    processing_recovery = "processing_recovery"  # 选矿回收率
    comprehensive_utilisation = "comprehensive_utilisation"  # 综合利用率
    waste_rock_utilisation = "waste_rock_utilisation"  # 废石综合利用率 (reused / produced)


class ThresholdSource(StrEnum):
    plan = "plan"  # the plan's own number, with its clause
    configuration = "configuration"  # a value the plan does not give: the bureau's setting


class UtilisationThreshold(BaseModel):
    """A minimum rate for a mineral (and mining method, or any) 三率最低指标."""

    mineral: Mineral
    method: MiningMethod | None = Field(None, description="Mining method; null: any method.")
    rule: UtilisationRule
    minimum_pct: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2, examples=["80"])
    source: ThresholdSource = Field(
        description="`plan`: the plan's own number (its clause quoted); `configuration`: the plan "
        "gives none, the value is the bureau's setting and carries no plan authority."
    )
    clause: str = Field(max_length=300, examples=["第八章第三节"])
    note: Text | None = Field(
        None, max_length=1000, description="Where the number stands, or why it is configuration."
    )


def _unique_thresholds(items: list[UtilisationThreshold]) -> list[UtilisationThreshold]:
    keys = [(t.mineral, t.method, t.rule) for t in items]
    if len(keys) != len(set(keys)):
        raise ValueError("one threshold per mineral, method and rule")
    return items


UtilisationThresholds = Annotated[list[UtilisationThreshold], AfterValidator(_unique_thresholds)]


class Evidence(StrEnum):
    """What shows a named deadline met 达标依据 (each read from rights-api's own data or from
    the events it consumes)."""

    restoration_accepted = "restoration_accepted"  # 治理修复工程验收通过 (restoration-api)
    right_closed = "right_closed"  # 闭坑手续办结: the right closed (status ``closed``)
    green_mine_or_exit = "green_mine_or_exit"  # 生产矿山纳入绿色矿山名录, 或退出矿业市场
    legacy_area_restored = "legacy_area_restored"  # 历史遗留矿山治理恢复面积 (restoration-api)


class NamedDeadline(BaseModel):
    """A dated target the plan names 规划明确时限的目标任务, tracked as an obligation: met, missed
    or open as of a day, with the evidence."""

    id: str = Field(max_length=40, pattern=r"^[a-z0-9-]+$", examples=["yanchibei-restoration"])
    title_zh: Name = Field(
        max_length=200, examples=["盐池北建筑用碳质板岩石料矿退出保护区治理修复验收"]
    )
    due_on: date = Field(description="Local date (Asia/Shanghai) by which it must be met.")
    clause: str = Field(max_length=80, examples=["第二章第三节"])
    words_zh: Text = Field(max_length=1000, description="The plan's own words 规划原文.")
    evidence: Evidence
    mines: list[str] = Field(
        default_factory=list,
        description="The mines it names (专栏一's names), for restoration_accepted and "
        "right_closed.",
    )
    area_km2: Decimal | None = Field(
        None, gt=0, description="The area to restore, for legacy_area_restored."
    )

    @model_validator(mode="after")
    def _complete(self) -> "NamedDeadline":
        if self.evidence in (Evidence.restoration_accepted, Evidence.right_closed):
            if not self.mines:
                raise ValueError(f"{self.evidence.value} needs the mines it names")
        if self.evidence == Evidence.legacy_area_restored and self.area_km2 is None:
            raise ValueError("legacy_area_restored needs area_km2")
        return self


def _unique_deadlines(items: list[NamedDeadline]) -> list[NamedDeadline]:
    ids = [d.id for d in items]
    if len(ids) != len(set(ids)):
        raise ValueError("every named deadline id must be unique")
    return items


NamedDeadlines = Annotated[list[NamedDeadline], AfterValidator(_unique_deadlines)]


class AdmissionRules(BaseModel):
    area_tolerance: Decimal = Field(
        Decimal("0.01"), description="Largest relative gap between declared and computed area."
    )
    borrow_pit_max_years: int = Field(
        3, description="重大建设项目临时取料点 ≤ 3 years (第五章第一节)"
    )
    min_scale_deadline: date = Field(
        date(2023, 12, 31),
        description="Mines still below the minimum scale after this date get no renewal "
        "(第四章第二节).",
    )
    required_documents: list[DocumentKind] = Field(
        description="Documents a new mining right must carry (第五章第三节)."
    )
    review_workdays: int = Field(
        20,
        ge=1,
        description="Working days the bureau has to decide (bureau practice).",
    )
    default_term_years: int = Field(10, ge=1, description="Validity when none is asked for.")


class PlanContent(BaseModel):
    minerals: list[MineralRule]
    small_mine_cap: SmallMineCap
    mine_caps: list[MineCap]
    city: CityExtent
    zones: FeatureCollection[ZoneFeature] = Field(
        description="Concentrated zones 集中开采区 and planned blocks 开采规划区块 (GeoJSON)."
    )
    prohibited_areas: FeatureCollection[ProhibitedFeature] = Field(
        description="Red line, reserve cores, water-source protection, urban boundary... (GeoJSON)"
    )
    targets: list[Target]
    planned_new_rights: PlannedNewRights
    planned_blocks: PlannedBlocks = Field(
        default_factory=list,
        description="Planned blocks 开采规划区块 of the new rights (第五章第一节).",
    )
    market_grant: MarketGrantRules = Field(
        default_factory=MarketGrantRules, description="Market grant 招拍挂 periods and steps."
    )
    utilisation_thresholds: UtilisationThresholds = Field(
        default_factory=list,
        description="Minimum three rates 三率 per mineral and method (第四章第三节), and the "
        "plan's fluorite waste-rock utilisation ≥ 80 % (第八章第三节).",
    )
    rules: AdmissionRules
    named_deadlines: NamedDeadlines = Field(
        default_factory=list,
        description="The plan's dated targets 规划明确时限的目标任务 (第二章第三节, 专栏二, "
        "第六章), tracked at /plan-editions/{id}/deadlines.",
    )

    def block(self, block_id: str) -> PlannedBlock | None:
        return next((b for b in self.planned_blocks if b.id == block_id), None)

    def mineral(self, mineral: Mineral) -> MineralRule | None:
        return next((m for m in self.minerals if m.mineral == mineral), None)

    def thresholds_for(
        self, mineral: Mineral, method: MiningMethod | None
    ) -> dict[UtilisationRule, UtilisationThreshold]:
        """Per rule, the threshold for ``mineral`` mined by ``method``: one naming the method
        wins over one for any method."""
        found: dict[UtilisationRule, UtilisationThreshold] = {}
        for t in sorted(self.utilisation_thresholds, key=lambda t: t.method is not None):
            if t.mineral == mineral and t.method in (None, method):
                found[t.rule] = t
        return found


class PlanEditionCreate(PlanContent):
    code: str = Field(max_length=40, examples=["2021-2025"])
    title: str = Field(max_length=300, examples=["二连浩特市矿产资源总体规划（2021-2025年）"])
    period_start: date
    period_end: date
    effective_from: date = Field(description="In force for applications filed from this day.")


class PlanParts(BaseModel):
    """The parts of an edition, each optional: what a draft holds while it is being written.
    Publishing checks that the parts the admission rules need are all there."""

    minerals: list[MineralRule] | None = None
    small_mine_cap: SmallMineCap | None = None
    mine_caps: list[MineCap] | None = None
    city: CityExtent | None = None
    zones: FeatureCollection[ZoneFeature] | None = None
    prohibited_areas: FeatureCollection[ProhibitedFeature] | None = None
    targets: list[Target] | None = None
    planned_new_rights: PlannedNewRights | None = None
    planned_blocks: PlannedBlocks | None = None
    market_grant: MarketGrantRules | None = None
    utilisation_thresholds: UtilisationThresholds | None = None
    rules: AdmissionRules | None = None
    named_deadlines: NamedDeadlines | None = None


CONTENT_PARTS = tuple(PlanParts.model_fields)


class PlanEditionUpdate(PlanParts):
    """Replace parts of an edition; send If-Match. A draft takes every part; a published
    edition only the adjustments listed in ``service.ADJUSTABLE`` (规划调整, 第七章二)."""

    title: Name | None = Field(None, max_length=300)
    period_start: date | None = None
    period_end: date | None = None
    effective_from: date | None = Field(
        None, description="The proposed day; it is set for good by publishing."
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "small_mine_cap": {
                        "max_mines": 4,
                        "minerals": ["construction_sand"],
                        "clause": "第二章第三节, 专栏二",
                    }
                }
            ]
        }
    }


class PlanDraftCreate(PlanParts):
    """A new draft edition: its code, and whatever parts are ready (the rest is added with
    PATCH before publishing)."""

    code: str = Field(max_length=40, pattern=r"^[A-Za-z0-9._-]+$", examples=["2026-2030"])
    title: Name | None = Field(
        None, max_length=300, examples=["二连浩特市矿产资源总体规划（2026-2030年）"]
    )
    period_start: date | None = Field(None, examples=["2026-01-01"])
    period_end: date | None = Field(None, examples=["2030-12-31"])
    effective_from: date | None = Field(
        None, description="The proposed day it takes effect; set for good by publishing."
    )


class DraftFrom(BaseModel):
    """A draft copied from an edition (usually the one in force): a new code, and optionally a
    new title and period; every part is copied."""

    code: str = Field(max_length=40, pattern=r"^[A-Za-z0-9._-]+$", examples=["2026-2030"])
    title: Name | None = Field(
        None, max_length=300, examples=["二连浩特市矿产资源总体规划（2026-2030年）（草案）"]
    )
    period_start: date | None = Field(None, examples=["2026-01-01"])
    period_end: date | None = Field(None, examples=["2030-12-31"])


class Publish(BaseModel):
    effective_from: date = Field(
        description="Applications filed from this day (Beijing time) are judged by the edition; "
        "not before today, inside its period, not another published edition's day.",
        examples=["2027-01-01"],
    )


class EditionStatus(StrEnum):
    draft = "draft"  # 草案
    published = "published"  # 已发布


class PlanEditionPublic(PlanParts):
    id: UUID
    code: str = Field(examples=["2021-2025"])
    status: EditionStatus = Field(
        description="`draft` 草案 (never judges anything) or `published` 已发布"
    )
    title: str | None = Field(examples=["二连浩特市矿产资源总体规划（2021-2025年）"])
    period_start: date | None
    period_end: date | None
    effective_from: date | None = Field(
        description="Applications filed from this day are judged by it (null on a draft not "
        "yet dated)."
    )
    past_period: bool = Field(
        False,
        description="True when today is after its period: a published edition past its period "
        "stays in force until the next one takes effect (第七章).",
    )
    published_at: datetime | None = None
    published_by: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class PlanEditionSummary(BaseModel):
    id: UUID
    code: str
    status: EditionStatus
    title: str | None
    period_start: date | None
    period_end: date | None
    effective_from: date | None
    version: int


class Violation(BaseModel):
    """One failed rule, with the plan clause it comes from and the numbers compared."""

    code: str = Field(examples=["min_scale"])
    clause: str = Field(examples=["专栏五"])
    message_zh: str = Field(examples=["生产规模3万m³/年低于建筑用花岗岩最低开采规模6万m³/年"])
    message_en: str = Field(
        examples=["scale 3 10k_m3_per_year is below the minimum 6 10k_m3_per_year"]
    )
    numbers: dict[str, object] = Field(
        default_factory=dict,
        description="The values compared",
        examples=[{"scale": "3", "minimum": "6", "unit": "10k_m3_per_year"}],
    )

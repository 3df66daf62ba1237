"""Code lists every service shares: minerals, scale units, methods, right kinds and states."""

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Mineral(StrEnum):
    """The minerals of the plan (第一章第一节), with their Chinese names in ``MINERAL_NAMES_ZH``."""

    petroleum = "petroleum"
    uranium = "uranium"
    fluorite = "fluorite"
    agate = "agate"
    mirabilite = "mirabilite"
    construction_sand = "construction_sand"
    brick_clay = "brick_clay"
    construction_granite = "construction_granite"
    slate = "slate"


MINERAL_NAMES_ZH: dict[Mineral, str] = {
    Mineral.petroleum: "石油",
    Mineral.uranium: "铀矿",
    Mineral.fluorite: "萤石",
    Mineral.agate: "玛瑙(玉髓)",
    Mineral.mirabilite: "芒硝",
    Mineral.construction_sand: "建筑用砂",
    Mineral.brick_clay: "砖瓦用粘土",
    Mineral.construction_granite: "建筑用花岗岩",
    Mineral.slate: "建筑用板岩",
}


class ScaleUnit(StrEnum):
    ten_thousand_t_per_year = "10k_t_per_year"  # 万吨/年
    ten_thousand_m3_per_year = "10k_m3_per_year"  # 万m³/年
    t_per_year = "t_per_year"  # 吨/年


class MiningMethod(StrEnum):
    open_pit = "open_pit"  # 露天
    underground = "underground"  # 地下


class RightKind(StrEnum):
    exploration = "exploration"  # 探矿权
    mining = "mining"  # 采矿权


class RightStatus(StrEnum):
    under_construction = "under_construction"  # 在建
    producing = "producing"  # 生产
    suspended = "suspended"  # 停产
    closing = "closing"  # 闭坑中
    closed = "closed"  # 闭坑
    closed_by_policy = "closed_by_policy"  # 政策性关闭
    # ended by the bureau: in the closure path (restoration acceptance) until `closed`
    revoked = "revoked"  # 吊销
    expired = "expired"  # 有效期届满未延续


class LicensingLevel(StrEnum):
    city = "city"  # 市级
    region = "region"  # 自治区级
    state = "state"  # 国家级


class Scale(BaseModel):
    """Production scale 生产规模: a value and its unit."""

    model_config = ConfigDict(frozen=True)

    value: Decimal = Field(ge=0, examples=["13.9"])
    unit: ScaleUnit = Field(examples=["10k_t_per_year"])

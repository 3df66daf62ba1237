"""What the conformance API reads and writes: findings of existing rights against a plan
edition, and the actions opened from them."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from contracts.mining import LicensingLevel, Mineral, RightStatus
from pydantic import BaseModel, Field
from servicekit.text import Text


class Rule(StrEnum):
    below_min_scale = "below_min_scale"  # 低于最低开采规模 (第四章第二节)
    below_min_scale_no_renewal = "below_min_scale_no_renewal"  # 到期不再延续 (第四章第二节)
    prohibited_area = "prohibited_area"  # 禁止开采区内 (第五章第三节 规划准入条件)
    outside_zone = "outside_zone"  # 不在集中开采区/开采规划区块内 (第三章第四节)
    city_mine_cap = "city_mine_cap"  # 本市发证矿山数量 (第二章第三节, 专栏二)
    mine_count_cap = "mine_count_cap"  # 分矿种矿山数量 (第四章第二节, 专栏四)
    output_cap = "output_cap"  # 分矿种规划年产量 (第四章第二节, 专栏四)


class Action(StrEnum):
    exit = "exit"  # 退出: a compliance order 限期退出
    close = "close"  # 关停退出: policy closure 政策性关闭
    no_renewal = "no_renewal"  # 到期不再延续: recorded; the renewal rule refuses it
    restrict = "restrict"  # 限期整改或整合 (an order), or no new grants over a cap (recorded)


class Effect(StrEnum):
    """What opening the action does."""

    compliance_order = "compliance_order"  # a compliance order with a deadline
    policy_closure = "policy_closure"  # the right enters closing (政策性关闭)
    recorded = "recorded"  # a line in the right's history; the admission rules enforce it


# 二连浩特市乌希根楚三号建筑用花岗岩矿 (专栏一 No. 7): 3万m³/年 against the minimum of 6
EXAMPLE_FINDING = {
    "right_id": "6c0d5a8e-1f3b-4e2a-9d7c-2b8e4f1a0c37",
    "licence_no": "C1525012020120099000007",
    "mine_name": "二连浩特市乌希根楚三号建筑用花岗岩矿",
    "holder_id": "3e9f2a71-5c4d-4b8e-a0f1-7d6c5b4a3928",
    "mineral": "construction_granite",
    "licensing_level": "city",
    "right_status": "closing",
    "rule": "below_min_scale",
    "clause": "第四章第二节",
    "action": "exit",
    "effect": "compliance_order",
    "message_zh": "2023年12月31日后仍达不到最低开采规模6万m³/年（现为3万m³/年），应当退出",
    "message_en": "below the minimum scale 6 10k_m3_per_year after 2023-12-31 (its scale: 3); "
    "the mine exits",
    "numbers": {"scale": "3", "minimum": "6", "unit": "10k_m3_per_year"},
    "illustrative": False,
    "action_id": None,
}


class Finding(BaseModel):
    right_id: UUID
    licence_no: str
    mine_name: str
    holder_id: UUID
    mineral: Mineral
    licensing_level: LicensingLevel
    right_status: RightStatus
    rule: Rule
    clause: str = Field(description="Where the plan says it 规划条款")
    action: Action = Field(description="What the plan prescribes 处置")
    effect: Effect = Field(description="What opening the action does")
    message_zh: str
    message_en: str
    numbers: dict[str, Any] = Field(description="The numbers compared")
    illustrative: bool = Field(
        description="The finding rests on demo geometry 示意 (a zone, prohibited area or "
        "boundary the plan does not give): check it against real boundaries before acting"
    )
    action_id: UUID | None = Field(description="The action already opened from it, if any")

    model_config = {"json_schema_extra": {"examples": [EXAMPLE_FINDING]}}


class DeadlineFinding(BaseModel):
    """A named deadline of the plan missed and still not done (GET /plan-editions/{id}/deadlines):
    one per right that has not done its part, or one for the plan when no right answers for it
    (legacy and ownerless sites: 由地方政府负责治理, 第六章第二节四)."""

    rule: Literal["named_deadline_missed"] = "named_deadline_missed"
    deadline_ids: list[str] = Field(examples=[["green-mine-standard"]])
    clause: str = Field(examples=["第二章第三节, 专栏二; 第六章第一节"])
    action: Literal["exit", "restrict", "report"] = Field(
        description="exit 退出矿业市场 (green-mine standard not reached: a policy closure or an "
        "exit order, the bureau's decision); restrict 限期完成 (a restoration or closure not "
        "done: a compliance order); report 报告市人民政府 (第七章: the plan's own target)",
        examples=["exit"],
    )
    right_id: UUID | None = None
    licence_no: str | None = None
    mine_name: str | None = Field(None, examples=["二连浩特市乌希根楚二号建筑用花岗岩矿"])
    holder_id: UUID | None = None
    right_status: str | None = Field(None, examples=["producing"])
    message_zh: str
    message_en: str
    numbers: dict[str, Any] = Field(default_factory=dict)


class Conformance(BaseModel):
    edition_id: UUID
    edition_code: str = Field(examples=["2021-2025"])
    judged_on: date = Field(description="Local date the rights were judged on")
    findings: list[Finding]
    deadline_findings: list[DeadlineFinding] = Field(
        default_factory=list,
        description="The plan's named deadlines missed and still not done "
        "(rule named_deadline_missed; GET /plan-editions/{id}/deadlines has the evidence)",
    )


class ActionOpen(BaseModel):
    right_id: UUID = Field(description="The right of the finding 矿业权")
    rule: Rule = Field(description="The finding's rule", examples=["below_min_scale"])
    reason: Text | None = Field(
        None, max_length=1000, description="Added to the order, history line and event 说明"
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"right_id": EXAMPLE_FINDING["right_id"], "rule": "below_min_scale"},
            ]
        }
    }


class ActionPublic(BaseModel):
    id: UUID
    edition_id: UUID
    right_id: UUID
    rule: Rule
    action: Action
    clause: str
    numbers: dict[str, Any]
    order_id: UUID | None = Field(description="The compliance order opened (exit, restrict)")
    due_on: date | None = Field(description="The holder's deadline, if any")
    opened_by: str
    opened_at: datetime

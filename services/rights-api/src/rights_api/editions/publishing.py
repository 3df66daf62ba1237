"""What a draft must hold before it is published (第七章: the edition that judges applications
is never empty or half filled): every missing piece, none stopping the others."""

from datetime import date
from typing import Any

from servicekit.errors import Unprocessable

from rights_api.editions.schemas import MissingPiece
from rights_api.plan.models import PlanEdition

# part → (Chinese, English) name, in the order they are reported
REQUIRED = {
    "minerals": (
        "矿种准入与最低开采规模（专栏五）",
        "the minerals and their minimum scales (专栏五)",
    ),
    "small_mine_cap": ("本市发证砂石及小型非金属矿山数量控制（专栏二）", "the city cap (专栏二)"),
    "mine_caps": ("矿山数量与开采总量控制（专栏四）", "the mine caps (专栏四)"),
    "city": ("规划范围（第一章第一节）", "the city extent"),
    "zones": ("集中开采区（专栏三）", "the concentrated zones (专栏三)"),
    "prohibited_areas": ("禁止开采区（第三章第一节）", "the prohibited areas"),
    "targets": ("规划指标（专栏二）", "the targets (专栏二)"),
    "planned_new_rights": ("新设采矿权投放（第五章第一节）", "the planned new rights"),
    "rules": ("准入审查设置", "the admission settings"),
}
# parts that must not only be there but hold something (an empty list judges nothing)
NOT_EMPTY = {"minerals", "mine_caps", "targets"}


def missing_pieces(
    edition: PlanEdition, effective_from: date, *, today: date, taken_by: str | None
) -> list[MissingPiece]:
    """Every reason ``edition`` cannot be published to take effect on ``effective_from``
    (``taken_by``: the published edition already taking effect that day)."""
    found: list[MissingPiece] = []

    def miss(field: str, code: str, zh: str, en: str) -> None:
        found.append(MissingPiece(field=field, code=code, message_zh=zh, message_en=en))

    if not (edition.title or "").strip():
        miss("title", "missing", "缺少规划名称", "no title")
    for field, zh, en in (("period_start", "起始", "start"), ("period_end", "截止", "end")):
        if getattr(edition, field) is None:
            miss(field, "missing", f"缺少规划期{zh}日期", f"no period {en}")
    start, end = edition.period_start, edition.period_end
    if effective_from < today:
        miss(
            "effective_from",
            "before_today",
            f"生效日期{effective_from}早于今天{today}",
            f"the effective date {effective_from} is before today {today}",
        )
    if start is not None and end is not None and not start <= effective_from <= end:
        miss(
            "effective_from",
            "outside_period",
            f"生效日期{effective_from}不在规划期{start}至{end}内",
            f"the effective date {effective_from} is outside the period {start} to {end}",
        )
    if taken_by is not None:
        miss(
            "effective_from",
            "taken",
            f"规划{taken_by}已于{effective_from}生效",
            f"edition {taken_by} already takes effect on {effective_from}",
        )
    content: dict[str, Any] = edition.content
    for part, (zh, en) in REQUIRED.items():
        value = content.get(part)
        if value is None:
            miss(part, "missing", f"缺少{zh}", f"no {en}")
        elif part in NOT_EMPTY and not value:
            miss(part, "empty", f"{zh}为空", f"{en}: none given")
    zones = content.get("zones")
    if zones is not None and not zones.get("features"):
        miss("zones", "empty", f"{REQUIRED['zones'][0]}为空", "no concentrated zones given")
    minerals = content.get("minerals") or []
    if minerals and not any(m.get("min_scale") for m in minerals):
        miss(
            "minerals.min_scale",
            "missing",
            "未规定任何矿种的最低开采规模（专栏五）",
            "no mineral has a minimum scale (专栏五)",
        )
    return found


def incomplete(edition: PlanEdition, missing: list[MissingPiece], what: str) -> Unprocessable:
    """The 422 naming every missing piece (``type …edition-incomplete``)."""
    error = Unprocessable(
        f"Edition {edition.code} {what}: " + "; ".join(f"{m.field} ({m.code})" for m in missing),
        title="The draft is not complete 规划草案不完整",
        violations=[m.model_dump() for m in missing],
    )
    error.slug = "edition-incomplete"
    return error

"""What the bureau's actions on a right read."""

from pydantic import BaseModel, Field
from servicekit.text import Text


class BureauAction(BaseModel):
    """Why the bureau acts, and the clause it acts on."""

    reason: Text = Field(min_length=1, max_length=4000, description="Why 原因")
    clause: str | None = Field(
        None, max_length=80, description="The clause or decision it rests on 依据条款"
    )


EXAMPLES = {
    "suspend": {
        "summary": "停产整治",
        "value": {
            "reason": "矿山地质环境破坏较大，责令限期整改逾期未达标，实行停产整治",
            "clause": "第六章第二节二",
        },
    },
    "resume": {
        "summary": "恢复生产",
        "value": {"reason": "停产整治已完成，经复查达标，恢复生产"},
    },
    "revoke": {
        "summary": "吊销采矿许可证",
        "value": {
            "reason": "越界开采经责令停止仍拒不停止，依法吊销采矿许可证",
            "clause": "第五章第二节",
        },
    },
    "policy-close": {
        "summary": "政策性关闭",
        "value": {
            "reason": "已停产多年且资源量接近枯竭，根据政策要求退出矿业市场，开展矿山环境治理和"
            "土地复垦工程",
            "clause": "第五章第二节",
        },
    },
}

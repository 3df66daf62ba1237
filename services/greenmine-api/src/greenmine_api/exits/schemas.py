"""What exits read and write: removal, voluntary exit, the numbered notice."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field
from servicekit.text import Text


class ExitNoticePublic(BaseModel):
    number: str = Field(examples=["二自然资绿退〔2026〕1号"])
    reason: str = Field(examples=["mine_closed"])
    text_zh: str
    published_on: date


class Removal(BaseModel):
    reason: Literal["violation", "major_accident"] = Field(
        description="违法违规 or 重大安全、环境事故 (other removals follow from events, decisions)"
    )
    detail: Text = Field(max_length=2000, examples=["2026年10月发生重大环境污染事故"])


class VoluntaryExit(BaseModel):
    reason: Text = Field(max_length=1000, examples=["企业转型，申请退出绿色矿山名录"])

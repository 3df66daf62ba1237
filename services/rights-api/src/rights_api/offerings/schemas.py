"""Market grant offerings 矿业权出让: what the bureau sends and what the API returns. Money is a
decimal string in yuan on the wire (two places), integer fen in storage."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from contracts.mining import Mineral, MiningMethod, Scale
from pydantic import BaseModel, Field, model_validator
from servicekit.text import Name, Text

from rights_api.offerings.models import OfferingMethod, OfferingState

Yuan = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
METHOD_ZH = {"tender": "招标", "auction": "拍卖", "listing": "挂牌"}


class OfferingCreate(BaseModel):
    """A planned block of the edition in force, offered on the market (第五章第二节)."""

    block_id: str = Field(max_length=32, examples=["KQ-01"], description="开采规划区块 id")
    method: OfferingMethod
    reserve_price_yuan: Yuan = Field(gt=0, description="底价/起始价", examples=["1200000.00"])
    deposit_yuan: Yuan = Field(ge=0, description="竞买保证金", examples=["240000.00"])
    term_years: int = Field(ge=1, le=30, description="出让年限", examples=[10])
    scale: Scale = Field(description="Production scale 生产规模 (≥ 专栏五's minimum)")
    method_of_mining: MiningMethod = Field(MiningMethod.open_pit, description="开采方式")
    mine_name: Name | None = Field(
        None, max_length=200, description="The mine's name; default the block's name."
    )
    key_project: bool = Field(
        False,
        description="The city government set the grant conditions for a rail, road or other "
        "key project 重点工程项目 (第五章第二节).",
    )
    basis: Text | None = Field(
        None,
        max_length=2000,
        description="For a key project: the city government's decision that sets the conditions.",
        examples=["市人民政府关于二连浩特至赛汉塔拉铁路扩能改造工程砂石供应的会议纪要"],
    )

    @model_validator(mode="after")
    def _basis(self) -> "OfferingCreate":
        if self.key_project and not self.basis:
            raise ValueError("a key-project offering needs its basis")
        return self


OFFERING_EXAMPLE = {
    "block_id": "KQ-01",
    "method": "listing",
    "reserve_price_yuan": "1200000.00",
    "deposit_yuan": "240000.00",
    "term_years": 10,
    "scale": {"value": "10", "unit": "10k_m3_per_year"},
}
OFFERING_EXAMPLES = {
    "listing": {"summary": "挂牌出让 KQ-01 建筑用砂", "value": OFFERING_EXAMPLE},
    "tender": {
        "summary": "招标出让 KQ-03 建筑用花岗岩（重点工程）",
        "value": {
            **OFFERING_EXAMPLE,
            "block_id": "KQ-03",
            "method": "tender",
            "key_project": True,
            "basis": "市人民政府为公路重点工程项目设定市场出让条件",
        },
    },
}


class Announce(BaseModel):
    notice_from: date = Field(
        description="Day the notice 出让公告 is published (not before today, Beijing time).",
        examples=["2026-03-02"],
    )


class BidderCreate(BaseModel):
    holder_id: UUID
    deposit_yuan: Yuan | None = Field(
        None, ge=0, description="Deposit received; default the offering's deposit (never less)."
    )


class BidCreate(BaseModel):
    holder_id: UUID
    amount_yuan: Yuan = Field(gt=0, examples=["1250000.00"])


class ResultCreate(BaseModel):
    """A sale run by the city's public-resources trading centre 公共资源交易中心, recorded after."""

    holder_id: UUID = Field(description="The winner 竞得人")
    price_yuan: Yuan = Field(gt=0, description="成交价", examples=["1380000.00"])
    decided_on: date = Field(description="Day of the sale 成交日期", examples=["2026-04-08"])
    reference: str = Field(
        min_length=1, max_length=200, description="The centre's reference 成交确认书编号"
    )
    notice_from: date | None = Field(
        None,
        description="Day the centre published the notice; required when the offering was not "
        "announced here.",
    )


class Withdraw(BaseModel):
    reason: Text = Field(min_length=1, max_length=2000, examples=["区块范围需调整"])


class InstalmentPublic(BaseModel):
    number: int
    percent: Decimal
    amount_yuan: Decimal
    due_on: date
    deadline_id: str


class ContractPublic(BaseModel):
    """The grant contract 采矿权出让合同."""

    number: str = Field(examples=["CR-152501-2026-00001"])
    holder_id: UUID
    price_yuan: Decimal
    signed_on: date
    instalments: list[InstalmentPublic] = Field(
        description="Payments of the grant proceeds 出让收益, each a published deadline."
    )


class OfferingPublic(BaseModel):
    id: UUID
    edition: str = Field(examples=["2021-2025"])
    block_id: str
    mineral: Mineral
    mine_name: str
    area_km2: Decimal
    boundary_illustrative: bool
    method: OfferingMethod
    state: OfferingState
    reserve_price_yuan: Decimal
    deposit_yuan: Decimal
    min_increment_yuan: Decimal
    term_years: int
    scale: Scale
    key_project: bool
    key_project_basis: str | None
    notice_from: date | None
    notice_until: date | None = Field(description="Last working day of the notice")
    bidding_from: date | None
    bidding_until: date | None
    bidders: int = Field(description="Registered bidders")
    best_bid_yuan: Decimal | None = Field(
        description="Best bid so far; for a tender hidden from all but the bureau until close"
    )
    winner_holder_id: UUID | None
    price_yuan: Decimal | None
    decided_on: date | None
    reference: str | None
    right_id: UUID | None
    contract: ContractPublic | None
    withdrawn_reason: str | None
    created_at: datetime
    closed_at: datetime | None
    version: int


class BidderPublic(BaseModel):
    offering_id: UUID
    holder_id: UUID
    deposit_yuan: Decimal
    registered_at: datetime


class BidPublic(BaseModel):
    id: int
    holder_id: UUID | None = Field(description="Hidden (null) from enterprises for others' bids")
    amount_yuan: Decimal
    placed_at: datetime


class OfferingFilters(BaseModel):
    """The filters of GET /grant-offerings (query parameters)."""

    state: OfferingState | None = None
    method: OfferingMethod | None = None
    mineral: Mineral | None = None
    block_id: str | None = Field(None, max_length=32)

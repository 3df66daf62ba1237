"""What the funds API reads and writes. Amounts are yuan strings; storage is fen."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field
from servicekit.text import Name, Text

from restoration_api.bodies import body_config
from restoration_api.ledger.models import FundKind, FundStatus, TransferKind
from restoration_api.money import Yuan
from restoration_api.rights import MineFilters

GRANITE_MINE = "5b0c2a4e-3c1d-4e0f-9a51-6a1f3c2b9d01"  # 乌希根楚二号建筑用花岗岩矿 in examples


class FundFilters(MineFilters):
    kind: FundKind | None = None
    status: FundStatus | None = None


class TransferFilters(BaseModel):
    kind: TransferKind | None = None


class Balances(BaseModel):
    required: str = Field(description="Accrued requirement 应提取 (yuan).", examples=["180000.00"])
    deposited: str = Field(description="Deposited 已缴存, incl. converted 保证金.")
    spent: str = Field(description="Spent on restoration 已使用.")
    refunded: str = Field("0.00", description="Returned on closure 已退还.")
    available: str = Field(description="Cash in the fund's bank account 可用余额.")
    shortfall: str = Field(description="max(required - deposited, 0) 缴存缺口.")


class FundPublic(BaseModel):
    id: UUID
    kind: str = Field(examples=["mine", "program"])
    right_id: UUID | None = Field(None, examples=[GRANITE_MINE])
    holder_id: UUID | None = None
    name: str = Field(examples=["二连浩特市乌希根楚二号建筑用花岗岩矿 治理恢复基金"])
    source: str | None = Field(None, examples=["region_special_fund", "city_budget"])
    status: str
    opened_at: datetime
    closed_at: datetime | None = None
    balances: Balances


class ProgramFundCreate(BaseModel):
    """A program fund holding public money for legacy sites 历史遗留矿山治理资金."""

    model_config = body_config(
        {"name": "自治区地质环境治理专项资金", "source": "region_special_fund"}
    )

    name: Name = Field(min_length=1, max_length=200)
    source: str = Field(
        pattern="^(region_special_fund|central_fund|city_budget)$",
        description="region_special_fund 自治区专项资金, central_fund 中央资金, city_budget 市财政",
    )


class TransferCreate(BaseModel):
    model_config = body_config(
        {
            "id": "0f8e3b8c-6a55-4c1f-9a7e-2d6b1c4e5a01",
            "kind": "deposit",
            "amount": "125000.00",
            "reference": "中国农业银行二连浩特支行 回单 20260315-0012",
        },
        {
            "id": "6d1c0c4a-1d2e-4f70-8b0c-3a9e5f7b2c11",
            "kind": "expenditure",
            "amount": "48000.00",
            "work_id": "9a4e2f10-7c3b-4b8e-a1d2-5e6f7a8b9c0d",
            "memo": "乌希根楚二号 采场边坡削坡及覆土绿化",
        },
    )

    id: UUID = Field(description="Chosen by the client; retrying with it posts nothing new.")
    kind: TransferKind
    amount: Yuan
    work_id: UUID | None = Field(None, description="The restoration work (expenditure only).")
    reverses: UUID | None = Field(None, description="The transfer this one reverses (reversal).")
    reference: str | None = Field(None, max_length=100, description="Bank slip, voucher no.")
    memo: Text | None = Field(None, max_length=500)


class EntryPublic(BaseModel):
    account: str = Field(examples=["cash"])
    side: str = Field(examples=["debit"])
    amount: str = Field(examples=["125000.00"])


class TransferPublic(BaseModel):
    id: UUID
    fund_id: UUID
    kind: str
    amount: str = Field(examples=["125000.00"])
    work_id: UUID | None = None
    reverses: UUID | None = None
    reversed_by: UUID | None = None
    reference: str | None = None
    memo: str | None = None
    posted_by: str
    posted_at: datetime
    entries: list[EntryPublic]


class AccountCheck(BaseModel):
    fund_id: UUID
    account: str
    stored: str = Field(description="The balance kept on the account row.")
    computed: str = Field(description="The balance recomputed from the entries.")
    ok: bool


class Verification(BaseModel):
    ok: bool = Field(description="True when every stored balance equals the entries' sum.")
    fund_id: UUID
    accounts: list[AccountCheck]
    unbalanced_transfers: list[UUID] = Field(description="Transfers whose debits != credits.")
    checked_at: datetime


class Audit(BaseModel):
    ok: bool
    funds_checked: int
    accounts_checked: int
    mismatches: list[AccountCheck]
    unbalanced_transfers: list[UUID]
    total_debits: str = Field(description="Trial balance: all debits of all funds.")
    total_credits: str
    checked_at: datetime

"""The double-entry ledger: funds (one per mine, plus program funds of public money), their
accounts, transfers and entries. Entries and transfers are append-only (database triggers refuse
UPDATE and DELETE); a deferred constraint trigger refuses a transfer whose entries do not balance.
Shortfall notices of mine funds whose deposits fall behind the requirement.
"""

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID, uuid4

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


class FundKind(StrEnum):
    mine = "mine"  # a mining right's 矿山地质环境治理恢复基金
    program = "program"  # public money for legacy sites: 专项资金, city budget 财政预算


class FundStatus(StrEnum):
    open = "open"
    closed = "closed"


class TransferKind(StrEnum):
    accrual = "accrual"  # 提取: the requirement grows
    deposit = "deposit"  # 缴存: money into the fund's bank account
    expenditure = "expenditure"  # 使用: money out for restoration work
    legacy_deposit = "legacy_deposit"  # a former guarantee deposit 保证金 converted
    refund = "refund"  # 退还 on closure
    reversal = "reversal"  # 冲正: the only correction


class Side(StrEnum):
    debit = "debit"
    credit = "credit"


class AccountCode(StrEnum):
    cash = "cash"  # the fund's bank account (debit-normal; never negative)
    deposits = "deposits"  # money put in by the holder or appropriated (credit-normal)
    spent = "spent"  # restoration spending (debit-normal)
    refunded = "refunded"  # returned on closure (debit-normal)
    obligation = "obligation"  # accrued requirement 应提取 (credit-normal)
    accrued_cost = "accrued_cost"  # the holder's recognised restoration cost (debit-normal)


class Fund(SQLModel, table=True):
    __tablename__ = "funds"
    __table_args__ = (Index("funds_opened_at_id", "opened_at", "id"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    kind: str = Field(max_length=16)
    right_id: UUID | None = Field(None, unique=True)
    holder_id: UUID | None = Field(None, index=True)
    name: str = Field(max_length=200)
    source: str | None = Field(None, max_length=40)
    status: str = Field(max_length=16)
    opened_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    closed_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))


class Account(SQLModel, table=True):
    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("fund_id", "code", name="accounts_fund_code"),
        CheckConstraint("NOT non_negative OR balance_fen >= 0", name="accounts_non_negative"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    fund_id: UUID = Field(foreign_key="funds.id")
    code: str = Field(max_length=24)
    normal: str = Field(max_length=8, description="debit or credit")
    non_negative: bool = False
    # in the account's normal direction; kept by the posting transaction, recomputable from
    # the entries (verify)
    balance_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


class Transfer(SQLModel, table=True):
    __tablename__ = "transfers"
    __table_args__ = (
        Index("transfers_fund_posted", "fund_id", "posted_at", "id"),
        CheckConstraint("amount_fen > 0", name="transfers_amount_positive"),
    )

    id: UUID = Field(primary_key=True)  # chosen by the client: a retry is recognised by it
    fund_id: UUID = Field(foreign_key="funds.id")
    kind: str = Field(max_length=16)
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    work_id: UUID | None = Field(None, index=True)
    reverses_id: UUID | None = Field(
        None, sa_column=Column(ForeignKey("transfers.id"), unique=True)
    )
    reference: str | None = Field(None, max_length=100)
    memo: str | None = Field(None, max_length=500)
    request_hash: str = Field(max_length=64)
    posted_by: str = Field(max_length=200)
    posted_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Entry(SQLModel, table=True):
    __tablename__ = "entries"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="entries_amount_positive"),)

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True)
    )
    transfer_id: UUID = Field(foreign_key="transfers.id", index=True)
    account_id: UUID = Field(foreign_key="accounts.id", index=True)
    side: str = Field(max_length=8)
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))


class Shortfall(SQLModel, table=True):
    """A shortfall notice: published once per fund and requirement level."""

    __tablename__ = "shortfalls"
    __table_args__ = (UniqueConstraint("fund_id", "required_fen", name="shortfalls_fund_level"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    fund_id: UUID = Field(foreign_key="funds.id")
    required_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    deposited_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    due_on: date = Field(sa_column=Column(Date, nullable=False))
    noticed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


DEPOSIT_KINDS = (TransferKind.deposit, TransferKind.legacy_deposit)
# what a closed fund still takes (a refund is paid on closure; a reversal corrects any transfer)
AFTER_CLOSURE = (TransferKind.refund, TransferKind.reversal)

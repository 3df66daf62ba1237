"""Market grant offerings 矿业权出让 (招拍挂) of planned blocks, their bidders and bids.
Money is stored in integer fen (分) and shown in yuan."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class OfferingMethod(StrEnum):
    tender = "tender"  # 招标
    auction = "auction"  # 拍卖
    listing = "listing"  # 挂牌


class OfferingState(StrEnum):
    draft = "draft"  # 拟出让
    announced = "announced"  # 已公告
    closed = "closed"  # 已截止 (passed through on close, then awarded or failed)
    awarded = "awarded"  # 已成交
    failed = "failed"  # 流拍
    withdrawn = "withdrawn"  # 已撤回


OPEN = (OfferingState.draft, OfferingState.announced)


class GrantOffering(SQLModel, table=True):
    __tablename__ = "grant_offerings"
    __table_args__ = (
        Index("grant_offerings_created_at_id", "created_at", "id"),  # list order
        # one open offering per block of an edition
        Index(
            "grant_offerings_open_block",
            "edition_id",
            "block_id",
            unique=True,
            postgresql_where=text("state IN ('draft', 'announced')"),
        ),
    )

    id: UUID = Field(default_factory=uuid4, sa_column=Column(Uuid, primary_key=True))
    edition_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("plan_editions.id"), nullable=False))
    block_id: str = Field(sa_column=Column(String(32), nullable=False))
    mineral: str = Field(sa_column=Column(String(32), nullable=False))
    mine_name: str = Field(sa_column=Column(String(200), nullable=False))
    method: OfferingMethod = Field(sa_column=Column(String(16), nullable=False))
    state: OfferingState = Field(sa_column=Column(String(16), nullable=False, index=True))
    reserve_price_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    deposit_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    min_increment_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    term_years: int = Field(sa_column=Column(Integer, nullable=False))
    scale_value: Decimal = Field(sa_column=Column(Numeric(14, 4), nullable=False))
    scale_unit: str = Field(sa_column=Column(String(20), nullable=False))
    key_project: bool = Field(False, sa_column=Column(Boolean, nullable=False))
    key_project_basis: str | None = Field(None, sa_column=Column(Text))
    notice_from: date | None = Field(None, sa_column=Column(Date))
    notice_until: date | None = Field(None, sa_column=Column(Date))
    bidding_from: date | None = Field(None, sa_column=Column(Date))
    bidding_until: date | None = Field(None, sa_column=Column(Date))
    winner_holder_id: UUID | None = Field(None, sa_column=Column(Uuid, ForeignKey("holders.id")))
    price_fen: int | None = Field(None, sa_column=Column(BigInteger))
    decided_on: date | None = Field(None, sa_column=Column(Date))
    reference: str | None = Field(None, sa_column=Column(String(200)))
    right_id: UUID | None = Field(None, sa_column=Column(Uuid, ForeignKey("rights.id")))
    contract: dict[str, Any] | None = Field(None, sa_column=Column(JSONB(none_as_null=True)))
    withdrawn_reason: str | None = Field(None, sa_column=Column(Text))
    created_by: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    closed_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    version: int = Field(1, sa_column=Column(Integer, nullable=False))

    @property
    def sealed(self) -> bool:
        """A tender's bids stay sealed 密封 from the enterprises until it closes."""
        return self.method == OfferingMethod.tender and self.state in OPEN


class GrantBidder(SQLModel, table=True):
    """A holder registered to bid 竞买人/投标人, with the deposit 保证金 the bureau recorded."""

    __tablename__ = "grant_bidders"

    offering_id: UUID = Field(
        sa_column=Column(Uuid, ForeignKey("grant_offerings.id"), primary_key=True)
    )
    holder_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("holders.id"), primary_key=True))
    deposit_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    registered_by: str = Field(sa_column=Column(String(200), nullable=False))
    registered_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class GrantBid(SQLModel, table=True):
    """A bid; ``id`` grows with arrival, so the earlier of equal tender bids is the lower id."""

    __tablename__ = "grant_bids"
    __table_args__ = (Index("grant_bids_offering_id_id", "offering_id", "id"),)

    id: int | None = Field(
        None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True)
    )
    offering_id: UUID = Field(
        sa_column=Column(Uuid, ForeignKey("grant_offerings.id"), nullable=False)
    )
    holder_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("holders.id"), nullable=False))
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    placed_by: str = Field(sa_column=Column(String(200), nullable=False))
    placed_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )

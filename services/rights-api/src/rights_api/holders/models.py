"""Rights holders 采矿权人 / 探矿权人."""

from datetime import datetime
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import Column, DateTime, Index
from sqlmodel import Field, SQLModel


class HolderBase(SQLModel):
    name: str = Field(
        max_length=200,
        description="Registered name 名称",
        schema_extra={"examples": ["中国石油天然气股份有限公司"]},
    )
    contact_name: str | None = Field(
        None,
        max_length=100,
        description="Contact person 联系人",
        schema_extra={"examples": ["王工"]},
    )
    contact_phone: str | None = Field(
        None,
        max_length=40,
        description="Phone 联系电话",
        schema_extra={"examples": ["0479-7512345"]},
    )
    contact_email: str | None = Field(None, max_length=200, description="E-mail 电子邮箱")
    address: str | None = Field(None, max_length=300, description="Address 地址")


class Holder(HolderBase, table=True):
    __tablename__ = "holders"
    __table_args__ = (Index("holders_created_at_id", "created_at", "id"),)  # list order

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    credit_code: str = Field(max_length=18, unique=True, index=True)
    version: int = Field(default=1)
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )

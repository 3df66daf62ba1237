"""Exit notices 退出绿色矿山公告书: how a mine leaves the list."""

from datetime import date
from uuid import UUID, uuid4

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class ExitNotice(SQLModel, table=True):
    """退出绿色矿山公告书, numbered per year: 二自然资绿退〔2026〕1号."""

    __tablename__ = "exit_notices"
    __table_args__ = (UniqueConstraint("year", "seq", name="exit_notices_year_seq"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    listing_id: UUID = Field(foreign_key="listings.id", unique=True)
    year: int
    seq: int
    number: str = Field(max_length=60)
    reason: str = Field(max_length=40)
    text_zh: str = Field(max_length=2000)
    published_on: date

"""What the mortgage API reads and writes."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field
from servicekit.text import Text


class MortgageRelease(BaseModel):
    reason: Text = Field(
        min_length=1,
        max_length=4000,
        description="Why the mortgage ends 解除原因 (the mortgagee's discharge, the debt repaid)",
        examples=["借款已全部清偿，抵押权人中国农业银行二连浩特市支行出具解除抵押证明。"],
    )


class MortgagePublic(BaseModel):
    id: UUID
    right_id: UUID
    application_id: UUID | None = Field(description="The approved mortgage_filing application.")
    mortgagee: str = Field(examples=["中国农业银行二连浩特市支行"])
    amount_yuan: Decimal = Field(examples=["1200000.00"])
    starts_on: date
    ends_on: date
    filed_at: datetime
    filed_by: str
    released: bool
    released_at: datetime | None
    released_by: str | None
    release_reason: str | None
    version: int

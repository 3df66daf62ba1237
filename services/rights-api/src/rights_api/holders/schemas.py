"""What the holders API reads and writes."""

from datetime import datetime
from uuid import UUID

from pydantic import field_validator
from servicekit.text import Name
from sqlmodel import Field, SQLModel

from rights_api.holders.credit_code import credit_code_problem
from rights_api.holders.models import HolderBase

PETROCHINA = {
    "credit_code": "91110000710925462X",
    "name": "中国石油天然气股份有限公司",
    "contact_name": "华北油田二连分公司 生产办",
    "contact_phone": "0479-7512345",
    "address": "内蒙古自治区锡林郭勒盟二连浩特市",
}


class HolderCreate(HolderBase):
    # the names a request brings are checked here, not on HolderBase: a name stored before the
    # check still reads back rather than failing the answer
    name: Name = Field(
        max_length=200,
        description="Registered name 名称",
        schema_extra={"examples": ["中国石油天然气股份有限公司"]},
    )
    contact_name: Name | None = Field(
        None,
        max_length=100,
        description="Contact person 联系人",
        schema_extra={"examples": ["王工"]},
    )
    address: Name | None = Field(None, max_length=300, description="Address 地址")
    credit_code: str = Field(
        description="Unified social credit code 统一社会信用代码 "
        "(18 characters, GB 32100-2015 check character)",
        schema_extra={"examples": [PETROCHINA["credit_code"]]},
    )

    model_config = {"json_schema_extra": {"examples": [PETROCHINA]}}

    @field_validator("credit_code", mode="before")
    @classmethod
    def _valid_credit_code(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().upper()
            problem = credit_code_problem(value)
            if problem:
                raise ValueError(f"not a valid unified social credit code: {problem}")
        return value


class HolderUpdate(SQLModel):
    """Fields to change; the credit code identifies the holder and never changes."""

    name: Name | None = Field(None, max_length=200)
    contact_name: Name | None = Field(None, max_length=100)
    contact_phone: str | None = Field(None, max_length=40)
    contact_email: str | None = Field(None, max_length=200)
    address: Name | None = Field(None, max_length=300)

    model_config = {"json_schema_extra": {"examples": [{"contact_phone": "0479-7519999"}]}}


class HolderPublic(HolderBase):
    id: UUID
    credit_code: str
    version: int
    created_at: datetime
    updated_at: datetime

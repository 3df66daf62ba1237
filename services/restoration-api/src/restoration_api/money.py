"""Money: integer fen (分) in storage, a decimal string in yuan (元) on the wire, never a float."""

import re
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

_YUAN = re.compile(r"(0|[1-9]\d{0,12})(\.\d{1,2})?")


def _parse_yuan(value: object) -> Decimal:
    if not isinstance(value, str):
        raise ValueError('must be a decimal string in yuan such as "1234.56", not a JSON number')
    if not _YUAN.fullmatch(value):
        raise ValueError(
            'must be a non-negative amount in yuan with at most two decimals, e.g. "1234.56"'
        )
    amount = Decimal(value)
    if amount <= 0:
        raise ValueError("must be greater than zero")
    return amount


Yuan = Annotated[
    Decimal,
    BeforeValidator(_parse_yuan),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(0|[1-9]\d{0,12})(\.\d{1,2})?$",
            "description": "Yuan 元 as a decimal string, at most two decimals; never a number.",
            "examples": ["125000.00"],
        }
    ),
]


def to_fen(amount: Decimal) -> int:
    return int(amount * 100)


def yuan(fen: int) -> str:
    """12345 → "123.45"; exact, also for negative amounts."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"

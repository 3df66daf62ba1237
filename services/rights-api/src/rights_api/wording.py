"""Numbers and scales written as the plan writes them, for the Chinese messages of the admission
rules and the conformance findings: 35.0000 → "35", a scale → "6万m³/年"."""

from decimal import Decimal

UNIT_ZH = {"10k_t_per_year": "万吨/年", "10k_m3_per_year": "万m³/年", "t_per_year": "吨/年"}


def num(value: Decimal) -> str:
    """A decimal as plain digits without trailing zeros: 35.0000 → "35"."""
    return f"{value.normalize():f}"


def scale_zh(value: Decimal, unit: str) -> str:
    """A production scale in the plan's words: ``scale_zh(Decimal("6"), "10k_m3_per_year")`` →
    "6万m³/年"."""
    return f"{num(value)}{UNIT_ZH.get(unit, unit)}"

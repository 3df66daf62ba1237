"""Sample data the tests share, taken from the plan where it has it (专栏一)."""

from rights_api.holders.credit_code import check_character

PETROCHINA = {"credit_code": "91110000710925462X", "name": "中国石油天然气股份有限公司"}


def credit_code(serial: int) -> str:
    """A valid unified social credit code, different for every serial."""
    first17 = f"911525010{serial:08d}"
    return first17 + check_character(first17)


def forged_cursor(values: list, *, scope: str = "/") -> str:
    """A well-formed cursor signed with a key no service has."""
    from servicekit.pagination import encode_cursor

    return encode_cursor(values, key=b"not the service's key", scope=scope)

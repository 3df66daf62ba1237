"""Which edition an answer used, and whether that edition is past its period: the one way every
answer that depends on the plan says so (response headers, the same on every route).

An edition past its period stays in force until the next one takes effect (第七章: the plan is
re-issued; the 2021-2025 plan still judges in 2026 until the 2026-2030 plan is published), so
an answer judged by it is valid but says so:

- ``Plan-Edition: 2021-2025`` — the code of the edition used;
- ``Plan-Edition-Past-Period: true`` (or ``false``) — whether the day judged is after that
  edition's period (for an admission check today, for a decision the filing day).
"""

from datetime import date
from urllib.parse import quote

from fastapi import Response

EDITION = "Plan-Edition"
PAST_PERIOD = "Plan-Edition-Past-Period"
HEADERS = {
    EDITION: {
        "description": "The plan edition this answer used 所用规划版本",
        "schema": {"type": "string", "example": "2021-2025"},
    },
    PAST_PERIOD: {
        "description": "`true` when the day judged is after that edition's period: it stays in "
        "force until the next edition takes effect 规划期已届满但新规划尚未生效",
        "schema": {"type": "string", "enum": ["true", "false"], "example": "true"},
    },
}


def disclose(response: Response, *, code: str, period_end: date | None, on: date) -> None:
    """Say on ``response`` which edition judged the day ``on`` and whether it is past its
    period then."""
    response.headers[EDITION] = quote(code, safe="-_.~")
    response.headers[PAST_PERIOD] = "true" if past_period(period_end, on) else "false"


def past_period(period_end: date | None, on: date) -> bool:
    """Whether ``on`` is after the edition's period (it may still be in force)."""
    return period_end is not None and on > period_end


def documented(status: int = 200) -> dict[int, dict]:
    """The two headers in a route's OpenAPI ``responses``."""
    return {status: {"headers": HEADERS}}

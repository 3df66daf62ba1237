"""The one clock every service reads: ``now()`` in UTC and ``local_today()`` in Asia/Shanghai
(deadlines are local dates, whatever the server's zone). Tests pin it with ``pinned(at)``."""

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")

_pinned: datetime | None = None


def now() -> datetime:
    return _pinned or datetime.now(UTC)


def local_today(at: datetime | None = None) -> date:
    """The local date at ``at`` (default: now)."""
    return (at or now()).astimezone(LOCAL).date()


@contextlib.contextmanager
def pinned(at: datetime) -> Iterator[None]:
    """``now()`` answers ``at`` inside the block (tests)."""
    global _pinned
    if at.tzinfo is None:
        raise ValueError("pin the clock to an aware datetime")
    before, _pinned = _pinned, at
    try:
        yield
    finally:
        _pinned = before

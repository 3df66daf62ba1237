"""Cursors: a position in the journal's log, opaque to callers (they only hand it back)."""

import base64
import binascii

PREFIX = "v1:"


class BadCursor(ValueError):
    pass


def encode(position: int) -> str:
    return base64.urlsafe_b64encode(f"{PREFIX}{position}".encode()).decode().rstrip("=")


def decode(cursor: str) -> int:
    """The position ``cursor`` stands for; ``BadCursor`` when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor("not a cursor this service gave out") from None
    if not raw.startswith(PREFIX) or not raw[len(PREFIX) :].isdigit():
        raise BadCursor("not a cursor this service gave out")
    position = int(raw[len(PREFIX) :])
    if position > 2**63 - 1:
        raise BadCursor("not a cursor this service gave out")
    return position


START = encode(0)  # before the first event

"""W3C ``traceparent``: carried from HTTP into events and from events into what they cause."""

import re
import secrets
from contextvars import ContextVar

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
current_traceparent: ContextVar[str | None] = ContextVar("traceparent", default=None)


def continue_from(incoming: str | None) -> str:
    """A traceparent for a new span: same trace as ``incoming`` when valid, else a new trace."""
    match = _TRACEPARENT.match(incoming.strip().lower()) if incoming else None
    if match and match.group(2) == "0" * 16:  # an all-zero parent id is invalid (W3C)
        match = None
    trace_id, flags = (match.group(1), match.group(3)) if match else (secrets.token_hex(16), "01")
    if trace_id == "0" * 32:
        trace_id = secrets.token_hex(16)
    return f"00-{trace_id}-{secrets.token_hex(8)}-{flags}"


def trace_id(traceparent: str | None) -> str | None:
    match = _TRACEPARENT.match(traceparent) if traceparent else None
    return match.group(1) if match else None

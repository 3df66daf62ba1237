"""Cursor pagination: ``limit`` + an opaque ``cursor``, in a stable order (keyset, not offset).

A cursor is the keyset position of the page's last row, signed with the service's cursor key
(HMAC-SHA256 over the list's path and the position). A list therefore only ever reads positions
it wrote itself: a forged, edited or borrowed cursor is a 422 at the door, and no list has to
defend its SQL against values of the wrong type.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query, Request
from pydantic import BaseModel, Field

from servicekit.errors import FieldError, validation_error

T = TypeVar("T")
MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page.")


class PageParams(BaseModel):
    limit: int
    after: list[Any] | None
    scope: str = Field("", repr=False)  # the list's path: a cursor is valid for it alone
    key: bytes = Field(b"", repr=False)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())


def _mac(key: bytes, scope: str, payload: str) -> str:
    return _b64(hmac.new(key, f"{scope}\n{payload}".encode(), hashlib.sha256).digest()[:16])


def encode_cursor(sort_key: list[Any], *, key: bytes, scope: str) -> str:
    payload = _b64(json.dumps(sort_key, separators=(",", ":"), default=str).encode())
    return f"{payload}.{_mac(key, scope, payload)}"


def decode_cursor(cursor: str, *, key: bytes, scope: str) -> list[Any]:
    payload, _, mac = cursor.partition(".")
    value = None
    if hmac.compare_digest(mac.encode(), _mac(key, scope, payload).encode()):
        try:
            value = json.loads(_unb64(payload))
        except (ValueError, UnicodeDecodeError):
            value = None
    if not isinstance(value, list):
        raise validation_error(
            [FieldError(field="query.cursor", message="not a cursor of this list")]
        )
    return value


async def page_params(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size 每页条数")] = 50,
    cursor: Annotated[
        str | None, Query(description="Cursor from the previous page 翻页游标")
    ] = None,
) -> PageParams:
    key = await request.app.state.runtime.cursor_key()
    scope = request.url.path
    after = decode_cursor(cursor, key=key, scope=scope) if cursor else None
    return PageParams(limit=limit, after=after, scope=scope, key=key)


def page_of(rows: list[T], params: PageParams, sort_key: Any) -> Page[T]:
    """``rows`` were fetched with ``limit + 1``; ``sort_key(row)`` gives the keyset position."""
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    cursor = encode_cursor(sort_key(rows[-1]), key=params.key, scope=params.scope) if more else None
    return Page(items=rows, next_cursor=cursor)


def cursor_position(page: PageParams, *parse: Callable[[Any], Any]) -> tuple[Any, ...] | None:
    """The cursor's keyset position, each value read with ``parse`` (one per sort column), or
    None on the first page. A cursor this list did not make is a 422, never a 500."""
    if page.after is None:
        return None
    try:
        if len(page.after) != len(parse):
            raise ValueError("wrong length")
        return tuple(read(value) for read, value in zip(parse, page.after, strict=True))
    except (TypeError, ValueError):
        raise validation_error(
            [FieldError(field="query.cursor", message="not a cursor of this list")]
        ) from None

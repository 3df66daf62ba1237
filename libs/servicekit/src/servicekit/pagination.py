"""Cursor pagination: ``limit`` + an opaque ``cursor``, in a stable order (keyset, not offset)."""

import base64
import json
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
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


def encode_cursor(sort_key: list[Any]) -> str:
    raw = json.dumps(sort_key, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        value = None
    if not isinstance(value, list):
        raise validation_error([FieldError(field="query.cursor", message="not a valid cursor")])
    return value


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size 每页条数")] = 50,
    cursor: Annotated[
        str | None, Query(description="Cursor from the previous page 翻页游标")
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, after=decode_cursor(cursor) if cursor else None)


def page_of(rows: list[T], params: PageParams, sort_key: Any) -> Page[T]:
    """``rows`` were fetched with ``limit + 1``; ``sort_key(row)`` gives the keyset position."""
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    return Page(items=rows, next_cursor=encode_cursor(sort_key(rows[-1])) if more else None)


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

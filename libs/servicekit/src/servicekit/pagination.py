"""Cursor pagination: ``limit`` + an opaque ``cursor``, in a stable order (keyset, not offset).

A collection route takes ``page: Paging`` and its service function returns
``await paginate(session, query, page, order=(Model.created_at, Model.id))``; the answer
carries ``next_cursor``, ``next`` (the next page's URL) and the same URL in a
``Link: <…>; rel="next"`` header.

A cursor is the keyset position of the page's last row, signed with the service's cursor key
(HMAC-SHA256 over the list's path and the position). A list therefore only ever reads positions
it wrote itself: a forged, edited or borrowed cursor is a 422 at the door, and no list has to
defend its SQL against values of the wrong type.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, literal, tuple_
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import URL

from servicekit.errors import FieldError, validation_error

T = TypeVar("T")
MAX_LIMIT = 200
MAC_CHARS = 22  # 16 bytes of HMAC-SHA256, base64url without padding
# what encode_cursor writes: the position, a dot, its signature (both base64url)
CURSOR_PATTERN = rf"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{{{MAC_CHARS}}}$"
MAX_CURSOR_LENGTH = 1024


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page.")
    next: str | None = Field(
        None, description="The next page's URL (also in the `Link` header, rel=next)."
    )

    def with_items(self, items: list[Any]) -> "Page[Any]":
        """The same page position with its items shaped for the answer."""
        return Page(items=items, next_cursor=self.next_cursor, next=self.next)

    def shaped(self, schema: type[BaseModel]) -> "Page[Any]":
        """The page with each row read into ``schema`` (from its attributes)."""
        return self.with_items([schema.model_validate(r, from_attributes=True) for r in self.items])


class PageParams(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    limit: int
    after: list[Any] | None
    scope: str = Field("", repr=False)  # the list's path: a cursor is valid for it alone
    key: bytes = Field(b"", repr=False)
    url: URL | None = Field(None, repr=False)
    response: Response | None = Field(None, repr=False)  # where the Link header goes


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
    response: Response,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size 每页条数")] = 50,
    cursor: Annotated[
        str | None,
        Query(
            description="Cursor from the previous page 翻页游标 (`next_cursor`, opaque and signed)",
            pattern=CURSOR_PATTERN,
            max_length=MAX_CURSOR_LENGTH,
        ),
    ] = None,
) -> PageParams:
    key = await request.app.state.runtime.cursor_key()
    scope = request.url.path
    after = decode_cursor(cursor, key=key, scope=scope) if cursor else None
    return PageParams(
        limit=limit, after=after, scope=scope, key=key, url=request.url, response=response
    )


Paging = Annotated[PageParams, Depends(page_params)]


def page_of(rows: list[T], params: PageParams, sort_key: Any) -> Page[T]:
    """``rows`` were fetched with ``limit + 1``; ``sort_key(row)`` gives the keyset position."""
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    if not more:
        return Page(items=rows)
    cursor = encode_cursor(sort_key(rows[-1]), key=params.key, scope=params.scope)
    url = None
    if params.url is not None:
        # relative, so it holds behind any proxy (RFC 8288 allows a URI reference)
        url = f"{params.url.path}?{params.url.include_query_params(cursor=cursor).query}"
        if params.response is not None:
            params.response.headers.append("Link", f'<{url}>; rel="next"')
    return Page(items=rows, next_cursor=cursor, next=url)


async def paginate(
    session: AsyncSession,
    query: Select[Any],
    params: PageParams,
    *,
    order: Sequence[Any],
    descending: bool = False,
) -> Page[Any]:
    """One page of ``query``'s rows in ``order`` (columns that together are unique, e.g.
    ``(Model.created_at, Model.id)``), after the cursor's position."""
    columns = [column.expression if hasattr(column, "expression") else column for column in order]
    position = cursor_position(params, *(_reader(column) for column in columns))
    if position is not None:
        keyset = tuple_(*columns)
        after = tuple_(*(literal(v, c.type) for v, c in zip(position, columns, strict=True)))
        query = query.where(keyset < after if descending else keyset > after)
    query = query.order_by(*(c.desc() if descending else c for c in columns))
    rows = list((await session.exec(query.limit(params.limit + 1))).all())
    names = [column.key for column in columns]
    return page_of(rows, params, lambda row: [_plain(getattr(row, n)) for n in names])


def _reader(column: Any) -> Callable[[Any], Any]:
    """How a cursor's JSON value is read back as the column's Python value."""
    try:
        kind = column.type.python_type
    except NotImplementedError:
        kind = object
    if kind is object:  # SQLModel's AutoString says no more; a cursor keeps it as text
        return str
    if kind is datetime:
        return datetime.fromisoformat
    if kind is date:
        return date.fromisoformat
    return kind


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, int | str):
        return value
    return str(value)


def cursor_position(page: PageParams, *parse: Callable[[Any], Any]) -> tuple[Any, ...] | None:
    """The cursor's keyset position, each value read with ``parse`` (one per sort column), or
    None on the first page. A cursor this list did not make is a 422, never a 500."""
    if page.after is None:
        return None
    try:
        if len(page.after) != len(parse):
            raise ValueError("wrong length")
        return tuple(read(value) for read, value in zip(parse, page.after, strict=True))
    except (TypeError, ValueError, ArithmeticError):
        raise validation_error(
            [FieldError(field="query.cursor", message="not a cursor of this list")]
        ) from None

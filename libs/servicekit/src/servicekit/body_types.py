"""JSON types held to as declared: dates and datetimes arrive as ISO 8601 text, never as
numbers, and a body's numbers and booleans are not read as each other.

Pydantic reads a number (`20250101`, `1`, or the text of one in a query string) as seconds since
1970 for a `date` or `datetime`, so `?date=0` would be 1970-01-01 where the documents say
`format: date`. ``check_query`` and ``check_body`` hold every route's temporal parameters and
body fields to the text form, before validation: a 422 naming the field otherwise. Likewise a
JSON `true`/`false` is no number and a number is no `true`/`false`: pydantic would read one as
the other (1/0) for an `int`, `Decimal` or `bool` field.
"""

import re
import types
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import _get_flat_fields_from_params
from pydantic import (
    AwareDatetime,
    BaseModel,
    FutureDate,
    FutureDatetime,
    NaiveDatetime,
    PastDate,
    PastDatetime,
)

from servicekit.errors import FieldError

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # a datetime starts the same way
MESSAGES = {
    date: "an ISO 8601 date (YYYY-MM-DD), not a number",
    datetime: "an ISO 8601 date-time (YYYY-MM-DDThh:mm:ssZ), not a number",
}
# pydantic's constrained kinds, which are not subclasses of date or datetime
PYDANTIC_KINDS = {
    AwareDatetime: datetime,
    NaiveDatetime: datetime,
    PastDatetime: datetime,
    FutureDatetime: datetime,
    PastDate: date,
    FutureDate: date,
}


def temporal_kind(annotation: Any) -> type | None:
    """``date`` or ``datetime`` when ``annotation`` is one (optional, annotated or not)."""
    if get_origin(annotation) is Annotated:
        return temporal_kind(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        kinds = {temporal_kind(arg) for arg in get_args(annotation)} - {None}
        return kinds.pop() if len(kinds) == 1 else None
    if annotation in PYDANTIC_KINDS:
        return PYDANTIC_KINDS[annotation]
    if isinstance(annotation, type) and issubclass(annotation, date):
        return datetime if issubclass(annotation, datetime) else date
    return None


def json_kind(annotation: Any) -> type | None:
    """``bool``, ``float`` (an int or float: a JSON number only) or ``Decimal`` (a number or its
    text), when ``annotation`` is one (optional, annotated or not)."""
    if get_origin(annotation) is Annotated:
        return json_kind(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        kinds = {json_kind(arg) for arg in get_args(annotation) if arg is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    if not isinstance(annotation, type):
        return None
    if issubclass(annotation, bool):
        return bool
    if issubclass(annotation, int | float):
        return float
    return Decimal if issubclass(annotation, Decimal) else None


def leaf_kind(annotation: Any) -> type | None:
    """``json_kind`` of a scalar, or of the scalars lists and dicts (of lists...) of them hold."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return leaf_kind(args[0])
    if origin is dict:
        return leaf_kind(args[1]) if len(args) == 2 else None
    if origin in (Union, types.UnionType, list, tuple, set, frozenset):
        kinds = {leaf_kind(arg) for arg in args if arg not in (type(None), Ellipsis)}
        return kinds.pop() if len(kinds) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, tuple):  # a NamedTuple (GeoJSON)
        kinds = {leaf_kind(arg) for arg in getattr(annotation, "__annotations__", {}).values()}
        return kinds.pop() if len(kinds) == 1 else None
    return json_kind(annotation)


def _mistyped_leaves(kind: type | None, given: Any, at: str) -> Iterator[FieldError]:
    if kind is None:
        return
    if isinstance(given, list | dict):
        items = given.items() if isinstance(given, dict) else enumerate(given)
        for key, item in items:
            yield from _mistyped_leaves(kind, item, f"{at}.{key}")
        return
    message = _mistyped(kind, given)
    if message is not None:
        yield FieldError(field=at, message=message)


def _mistyped(kind: type | None, given: Any) -> str | None:
    if kind is bool and not isinstance(given, bool):
        return "true or false"
    if kind in (float, Decimal) and isinstance(given, bool):
        return "a number, not true or false"
    if kind is float and isinstance(given, str):  # a Decimal may be text: its schema says so
        return "a number, not text"
    return None


def _is_text_form(value: Any) -> bool:
    return isinstance(value, str) and ISO_DATE.match(value.strip()) is not None


def check_query(dependants: list[Dependant], query: Any) -> Iterator[FieldError]:
    """Each temporal query parameter given in a form other than ISO text."""
    for dependant in dependants:
        for param in _get_flat_fields_from_params(dependant.query_params):  # as FastAPI reads
            kind = temporal_kind(param.field_info.annotation)
            if kind is None:
                continue
            for value in query.getlist(param.alias):
                if not _is_text_form(value):
                    yield FieldError(field=f"query.{param.alias}", message=MESSAGES[kind])


def check_body(model: Any, value: Any, where: str = "body") -> Iterator[FieldError]:
    """Each temporal field of ``model`` that ``value`` (parsed JSON) gives as anything but text;
    nested models and lists of them are followed. Other mistakes are validation's to name."""
    if not (isinstance(model, type) and issubclass(model, BaseModel)) or not isinstance(
        value, dict
    ):
        return
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key not in value or value[key] is None:
            continue
        given, at = value[key], f"{where}.{key}"
        mistyped = list(_mistyped_leaves(leaf_kind(field.annotation), given, at))
        if mistyped:
            yield from mistyped
            continue
        kind = temporal_kind(field.annotation)
        if kind is not None:
            if not _is_text_form(given):
                yield FieldError(field=at, message=MESSAGES[kind])
            continue
        for inner in _models(field.annotation):
            if isinstance(given, list):
                for index, item in enumerate(given):
                    yield from check_body(inner, item, f"{at}.{index}")
            else:
                yield from check_body(inner, given, at)


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    """The models an annotation holds: itself, an optional one, or a list's items."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in get_args(annotation):
        yield from _models(arg)

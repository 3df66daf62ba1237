"""What every request must be before a route acts on it, checked by one app-wide dependency:
a body in a media type the route takes (else 415), JSON nested at most ``MAX_JSON_DEPTH``
levels, a query string that is UTF-8, dates given as dates, not numbers, and a body keeping JSON's
types (``body_types``; else 422 naming ``body`` or ``query`` or the field).

Bodies FastAPI cannot even decode (not UTF-8, deeper than the parser goes) are answered in
``errors``; sizes in ``body_limit``."""

from collections.abc import Iterator
from urllib.parse import unquote_to_bytes

from fastapi import Request, params
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from servicekit import body_types
from servicekit.errors import FieldError, ProblemError, validation_error

MAX_JSON_DEPTH = 32  # the deepest any operation takes: a plan edition's zone multipolygons, 9
JSON = "application/json"
FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


class UnsupportedMediaType(ProblemError):
    status, slug, title = 415, "unsupported-media-type", "Content-Type not accepted"


async def check_request(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    if request.scope.get("query_string") and _takes_query(route):
        _check_query(request.scope["query_string"])
        _refuse(body_types.check_query(list(dependants(route.dependant)), request.query_params))
    if route.body_field is None:
        return
    declared = request.headers.get("content-type")
    if _is_form(route):
        # the form parser has consumed the body; the header says what it was
        if declared is not None and _media_type(declared) not in FORMS:
            raise UnsupportedMediaType(f"This operation takes {' or '.join(FORMS)}.")
        return
    if not await request.body():
        return  # no body: the route's validation says what is missing
    media_type = _media_type(declared or "")
    if media_type != JSON and not media_type.endswith("+json"):
        raise UnsupportedMediaType(
            f"This operation takes {JSON}, not {declared or 'a body without Content-Type'}."
        )
    document = await request.json()  # parsed once already: cached
    if _depth(document) > MAX_JSON_DEPTH:
        raise validation_error(
            [FieldError(field="body", message=f"Nested deeper than {MAX_JSON_DEPTH} levels.")]
        )
    _refuse(body_types.check_body(route.body_field.field_info.annotation, document))


def _refuse(errors: Iterator[FieldError]) -> None:
    if found := list(errors):
        raise validation_error(found)


def _check_query(query_string: bytes) -> None:
    try:
        unquote_to_bytes(query_string.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise validation_error(
            [FieldError(field="query", message=f"Not UTF-8: {exc.reason} at byte {exc.start}.")]
        ) from exc


def _depth(document: object) -> int:
    """How deeply arrays and objects nest, without recursion."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_JSON_DEPTH:
            stack.extend((child, depth + 1) for child in value)
    return deepest


def _media_type(content_type: str) -> str:
    return content_type.partition(";")[0].strip().lower()


def _takes_query(route: APIRoute) -> bool:
    return any(dependant.query_params for dependant in dependants(route.dependant))


def _is_form(route: APIRoute) -> bool:
    return isinstance(route.body_field.field_info, params.Form)  # File is a Form too


def dependants(dependant: Dependant) -> Iterator[Dependant]:
    """The route's dependant and every one it depends on, however deep."""
    yield dependant
    for dependency in dependant.dependencies:
        yield from dependants(dependency)

"""RFC 9457 problem details: every error any service returns is ``application/problem+json``."""

import logging
from http import HTTPStatus
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "urn:mineadmin:problem:"
log = logging.getLogger("servicekit.errors")


class FieldError(BaseModel):
    field: str = Field(description="Where the bad value is, e.g. `body.credit_code`.")
    message: str
    type: str | None = None


class Problem(BaseModel):
    """The problem document (RFC 9457)."""

    type: str = Field(examples=[f"{PROBLEM_BASE}validation-error"])
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None

    model_config = {"extra": "allow"}


class ProblemError(Exception):
    """Raise from service functions; the handler renders it. Subclasses fix status and type."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.title = title or self.title
        self.headers = headers
        self.extensions = extensions

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body = {"type": PROBLEM_BASE + self.slug, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        # extension members never replace RFC 9457's own (a `status` extension once did)
        return {**self.extensions, **body}


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Not found"


class Unauthorized(ProblemError):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(
            detail, headers={"WWW-Authenticate": 'Bearer realm="mineadmin"'}, **extensions
        )


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Not allowed for this caller"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "Conflicts with the current state"


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", "The resource changed since you read it"


class PreconditionRequired(ProblemError):
    status, slug, title = 428, "precondition-required", "If-Match header required"


class Unprocessable(ProblemError):
    status, slug, title = 422, "unprocessable", "The request cannot be processed"


class InternalError(ProblemError):
    status, slug, title = 500, "internal-error", "Internal server error"


class ServiceUnavailable(ProblemError):
    status, slug, title = 503, "service-unavailable", "Temporarily unavailable"


def validation_error(errors: list[FieldError], detail: str | None = None) -> Unprocessable:
    """A 422 naming each bad field, in the same shape as FastAPI's own request validation."""
    err = Unprocessable(
        detail or "; ".join(f"{e.field}: {e.message}" for e in errors),
        title="Request validation failed",
        errors=[e.model_dump(exclude_none=True) for e in errors],
    )
    err.slug = "validation-error"
    return err


def problem_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _on_problem(request: Request, exc: ProblemError) -> JSONResponse:
    return problem_response(exc.status, exc.problem(request.url.path), exc.headers)


async def _on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        FieldError(field=_field_path(e["loc"]), message=e["msg"], type=e["type"])
        for e in exc.errors()
    ]
    return await _on_problem(request, validation_error(errors))


# FastAPI answers a JSON body it cannot decode with a bare 400; say what is wrong with it
UNDECODABLE_BODY = {
    UnicodeDecodeError: "Not UTF-8 text.",
    RecursionError: "JSON nested too deeply.",
}


async def _on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 400 and type(exc.__cause__) in UNDECODABLE_BODY:
        error = FieldError(field="body", message=UNDECODABLE_BODY[type(exc.__cause__)])
        return await _on_problem(request, validation_error([error]))
    status = HTTPStatus(exc.status_code)
    slug = status.phrase.lower().replace(" ", "-")
    body = {
        "type": PROBLEM_BASE + slug,
        "title": status.phrase,
        "status": exc.status_code,
        "instance": request.url.path,
    }
    if exc.detail and exc.detail != status.phrase:
        body["detail"] = str(exc.detail)
    elif exc.status_code == 404:
        body["detail"] = f"No route matches {request.method} {request.url.path}"
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405 and (allowed := _allowed_methods(request)):
        # Starlette lists only the methods of the first route matching the path
        headers = {**(headers or {}), "Allow": allowed}
    return problem_response(exc.status_code, body, headers)


def _allowed_methods(request: Request) -> str:
    """Every method the path has (FastAPI makes one route per method): ``routing.PathMethods``,
    where a literal segment beats a parameter."""
    if (paths := getattr(request.app.state, "path_methods", None)) is not None:
        return ", ".join(paths.allowed(request.url.path))
    routes = [r for r in request.app.router.routes if not isinstance(r, Mount)]
    allowed = []
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        probe = {**request.scope, "method": method}
        if any(route.matches(probe)[0] is Match.FULL for route in routes):
            allowed.append(method)
    return ", ".join(allowed)


async def _on_database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", exc)
    return problem_response(
        503,
        ServiceUnavailable("The database is unreachable; retry shortly.").problem(request.url.path),
        {"Retry-After": "5"},
    )


def null_refused(exc: BaseException) -> Unprocessable | None:
    """A NOT NULL column given null (SQLSTATE 23502): the request set a required field to
    ``null`` (a PATCH sending ``{"name": null}``), the client's mistake, named like validation's
    own errors. Any other integrity error is a conflict with stored data."""
    chain: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None:
        chain.append(cause)
        cause = cause.__cause__
    if not any(str(getattr(c, "sqlstate", "") or "") == "23502" for c in chain):
        return None
    # asyncpg's own error, deepest in the chain, names the column
    column = next((c.column_name for c in chain if getattr(c, "column_name", None)), None)
    field = f"body.{column}" if column else "body"
    return validation_error([FieldError(field=field, message="may not be null")])


async def _on_integrity(request: Request, exc: IntegrityError) -> JSONResponse:
    log.info("integrity error: %s", exc.orig)
    if (refused := null_refused(exc)) is not None:
        return await _on_problem(request, refused)
    return problem_response(
        409,
        Conflict(
            "The change conflicts with data already stored (a duplicate or a missing reference)."
        ).problem(request.url.path),
    )


def is_data_error(exc: BaseException) -> bool:
    """PostgreSQL or asyncpg refused a value: SQLSTATE class 22 (out of range, NUL in text,
    bad encoding...) or asyncpg's own check of a query argument (an int beyond int64)."""
    if isinstance(exc, DataError):
        return True
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, asyncpg.exceptions.DataError):
            return True
        if str(getattr(cause, "sqlstate", "") or "").startswith("22"):
            return True
        cause = cause.__cause__
    return False


async def _on_database_error(request: Request, exc: DBAPIError) -> JSONResponse:
    if is_data_error(exc):
        return await _on_data_error(request, exc)
    return await on_unhandled(request, exc)


async def _on_data_error(request: Request, exc: DBAPIError) -> JSONResponse:
    """The value came from the request, which the route's validation should have caught:
    logged as a warning so the route gets its bound, answered as the client's mistake."""
    log.warning("data error on %s %s: %s", request.method, request.url.path, exc.orig)
    return problem_response(
        422,
        Unprocessable(
            "A value in the request cannot be stored: a number out of range, or text with a "
            "character that is not allowed (such as NUL)."
        ).problem(request.url.path),
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(500, InternalError().problem(request.url.path))


async def on_unhandled(request: Request, exc: Exception) -> JSONResponse:
    """An exception no other handler took: 503 when the database is unreachable, else 500.
    A ProblemError raised by a middleware (outside FastAPI's handlers) keeps its own answer."""
    if isinstance(exc, ProblemError):
        return await _on_problem(request, exc)
    if is_connection_error(exc):
        return await _on_database_unavailable(request, exc)
    return await _on_unexpected(request, exc)


# A server that is there but will not serve us now: class 08 (connection exception), 57P01-03
# (terminated by an administrator, crashed, starting up or shutting down), 53300 (too many
# connections).
UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
# What a database closed to connections (ALLOW_CONNECTIONS false, as for maintenance) answers a
# connection attempt. Raised by a statement it is a program error instead, so it counts only
# when SQLAlchemy raised it while connecting (no statement).
NOT_ACCEPTING_CONNECTIONS = "55000"


def is_connection_error(exc: BaseException) -> bool:
    """True for errors that mean the database could not be reached (not bad SQL or data)."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, (ConnectionError, OSError, TimeoutError)):
        return True
    connecting = isinstance(exc, DBAPIError) and exc.statement is None
    cause: BaseException | None = exc
    while cause is not None:
        sqlstate = str(getattr(cause, "sqlstate", "") or "")
        if sqlstate.startswith(UNAVAILABLE_SQLSTATES) or (
            connecting and sqlstate == NOT_ACCEPTING_CONNECTIONS
        ):
            return True
        cause = cause.__cause__
    return False


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(IntegrityError, _on_integrity)
    app.add_exception_handler(DBAPIError, _on_database_error)
    app.add_exception_handler(OperationalError, _on_database_unavailable)
    app.add_exception_handler(InterfaceError, _on_database_unavailable)
    app.add_exception_handler(ConnectionError, _on_database_unavailable)
    app.add_exception_handler(Exception, on_unhandled)


def problem_doc(description: str) -> dict[str, Any]:
    """An OpenAPI ``responses`` entry for a problem+json answer."""
    return {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": description}


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: problem_doc("No or invalid bearer token 未认证"),
    403: problem_doc("Caller's role or ownership does not allow this 无权限"),
    422: problem_doc("Request validation failed 请求参数错误"),
}

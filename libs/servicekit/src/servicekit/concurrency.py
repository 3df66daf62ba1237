"""Optimistic concurrency: ``ETag`` from a version column, ``If-Match`` on every update."""

from fastapi import Request, Response

from servicekit.errors import PreconditionFailed, PreconditionRequired


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def require_if_match(request: Request, current_version: int) -> None:
    """412 when the caller's copy is stale, 428 when it sent no ``If-Match`` at all."""
    given = request.headers.get("if-match")
    if given is None:
        raise PreconditionRequired("Send If-Match with the ETag you read.")
    tags = {t.strip().removeprefix("W/") for t in given.split(",")}
    if "*" not in tags and etag(current_version) not in tags:
        raise PreconditionFailed(
            f"If-Match {given} does not match the current ETag {etag(current_version)}.",
            current_etag=etag(current_version),
        )

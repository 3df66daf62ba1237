"""Optimistic concurrency: ``ETag`` from a version column, ``If-Match`` on every update.

A route takes ``IfMatch`` when an update needs it: a request without one is a 428 before the
route runs, and the document marks the header required (``openapi.py``). ``OptionalIfMatch`` is
for the rare update that is safe without one (checked only when sent)."""

from typing import Annotated

from fastapi import Depends, Header, Response

from servicekit.errors import PreconditionFailed, PreconditionRequired

_IF_MATCH = Header(
    alias="If-Match",
    description="The ETag you read 读取时的 ETag; a stale one gets 412, none gets 428.",
    examples=['"1"'],
)
OptionalIfMatch = Annotated[str | None, _IF_MATCH]


async def if_match_required(if_match: OptionalIfMatch = None) -> str:
    if if_match is None or not if_match.strip():  # an empty header names no version either
        raise PreconditionRequired("Send If-Match with the ETag you read.")
    return if_match


IfMatch = Annotated[str, Depends(if_match_required)]


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def require_if_match(if_match: str | None, current_version: int) -> None:
    """412 when the caller's copy is stale, 428 when it sent no ``If-Match`` at all."""
    if if_match is None:
        raise PreconditionRequired("Send If-Match with the ETag you read.")
    tags = {t.strip().removeprefix("W/") for t in if_match.split(",")}
    if "*" not in tags and etag(current_version) not in tags:
        raise PreconditionFailed(
            f"If-Match {if_match} does not match the current ETag {etag(current_version)}.",
            current_etag=etag(current_version),
        )

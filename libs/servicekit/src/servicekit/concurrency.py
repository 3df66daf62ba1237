"""Optimistic concurrency: ``ETag`` from a version column, ``If-Match`` on every update."""

from typing import Annotated

from fastapi import Header, Response

from servicekit.errors import PreconditionFailed, PreconditionRequired

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag you read 读取时的 ETag; a stale one gets 412, none gets 428.",
        examples=['"1"'],
    ),
]


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

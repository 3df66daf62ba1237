"""How the routers answer with a record: its ETag from ``version``, and for a new one its
``Location``."""

from typing import Protocol, TypeVar

from fastapi import Response
from servicekit.concurrency import set_etag


class Versioned(Protocol):
    version: int


V = TypeVar("V", bound=Versioned)


def versioned(response: Response, body: V) -> V:
    set_etag(response, body.version)
    return body


def created(response: Response, body: V, location: str) -> V:
    response.headers["Location"] = location
    return versioned(response, body)

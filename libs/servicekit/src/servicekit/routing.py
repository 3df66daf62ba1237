"""Which methods a path has: a literal path segment beats a parameter.

``/plan-editions/current`` belongs to the route written for it, never to
``/plan-editions/{edition_id}``, whatever the method: the router would hand a
``PATCH /plan-editions/current`` to the PATCH of ``{edition_id}`` (a 401, or a 422 about a
UUID), where the path deserves a 405. ``PathMethods`` answers that 405 (RFC 9457, with ``Allow``)
before routing, and ``allowed(path)`` is what every 405's ``Allow`` lists (``errors.py``): the
methods of the most literal templates matching the path, which are the document's methods for it.
"""

import re
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from servicekit.errors import PROBLEM_BASE, problem_response

_PARAM = re.compile(r"^\{[^}]+\}$")
ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@dataclass(frozen=True)
class Template:
    regex: re.Pattern[str]
    segments: tuple[str | None, ...]  # None for a parameter
    methods: frozenset[str]

    def beaten_by(self, other: "Template") -> bool:
        """``other`` matches wherever this has a literal, and has one where this has not."""
        if len(other.segments) != len(self.segments) or other.segments == self.segments:
            return False
        pairs = list(zip(other.segments, self.segments, strict=True))
        agrees = all(mine is None or theirs == mine for theirs, mine in pairs)
        return agrees and any(mine is None and theirs is not None for theirs, mine in pairs)


class PathMethods:
    def __init__(self, app: FastAPI) -> None:
        methods: dict[str, set[str]] = {}
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            if context.path_format and (isinstance(route, APIRoute) or hasattr(route, "methods")):
                methods.setdefault(context.path_format, set()).update(route.methods or ())
        self.templates = [
            Template(
                regex=compile_path(path)[0],
                segments=tuple(None if _PARAM.match(s) else s for s in path.split("/")),
                methods=frozenset(found),
            )
            for path, found in methods.items()
        ]

    def allowed(self, path: str) -> list[str]:
        """The methods of the most literal templates that match ``path`` (none: no route)."""
        matching = [t for t in self.templates if t.regex.match(path)]
        best = [t for t in matching if not any(t.beaten_by(o) for o in matching)]
        found = set().union(*(t.methods for t in best)) if best else set()
        return [m for m in ORDER if m in found]


class LiteralPathsMiddleware:
    """405 for a method the path's own (most literal) templates do not have."""

    def __init__(self, app: ASGIApp, paths: PathMethods) -> None:
        self.app, self.paths = app, paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            allowed = self.paths.allowed(path)
            if allowed and scope["method"] not in allowed:
                body = {
                    "type": PROBLEM_BASE + "method-not-allowed",
                    "title": "Method Not Allowed",
                    "status": 405,
                    "instance": path,
                }
                response = problem_response(405, body, {"Allow": ", ".join(allowed)})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

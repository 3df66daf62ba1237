"""Per-request context: request id, traceparent, an access log line and the latency metric."""

import logging
import re
import time
import uuid

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.errors import on_unhandled
from servicekit.logs import log_request
from servicekit.metrics import ServiceMetrics
from servicekit.tracing import continue_from, current_traceparent, trace_id

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given, incoming = "", None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                given = value.decode("latin-1")
            elif name == b"traceparent":
                incoming = value.decode("latin-1")
        request_id = given if _SAFE_ID.fullmatch(given) else uuid.uuid4().hex
        traceparent = continue_from(incoming)
        token = current_traceparent.set(traceparent)
        structlog.contextvars.bind_contextvars(
            request_id=request_id, trace_id=trace_id(traceparent)
        )
        started = time.perf_counter()
        status = 500
        started_response = False

        async def send_with_ids(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                status, started_response = message["status"], True
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                    (b"traceparent", traceparent.encode()),
                ]
            await send(message)

        try:
            try:
                await self.app(scope, receive, send_with_ids)
            except Exception as exc:
                if started_response:
                    raise
                # answered here, not by Starlette's outermost handler, so the problem carries
                # the request id and traceparent and the error log line has them too
                response = await on_unhandled(Request(scope), exc)
                await response(scope, receive, send_with_ids)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            self.metrics.request_seconds.labels(scope["method"], template, str(status)).observe(
                elapsed
            )
            if template not in ("/healthz", "/readyz", "/metrics"):
                log_request(
                    logging.WARNING if status >= 500 else logging.INFO,
                    {
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 1),
                        "request_id": request_id,
                        "trace_id": trace_id(traceparent),
                    },
                )
            structlog.contextvars.unbind_contextvars("request_id", "trace_id")
            current_traceparent.reset(token)

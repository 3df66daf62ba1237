"""A ceiling on request bodies: 413 problem+json, before or while the body is read.

A body that turns out too large while streaming is answered here at once; the route then sees
the client as gone (``http.disconnect``), so it cannot commit anything, and whatever it tries to
answer is dropped.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.errors import ProblemError, problem_response


class PayloadTooLarge(ProblemError):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class BodyLimitMiddleware:
    """``max_bytes`` for every body; ``multipart_max_bytes`` (when given) for
    ``multipart/form-data`` uploads, which a route then checks file by file."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, multipart_max_bytes: int | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.multipart_max_bytes = multipart_max_bytes or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        multipart = headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")
        limit = self.multipart_max_bytes if multipart else self.max_bytes
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received, refused = 0, False

        async def limited_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                refused = True
                await self._refuse(scope, receive, send, limit)
                return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, limited_receive, guarded_send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        error = PayloadTooLarge(f"The body exceeds {limit} bytes.", max_bytes=limit)
        await problem_response(error.status, error.problem(scope["path"]))(scope, receive, send)

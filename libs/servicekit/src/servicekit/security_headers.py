"""``X-Content-Type-Options: nosniff`` on every answer: a browser never guesses a type other
than the one declared (an uploaded file or an export read as a page that runs script)."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NOSNIFF = (b"x-content-type-options", b"nosniff")


class NoSniffMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_nosniff(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != NOSNIFF[0]]
                message["headers"] = [*headers, NOSNIFF]
            await send(message)

        await self.app(scope, receive, send_nosniff)

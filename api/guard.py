"""ASGI middleware guarding every route: security headers on HTML, a deadline on bodies.

`SecurityHeaders` gives every `text/html` response a Content-Security-Policy,
`X-Content-Type-Options: nosniff` and `Referrer-Policy` unless the route set its own, so pages
added by any router get them. The default policy loads scripts only from this origin and
nothing from other hosts; inline styles are allowed (the ontology page has one).

`BodyDeadline` bounds the time a client may take to send its request body
(`CLUSTERKG_BODY_TIMEOUT`): a slow sender gets 408 and its connection closed, instead of
holding a task for ever. The deadline for headers is the connection protocol's
(`clusterkg.api.connections`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'self'"
)
HTML_HEADERS: dict[bytes, bytes] = {
    b"content-security-policy": DEFAULT_CSP.encode(),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"same-origin",
}


class SecurityHeaders:
    """Adds the security headers to HTML responses that lack them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                if content_type.lower().startswith(b"text/html"):
                    headers += [(n, v) for n, v in HTML_HEADERS.items() if n not in present]
                elif b"x-content-type-options" not in present:
                    headers.append((b"x-content-type-options", b"nosniff"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTimeout(Exception):
    """The client did not send its body in time."""


class BodyDeadline:
    """Refuses (408) a request whose body is not received within `seconds`."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = time.monotonic() + self.seconds
        started = False

        async def timed_receive() -> Message:
            remaining = deadline - time.monotonic()
            with anyio.move_on_after(max(remaining, 0.0)) as scope_:
                return await receive()
            if scope_.cancelled_caught:
                raise BodyTimeout
            return await receive()  # pragma: no cover - not reached

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed_receive, tracking_send)
        except BodyTimeout:
            if started:
                raise
            body = f"request body not received within {self.seconds:g} s\n".encode()
            await send({"type": "http.response.start", "status": 408, "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
            await send({"type": "http.response.body", "body": body})

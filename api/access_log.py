"""The access log: one line per response, uvicorn's own line, written out in batches.

uvicorn writes its access log through the `logging` module: per request a record, a formatter
and a flushed write to standard output, about 0.1 ms of the server's CPU, as much as uvicorn
spends on the rest of a small request (`bench/results/facade-cpu-2026-12-03-lean.md`). The
service turns that log off (`api/connections.py`) and wraps its app in `AccessLog`, which
formats the same line (`INFO:     127.0.0.1:52110 - "GET /sparql?query=… HTTP/1.1" 200 OK`,
uvicorn's format without colours, with uvicorn's own helpers for the client and the path) into
a buffer. The buffer is written to standard output a second after its first line, once it holds
64 KiB, and when the app has shut down, as nginx's `access_log … buffer= flush=` does: a crash
loses at most the last second's lines. A request whose app raises before answering is logged
with the 500 that uvicorn then sends.
"""

from __future__ import annotations

import asyncio
import http
import sys
from typing import Any, TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

FLUSH_SECONDS = 1.0
BUFFER_BYTES = 64 * 1024


_PHRASES = {status.value: status.phrase for status in http.HTTPStatus}


def phrase(status: int) -> str:
    """The reason phrase uvicorn's access formatter writes after a status code ("" for a code
    `http.HTTPStatus` does not name)."""
    return _PHRASES.get(status, "")


def line(scope: Scope, status: int) -> str:
    """The access log line of a response, as uvicorn's `AccessFormatter` writes it without
    colours."""
    http_scope: Any = scope  # uvicorn's helpers are typed with its own scope dictionaries
    return (f'INFO:     {get_client_addr(http_scope)} - "{scope["method"]} '
            f'{get_path_with_query_string(http_scope)} HTTP/{scope["http_version"]}" '
            f"{status} {phrase(status)}\n")


class AccessLog:
    """Wraps an ASGI app: logs each HTTP response's start, buffered (see the module)."""

    def __init__(self, app: ASGIApp, stream: TextIO | None = None,
                 flush_seconds: float = FLUSH_SECONDS, buffer_bytes: int = BUFFER_BYTES) -> None:
        self.app = app
        self.stream = stream  # None: standard output as it is at each write
        self.flush_seconds = flush_seconds
        self.buffer_bytes = buffer_bytes
        self._lines: list[str] = []
        self._size = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._flushing_at_shutdown(send))
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def logged_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                self.add(line(scope, message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, logged_send)
        except BaseException:
            if not started:
                self.add(line(scope, 500))
            raise

    def _flushing_at_shutdown(self, send: Send) -> Send:
        """The lifespan's `send`, writing the buffer out when the app has shut down: uvicorn
        waits for the requests in flight first, and a server stopped by a signal raises it
        again afterwards, so nothing after this point would run."""

        async def flushing_send(message: Message) -> None:
            if message["type"] in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
                self.flush()
            await send(message)

        return flushing_send

    def add(self, text: str) -> None:
        """Buffer one line; the first line of an empty buffer arms the flush timer."""
        if not self._lines:
            asyncio.get_running_loop().call_later(self.flush_seconds, self.flush)
        self._lines.append(text)
        self._size += len(text)
        if self._size >= self.buffer_bytes:
            self.flush()

    def flush(self) -> None:
        """Write the buffered lines out (the server calls this once more when it stops)."""
        if not self._lines:
            return
        text = "".join(self._lines)
        self._lines.clear()
        self._size = 0
        stream = self.stream or sys.stdout
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):  # a closed or broken standard output: these lines are
            pass  # lost, as `logging` would lose them, and the buffer does not grow for ever

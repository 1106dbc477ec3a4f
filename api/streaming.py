"""Answers streamed from a query worker to the client through a bounded buffer.

The thread that talks to a worker (`execution._round_trip`) hands each message to a `Channel`;
the event loop takes them out and sends them. A body chunk (up to `writers.CHUNK`, 1 MiB)
needs one of `SLOTS` places, so however large the answer, at most `SLOTS` chunks wait in the
server; when the client reads slower than the worker writes, the places stay taken, the
round-trip thread stops reading the worker's pipe and the worker waits in its own `send`. That
wait counts against the query's time limit (and its long-query slot): a slow reader holds a
worker at most as long as a slow query would, then the answer is cut.

An answer cut after its first bytes went out (time limit, byte cap, worker death, slow
reader) cannot change its status any more. `AnswerStreamResponse` then closes the connection
without the terminating zero-length chunk of HTTP/1.1 chunked encoding, so every HTTP client
sees an incomplete body (curl: "transfer closed with outstanding read data remaining"; httpx:
`RemoteProtocolError`) instead of a complete-looking, shorter answer; the reason goes to the
server's log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator

from starlette.responses import StreamingResponse
from starlette.types import Send

SLOTS = 4
CHUNK, HEAD, END, ERROR = "chunk", "head", "end", "error"

log = logging.getLogger("clusterkg.api.streaming")


class AnswerAborted(Exception):
    """The answer was cut after its first bytes were sent; the message says why."""


class Channel:
    """Messages from a round-trip thread to the event loop; body chunks are bounded."""

    def __init__(self, slots: int = SLOTS) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[tuple[str, object]] = asyncio.Queue()
        self._slots = threading.Semaphore(slots)
        self._closed = threading.Event()

    @property
    def closed(self) -> bool:
        """True once the consumer has gone (the producer should stop)."""
        return self._closed.is_set()

    def put(self, kind: str, payload: object, timeout: float | None = None) -> bool:
        """Hand over one message (thread side). A chunk waits up to `timeout` s for a free
        place; False if none freed in time or the consumer has gone."""
        if kind == CHUNK and not self._slots.acquire(timeout=None if timeout is None
                                                     else max(timeout, 0.0)):
            return False
        if self.closed:
            return False
        with contextlib.suppress(RuntimeError):  # the loop has shut down: nobody listens
            self._loop.call_soon_threadsafe(self._queue.put_nowait, (kind, payload))
        return True

    async def get(self) -> tuple[str, object]:
        """The next message (event-loop side); taking a chunk frees its place."""
        kind, payload = await self._queue.get()
        if kind == CHUNK:
            self._slots.release()
        return kind, payload

    def close(self) -> None:
        """The consumer has gone: a producer waiting for a place wakes and gives up."""
        self._closed.set()
        self._slots.release()


class AnswerStreamResponse(StreamingResponse):
    """A streamed answer that, when cut (`AnswerAborted`), ends without the final chunk."""

    body_iterator: AsyncIterator[bytes]

    async def stream_response(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})
        try:
            async for chunk in self.body_iterator:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except AnswerAborted as error:
            # Returning without the final message makes uvicorn close the connection.
            log.warning("answer cut after its first bytes were sent: %s", error)
            return
        finally:
            aclose = getattr(self.body_iterator, "aclose", None)
            if aclose is not None:
                await aclose()
        await send({"type": "http.response.body", "body": b"", "more_body": False})

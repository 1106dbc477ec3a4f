"""Connection-level limits of the HTTP server: slow or idle clients are cut off.

uvicorn bounds idle keep-alive connections (`timeout_keep_alive`) and the number of
connections (`limit_concurrency`, 503 beyond it), but not the time a client takes to send its
request headers: a client trickling one byte a second holds its connection for ever, and each
byte even cancels the keep-alive timer. `HeaderDeadline` is uvicorn's h11 protocol with a hard
deadline, armed when a connection opens and after each response, and cleared once a request's
headers are complete; a connection still sending headers at the deadline is closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from clusterkg.settings import Settings


class HeaderDeadline(H11Protocol):
    """h11 protocol whose clients must send complete request headers within `seconds`."""

    seconds: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.seconds, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run` that apply the connection limits of `settings`."""
    protocol = type("HeaderDeadline", (HeaderDeadline,), {"seconds": settings.header_timeout})
    return {
        "http": protocol,
        "timeout_keep_alive": settings.keep_alive_timeout,
        "limit_concurrency": settings.max_connections,
    }

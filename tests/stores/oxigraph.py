"""A real Oxigraph server for the tests (`bench.servers.oxigraph_server`: `oxigraph serve` from
the `oxigraph` wheel on a free 127.0.0.1 port and a temporary folder, stopped afterwards)."""

from __future__ import annotations

from bench.servers import oxigraph_server

__all__ = ["oxigraph_server"]

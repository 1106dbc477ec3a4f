"""`python -m bench.slow_clients`: thousands of one-byte-per-second connections, bounded.

A real clusterkg server on 127.0.0.1 (default settings: headers within 10 s) gets `--clients`
connections that each send one byte of a request line per second, for `--seconds`; meanwhile
one ordinary client asks a cheap query every half second. Reported: how many slow connections
the server still holds each second, and the ordinary client's latencies and errors. Results go
to `bench/results/slow-clients-<date>.md` and `.json`, with the command.
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench import record, synthetic
from bench.servers import clusterkg_server

RESULTS_DIR = Path(__file__).resolve().parent / "results"
LINE = b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n"


def _still_open(sock: socket.socket) -> bool:
    try:
        sock.setblocking(False)
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def run(clients: int, seconds: float) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder) / "synthetic.nq"
        synthetic.write(dump, organisations=50, seed=1)
        with clusterkg_server(dump, workers=2) as url:
            port = int(url.split(":")[2].split("/")[0])
            sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(clients)]
            latencies: list[float] = []
            errors: list[str] = []
            stop = threading.Event()

            def ordinary() -> None:
                with httpx.Client(timeout=10) as client:
                    while not stop.is_set():
                        started = time.perf_counter()
                        try:
                            status = client.get(url, params={"query": "ASK {}"}).status_code
                            if status != 200:
                                errors.append(str(status))
                        except httpx.HTTPError as error:
                            errors.append(type(error).__name__)
                        latencies.append(time.perf_counter() - started)
                        time.sleep(0.5)

            thread = threading.Thread(target=ordinary)
            thread.start()
            held: list[int] = []
            for second in range(int(seconds)):
                for sock in sockets:
                    with contextlib.suppress(OSError):
                        sock.send(LINE[second % len(LINE): second % len(LINE) + 1])
                time.sleep(1)
                held.append(sum(_still_open(sock) for sock in sockets))
            stop.set()
            thread.join()
            for sock in sockets:
                sock.close()
    ordered = sorted(latencies)
    return {
        "clients": clients, "seconds": seconds, "held_each_second": held,
        "ordinary_requests": len(ordered), "ordinary_errors": errors,
        "ordinary_p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "ordinary_max_ms": round(ordered[-1] * 1000, 1) if ordered else None,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args(argv)
    result = run(args.clients, args.seconds)
    command = "python -m bench.slow_clients " + shlex.join(
        argv if argv is not None else sys.argv[1:])
    result["command"] = command
    stamp = f"{datetime.now(UTC):%Y-%m-%d}"
    text = (f"# Slow clients ({stamp})\n\nCommand: `{command}`\n\n"
            f"{args.clients} connections each sending one byte of a request line per second; "
            "the server's header deadline is 10 s (default).\n\n"
            f"- connections still held after each second: {result['held_each_second']}\n"
            f"- ordinary client meanwhile: {result['ordinary_requests']} requests, errors "
            f"{result['ordinary_errors'] or 0}, p50 {result['ordinary_p50_ms']} ms, "
            f"max {result['ordinary_max_ms']} ms\n")
    record.write(RESULTS_DIR, f"slow-clients-{stamp}", result, text)


if __name__ == "__main__":
    main()

"""`POST /validate` on a real server: the body is cut while it streams, a full gate answers 503,
a client that leaves stops its validation, and hostile uploads do not slow a trivial ASK. The
server has a temp folder of its own, which stays empty on every path (valid, refused, timed
out, cut, disconnected)."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.uploads import Case, measure

from ..hostile import huge_dimension_xlsx, million_row_csv
from .conftest import DATASET
from .server import running_server

pytestmark = pytest.mark.heavy
SLOW_CSV = ("programme_id,objective\n" + "".join(f"LVA-p{i},x\n" for i in range(20_000))).encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, Path]]:
    """One server for the module, its temp folder empty and its own."""
    tmp = tmp_path_factory.mktemp("server-tmp")
    old = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(tmp)
    try:
        with running_server(
            DATASET,
            validation_workers="2",
            validation_timeout="4",
            query_workers="2",
            upload_read_timeout="2",
        ) as (url, pid):
            yield url.rsplit("/", 1)[0], pid, tmp
    finally:
        if old is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = old


def _children(pid: int) -> list[int]:
    """Children forked by any thread of `pid` (each thread lists its own)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in _children(todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _request(port: int, head: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(head)
    return sock


def leftovers(tmp: Path) -> list[Path]:
    """Files in the server's temp folder but the fork server's socket (multiprocessing's)."""
    return [
        path
        for path in tmp.rglob("*")
        if not (path.parent.name.startswith("pymp-") and path.is_socket())
        and not (path.name.startswith("pymp-") and path.is_dir())
    ]


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def test_a_chunked_2_gb_upload_is_cut_at_the_limit(server: tuple[str, int, Path]) -> None:
    base, pid, tmp = server
    port = int(base.rsplit(":", 1)[1])
    rss_before = _rss(pid)
    sock = _request(
        port,
        b"POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: multipart/form-data; boundary=b\r\n\r\n",
    )
    head = b'--b\r\nContent-Disposition: form-data; name="files"; filename="big.csv"\r\n\r\n'
    sock.sendall(b"%x\r\n%s\r\n" % (len(head), head))
    chunk = b"x" * (1 << 20)
    framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    sent = 0
    sock.settimeout(0.001)
    answer = b""
    try:
        while sent < 2 << 30:
            try:
                sock.sendall(framed)
                sent += len(chunk)
            except (TimeoutError, BlockingIOError):
                pass
            except (BrokenPipeError, ConnectionResetError):
                break
            try:
                answer += sock.recv(65536)
            except (TimeoutError, BlockingIOError):
                continue
            except ConnectionResetError:
                break
            if answer:
                break
        sock.settimeout(5)
        while b"\r\n\r\n" not in answer:
            more = sock.recv(65536)
            if not more:
                break
            answer += more
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 200 << 20  # cut near the 20 MiB limit, not after 2 GB
    assert leftovers(tmp) == []
    assert _rss(pid) - rss_before < 150 << 20


def test_full_gate_answers_503_with_retry_after(server: tuple[str, int, Path]) -> None:
    base, _pid, _tmp = server
    statuses: list[int] = []

    def slow() -> None:
        response = httpx.post(
            f"{base}/validate",
            files={"files": ("programme_objective.csv", SLOW_CSV)},
            timeout=60,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=slow) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.8)
    third = httpx.post(f"{base}/validate", files={"files": ("p.ttl", b"<a> <b> <c> .")}, timeout=30)
    for thread in threads:
        thread.join(timeout=60)
    assert third.status_code == 503 and third.headers["Retry-After"].isdigit()
    assert "validation slots are busy" in third.json()["detail"]
    assert all(code in (200, 413) for code in statuses) and len(statuses) == 2


def test_a_client_that_leaves_stops_its_validation(server: tuple[str, int, Path]) -> None:
    base, pid, _tmp = server
    port = int(base.rsplit(":", 1)[1])
    httpx.post(f"{base}/validate", files={"files": ("p.ttl", b"<a> <b> <c> .")}, timeout=30)
    idle = descendants(pid)
    body = (
        b'--b\r\nContent-Disposition: form-data; name="files"; '
        b'filename="programme_objective.csv"\r\n\r\n' + SLOW_CSV + b"\r\n--b--\r\n"
    )
    sock = _request(
        port,
        b"POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n"
        b"Content-Type: multipart/form-data; boundary=b\r\n\r\n%s" % (len(body), body),
    )
    deadline = time.monotonic() + 10
    while not (descendants(pid) - idle) and time.monotonic() < deadline:
        time.sleep(0.02)
    running = descendants(pid) - idle
    assert running, "the validation child never started"
    sock.close()
    deadline = time.monotonic() + 3
    while descendants(pid) & running and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not descendants(pid) & running


def test_a_slow_client_is_cut_at_the_read_timeout(server: tuple[str, int, Path]) -> None:
    base, _pid, _tmp = server
    port = int(base.rsplit(":", 1)[1])
    sock = _request(
        port,
        b"POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n"
        b"Content-Type: multipart/form-data; boundary=b\r\n\r\n--b\r\n",
    )
    sock.settimeout(10)
    started = time.monotonic()
    answer = b""
    try:
        while not answer.endswith(b"}"):  # the JSON body may come in a second packet
            more = sock.recv(65536)
            if not more:
                break
            answer += more
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert 1.5 < time.monotonic() - started < 8
    assert b"CLUSTERKG_UPLOAD_READ_TIMEOUT" in answer


def test_hostile_uploads_do_not_slow_a_trivial_ask(server: tuple[str, int, Path]) -> None:
    base, pid, tmp = server
    cases = [
        Case("A1:XFD1048576", "survey.xlsx", huge_dimension_xlsx, 5),
        Case("A1:XFD1048576", "survey.xlsx", huge_dimension_xlsx, 41),
        Case("1M-row CSV", "programme_objective.csv", million_row_csv, 5),
    ]
    valid = Path(__file__).parents[1] / "fixtures" / "shapes" / "valid" / "programme.ttl"
    ok = httpx.post(f"{base}/validate", files={"files": ("p.ttl", valid.read_bytes())}, timeout=60)
    assert ok.status_code == 200 and ok.json()["status"] == "valid"
    rows = measure(f"{base}/sparql", cases, asks=30, pid=pid)
    for row in rows:
        assert row.peak_mib is not None and row.peak_mib < 1024, row  # the audit: 5 GB
        assert set(row.statuses) <= {413, 503}, row
        # the audit: 5 ms -> 1.26 s (250x) with five; every request timed out with forty-one
        assert row.p50 < max(10 * row.base_p50, 0.1), row
        assert row.p90 < max(20 * row.base_p90, 0.5), row
    assert leftovers(tmp) == []

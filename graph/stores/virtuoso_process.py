"""A Virtuoso Open Source server of clusterkg's own, for the tests, benchmarks and a local store.

Debian's `virtuoso-opensource-7` (installed by `make system-deps`, its own daemon left disabled)
ships the `virtuoso-t` server and the `isql-vt` SQL client. `running_virtuoso` writes a
`virtuoso.ini` from the template beside this module (loopback ports, a database folder of its own,
bulk load only from that folder's `load/`, a time limit and a row cap), runs `virtuoso-t -f` in
the foreground, waits until its SPARQL endpoint answers, replaces the fresh database's default
`dba` password (`dba`) with the caller's through `isql-vt` on standard input (never on a command
line, where `ps` would show it), and on leaving stops the server (SIGTERM: Virtuoso checkpoints and
exits) and waits for it. A fresh database takes about 10-15 s to initialise on this machine.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from string import Template

import httpx

INI_TEMPLATE = Path(__file__).with_name("virtuoso.ini")
SERVER = "virtuoso-t"
ISQL = "isql-vt"
DEFAULT_PASSWORD = "dba"  # what every fresh Virtuoso database starts with


class VirtuosoUnavailable(RuntimeError):
    """No Virtuoso server binary on this machine, or it would not start."""


@dataclass(frozen=True)
class VirtuosoProcess:
    """A running Virtuoso: its HTTP base, its SQL port and the administrator's credentials."""

    base: str
    sql_port: int
    user: str
    password: str
    folder: Path
    pid: int
    max_rows: int

    @property
    def store_url(self) -> str:
        """The `--store` URL naming this server and its row cap (credentials go in the
        environment: `CLUSTERKG_STORE_USER`, `CLUSTERKG_STORE_PASSWORD`)."""
        return f"virtuoso+{self.base}?maxrows={self.max_rows}"

    @property
    def sparql(self) -> str:
        """Virtuoso's own public SPARQL endpoint."""
        return f"{self.base}/sparql"

    @property
    def load_dir(self) -> Path:
        """The one folder the server may bulk-load files from (`DirsAllowed`)."""
        return self.folder / "load"

    def isql(self, sql: str, *, timeout: float = 600) -> str:
        """Run SQL statements through `isql-vt` (on standard input); its output, or an error."""
        return run_isql(self.sql_port, self.user, self.password, sql, timeout=timeout)


def run_isql(port: int, user: str, password: str, sql: str, *, timeout: float = 600) -> str:
    """Statements through `isql-vt` on 127.0.0.1:`port`; raises on an SQL error."""
    done = subprocess.run(
        [_binary(ISQL), f"127.0.0.1:{port}", user, password],
        input=sql.encode(), capture_output=True, timeout=timeout, check=False)
    out = done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")
    if done.returncode != 0 or "*** Error" in out:
        raise RuntimeError(f"isql failed ({done.returncode}): {out[-2000:]}")
    return out


def available() -> bool:
    """Whether this machine has the Virtuoso server (`make system-deps` installs it)."""
    return shutil.which(SERVER) is not None and shutil.which(ISQL) is not None


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise VirtuosoUnavailable(
            f"{name} not found: `make system-deps` installs Debian's virtuoso-opensource-7")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def write_ini(folder: Path, *, http_port: int, sql_port: int, timeout_s: int, max_rows: int,
              memory_mb: int) -> Path:
    """`folder/virtuoso.ini` from the template, for a database in `folder/db`."""
    buffers = max(2000, memory_mb * 1024 // 8 * 2 // 3)
    shutil.rmtree(folder / "db", ignore_errors=True)  # a new database: never an old one's password
    text = Template(INI_TEMPLATE.read_text(encoding="utf-8")).substitute(
        db=str(folder / "db"), http_port=http_port, sql_port=sql_port, timeout=timeout_s,
        max_rows=max_rows, buffers=buffers, dirty_buffers=buffers * 3 // 4)
    (folder / "db").mkdir(parents=True, exist_ok=True)
    (folder / "db" / "load").mkdir(exist_ok=True)
    ini = folder / "virtuoso.ini"
    ini.write_text(text, encoding="utf-8")
    return ini


def _wait_until_up(process: subprocess.Popen[bytes], url: str, log: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise VirtuosoUnavailable(f"virtuoso-t exited ({process.returncode}): {tail}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise VirtuosoUnavailable(f"Virtuoso did not answer within {wait:g} s")
        time.sleep(0.25)


def stop(process: subprocess.Popen[bytes], *, wait: float = 60) -> None:
    """SIGTERM (Virtuoso checkpoints, then exits), SIGKILL if it has not exited in `wait` s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running_virtuoso(
    folder: Path,
    *,
    password: str | None = None,
    timeout_s: int = 60,
    max_rows: int = 1_000_000,
    memory_mb: int = 512,
    wait: float = 120,
) -> Iterator[VirtuosoProcess]:
    """Start Virtuoso on a new database in `folder` (free loopback ports), yield it, stop it.

    `password` becomes the `dba` password (a random one if None); `timeout_s` and `max_rows` are
    the server's own query time limit and SELECT row cap; `memory_mb` sizes its page buffers."""
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = _free_port(), _free_port()
    ini = write_ini(folder / "virtuoso", http_port=http_port, sql_port=sql_port,
                    timeout_s=timeout_s, max_rows=max_rows, memory_mb=memory_mb)
    log = ini.parent / "virtuoso-t.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [_binary(SERVER), "-f", "-c", str(ini)], cwd=ini.parent / "db",
            stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ))
    try:
        base = f"http://127.0.0.1:{http_port}"
        _wait_until_up(process, f"{base}/sparql", log, wait)
        chosen = password if password is not None else secrets.token_hex(16)
        quoted = chosen.replace("'", "''")
        run_isql(sql_port, "dba", DEFAULT_PASSWORD, f"USER_SET_PASSWORD('dba', '{quoted}');\n")
        yield VirtuosoProcess(base=base, sql_port=sql_port, user="dba", password=chosen,
                              folder=ini.parent / "db", pid=process.pid, max_rows=max_rows)
    finally:
        stop(process)

"""Run a survey validation (or load) in a child process bounded in time, memory and reach.

Reading an upload is the one place where strangers' bytes drive the CPU: however careful the
readers are (`intake_limits`, `xlsx_guard`, `safe_rdf`), a library deep down can still loop or
allocate without end, and a thread cannot be stopped. So each run gets a process of its own:
its address space is capped (`RLIMIT_AS` above what it starts with; a breach is a
`MemoryError` or a killed child), its CPU time is capped, the parent kills it at the wall-clock
limit or when the client goes away, and an audit hook refuses every network connection, DNS
lookup and `urllib` request inside it (defence in depth behind the refusing JSON-LD loader).

A single-threaded caller (the CLI) forks directly; a threaded one (the server) asks a fork
server started once with the validation modules preloaded, so a child starts in milliseconds
and never inherits another thread's locks.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import multiprocessing
import resource
import signal
import socket
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import ForkContext, ForkServerContext
from typing import Generic, TypeVar

from clusterkg.loaders.survey.limits import IntakeLimits, using

T = TypeVar("T")
PRELOAD = [
    "clusterkg.loaders.survey.sandbox",
    "clusterkg.survey_jobs",
    "clusterkg.loaders.survey.validate",
    "clusterkg.loaders.survey.report",
    "openpyxl",
    "pyld.jsonld",
]
POLL = 0.02


@dataclass(frozen=True)
class Breach:
    """The run was stopped: `limit` names the setting (`validation_timeout`, ...)."""

    limit: str
    message: str


@dataclass(frozen=True)
class Done(Generic[T]):
    value: T


def _deny_network(event: str, args: tuple[object, ...]) -> None:
    if event in ("socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"):
        raise PermissionError(f"no network access while reading an upload ({event})")
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        sock = args[0]
        if getattr(sock, "family", None) != socket.AF_UNIX:
            raise PermissionError(f"no network access while reading an upload ({event})")


def _vm_size() -> int:
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _bound_self(limits: IntakeLimits) -> None:
    """Caps for this (child) process: memory above its current size, CPU seconds, no network."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    cap = _vm_size() + limits.validation_memory_bytes
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    cpu = math.ceil(limits.validation_timeout) + 2
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    sys.addaudithook(_deny_network)


def _child(job: Callable[..., T], args: tuple[object, ...], limits: IntakeLimits,
           conn: Connection) -> None:  # fmt: skip
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _bound_self(limits)
    try:
        with using(limits):
            outcome: object = ("done", job(*args))
    except MemoryError:
        outcome = ("limit", "validation_memory_bytes")
    except RecursionError:
        outcome = ("error", "the input is nested too deeply to be read")
    except Exception as exc:  # reported to the caller as an unusable input, never a traceback
        outcome = ("error", f"{exc.__class__.__name__}: {' '.join(str(exc).split())[:300]}")
    try:
        conn.send(outcome)
    except MemoryError:
        conn.send(("limit", "validation_memory_bytes"))
    conn.close()


def _context() -> ForkContext | ForkServerContext:
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def _breach(limit: str, limits: IntakeLimits, exitcode: int | None = None) -> Breach:
    if limit == "validation_timeout":
        return Breach(limit, f"the validation took longer than {limits.validation_timeout:g} s")
    if limit == "validation_memory_bytes":
        return Breach(
            limit, f"the validation needed more than {limits.validation_memory_bytes:,} bytes"
        )
    if limit == "cancelled":
        return Breach(limit, "the client went away; the validation was stopped")
    return Breach(limit, f"the validation process died (exit code {exitcode})")


class Run(Generic[T]):
    """One child process running `job(*args)`; poll it, or wait for it, or stop it."""

    def __init__(self, job: Callable[..., T], args: tuple[object, ...], limits: IntakeLimits):
        self.limits = limits
        self.receiver, sender = multiprocessing.Pipe(duplex=False)
        self.process = _context().Process(
            target=_child, args=(job, args, limits, sender), daemon=True
        )
        self.process.start()
        sender.close()
        self.deadline = time.monotonic() + limits.validation_timeout

    def poll(self) -> Done[T] | Breach | None:
        """The outcome once there is one (the child is then reaped), else None."""
        if self.receiver.poll() or (not self.process.is_alive() and self.receiver.poll(0.1)):
            try:
                kind, value = self.receiver.recv()
            except (EOFError, OSError):
                return self._died()
            self.stop()
            if kind == "done":
                return Done(value)
            if kind == "limit":
                return _breach(value, self.limits)
            return Breach("error", value)
        if not self.process.is_alive():
            return self._died()
        if time.monotonic() > self.deadline:
            self.stop()
            return _breach("validation_timeout", self.limits)
        return None

    def _died(self) -> Breach:
        self.stop()
        code = self.process.exitcode
        if code in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS):
            return _breach("validation_memory_bytes", self.limits)
        if code == -signal.SIGXCPU:
            return _breach("validation_timeout", self.limits)
        return _breach("died", self.limits, code)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.receiver.close()

    def wait(self) -> Done[T] | Breach:
        while True:
            outcome = self.poll()
            if outcome is not None:
                return outcome
            self.receiver.poll(POLL)

    async def wait_async(
        self, cancelled: Callable[[], Awaitable[bool]] | None = None
    ) -> Done[T] | Breach:
        import anyio

        try:
            while True:
                outcome = self.poll()
                if outcome is not None:
                    return outcome
                if cancelled is not None and await cancelled():
                    self.stop()
                    return _breach("cancelled", self.limits)
                await anyio.sleep(POLL)
        finally:
            self.stop()  # also when the request task itself is cancelled


def run_bounded(
    job: Callable[..., T], args: tuple[object, ...], limits: IntakeLimits
) -> Done[T] | Breach:
    """Run `job(*args)` in a bounded child process and wait for it (the CLI's way)."""
    return Run(job, args, limits).wait()

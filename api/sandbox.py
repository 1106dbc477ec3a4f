"""Limits a query worker puts on itself right after the fork: no network, bounded memory.

`deny_network()` installs a seccomp filter (libseccomp through pyseccomp) that makes
`socket(AF_INET|AF_INET6, ...)` and `io_uring_setup` fail with EACCES for the rest of the
process's life: whatever the query says, its engine cannot reach another host (defence in
depth behind the parsed-query check of `federation`). Unix sockets and pipes keep working.

`cap_memory(extra)` sets RLIMIT_AS to the address space the worker already has (it includes the
store, mapped copy-on-write from the server) plus `extra` bytes, so a query that would grow past
it fails its allocation instead of taking the machine; the pool reports it and forks a fresh
worker.
"""

from __future__ import annotations

import errno
import importlib
import resource
import socket
from pathlib import Path
from typing import Any

DENIED_ERRNO = errno.EACCES


class SandboxUnavailable(RuntimeError):
    """seccomp cannot be used here (not Linux, or libseccomp missing)."""


def _seccomp() -> Any:
    try:
        return importlib.import_module("pyseccomp")  # untyped: ctypes over libseccomp2
    except (ImportError, OSError) as error:  # libseccomp2 not installed
        raise SandboxUnavailable(
            f"seccomp is not available ({error}): query workers cannot be kept off the "
            "network; install libseccomp2 and pyseccomp (`make setup` does)"
        ) from None


def require() -> None:
    """Fail now, in the server, if workers could not install the filter after the fork."""
    _seccomp()


def deny_network() -> None:
    """Forbid IPv4/IPv6 sockets to this process from now on (irreversible)."""
    seccomp = _seccomp()
    policy = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for family in (socket.AF_INET, socket.AF_INET6):
        policy.add_rule(seccomp.ERRNO(DENIED_ERRNO), "socket", seccomp.Arg(0, seccomp.EQ, family))
    policy.add_rule(seccomp.ERRNO(DENIED_ERRNO), "io_uring_setup")
    policy.load()


def address_space() -> int:
    """Bytes of virtual address space this process has now (VmSize of /proc/self/status)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    raise OSError("no VmSize in /proc/self/status")


def cap_memory(extra: int) -> int:
    """Limit the address space to what is mapped now plus `extra` bytes; returns the limit."""
    limit = address_space() + extra
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return limit


def network_denied(error: BaseException) -> bool:
    """Whether an engine error is the sandbox refusing a socket."""
    return (isinstance(error, OSError) and error.errno == DENIED_ERRNO) or (
        isinstance(error, OSError) and "os error 13" in str(error)
    )

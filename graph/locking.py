"""One writer at a time in a build output folder: builds and wave loads hold its lock.

An advisory `flock` on `dist/.lock`: the kernel releases it when the holder dies, so a killed
build or load never leaves the folder locked, and the next writer may remove the leftovers it
finds (staging folders, temporary wave files) knowing nobody is still writing them.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from clusterkg.paths import DistLayout


@contextmanager
def dist_lock(layout: DistLayout) -> Iterator[None]:
    """Hold the exclusive lock of `layout`'s folder (waits for another writer to finish)."""
    layout.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(layout.lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

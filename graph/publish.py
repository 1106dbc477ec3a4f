"""Publishing a build as a release: a whole new folder, then one atomic switch.

The build writes every file into `dist/releases/.staging-*`, syncs it, renames it to its final
name (`releases/<time>-<sha8>`), then replaces the `current` link by a new one with one
`rename(2)`. The published names at the top of `dist/` (`clusterkg.nq`, `build.json`, ...) are
links through `current`, created once; so at every instant they all show the same release. A
build killed at any moment leaves either the previous release current or the new one, never a
mix; its leftovers (staging folders, releases that never became current, temporary links) are
removed by the next build. The previous release is kept (`previous` link) for a rollback;
older ones go.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from clusterkg.graph.locking import dist_lock
from clusterkg.paths import PUBLISHED_NAMES, STAGING_PREFIX, DistLayout


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
        fd = os.open(path, flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _target(link: Path, layout: DistLayout) -> Path | None:
    if not link.is_symlink():
        return None
    return layout.releases / Path(os.readlink(link)).name


def current_release(layout: DistLayout) -> Path | None:
    """The folder `current` points to, if any."""
    return _target(layout.current, layout)


def _link(target: str, at: Path) -> None:
    """Make `at` a symbolic link to `target`, atomically replacing what is there."""
    tmp = at.with_name(f".{at.name}.link-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    if at.is_dir() and not at.is_symlink():
        shutil.rmtree(at)  # a `tables/` folder of the layout before releases
    os.replace(tmp, at)


def remove_leftovers(layout: DistLayout) -> list[Path]:
    """Staging folders, releases neither current nor kept, temporary links (under the lock)."""
    removed: list[Path] = []
    keep = {_target(layout.current, layout), _target(layout.previous, layout)}
    if layout.releases.is_dir():
        for path in layout.releases.iterdir():
            if path not in keep:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    for path in layout.root.glob(".*.link-*"):
        path.unlink(missing_ok=True)
        removed.append(path)
    for path in layout.root.glob(f"{STAGING_PREFIX}*"):  # staging beside files, before releases
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def build_id() -> str:
    """A build's id: the UTC time it was written, to the second."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _free_name(wanted: str, releases: Path) -> str:
    name, n = wanted, 1
    while (releases / name).exists():
        n += 1
        name = f"{wanted}-{n}"
    return name


@contextmanager
def staged(layout: DistLayout) -> Iterator[Path]:
    """A fresh staging folder inside `releases/`, removed if the block fails."""
    layout.releases.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=layout.releases))
    staging.chmod(0o755)  # a release is published: readable like the files in it
    try:
        yield staging
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def publish(
    layout: DistLayout,
    write: Callable[[Path], str],
    *,
    before_switch: Callable[[], None] = lambda: None,
) -> Path:
    """Write a release with `write(staging) -> folder name`, then make it current.

    `before_switch` runs after the release folder is complete and before `current` moves
    (tests use it to stop a build at that point)."""
    with dist_lock(layout):
        remove_leftovers(layout)
        with staged(layout) as staging:
            wanted = write(staging)
            _fsync_tree(staging)
            final = layout.release(_free_name(wanted, layout.releases))
            staging.rename(final)
        before_switch()
        old = current_release(layout)
        _link(f"{layout.releases.name}/{final.name}", layout.current)
        if old is not None and old != final:
            _link(f"{layout.releases.name}/{old.name}", layout.previous)
        for name in PUBLISHED_NAMES:
            at = layout.root / name
            wanted = f"{layout.current.name}/{name}"
            if not (at.is_symlink() and os.readlink(at) == wanted):
                _link(wanted, at)
        remove_leftovers(layout)
    return final

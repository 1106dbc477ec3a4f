"""One publish at a time per store (`graph/publish_lock.py`), on the session's real Oxigraph
server and Virtuoso (each with the sample release published, which these tests leave served):
a second publisher is refused with who holds the store since when and nothing written; two
publishers racing for the lock never both hold it; a killed publisher's lock expires; one that
lost its lock stops before its switch; `clusterkg publish` exits 3 with the message."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from clusterkg.graph import publish_lock
from clusterkg.graph.publish_lock import LOCK, LockLost, PublishLock, StoreLocked, holders
from clusterkg.graph.release import write_manifest
from clusterkg.graph.remote_release import STAGING, publish, served
from clusterkg.graph.store import OxigraphStore, RdfFormat
from clusterkg.graph.stores import RemoteStore, open_store
from clusterkg.graph.stores.virtuoso_process import VirtuosoProcess
from clusterkg.paths import DistLayout
from clusterkg.store_cli import publish_to
from tests.api.conftest import DATASET

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def credentials(request: pytest.FixtureRequest) -> tuple[str, dict[str, str]]:
    """The store URL of the session's server of each kind, serving the sample release, and
    the environment a publisher needs to write to it."""
    if request.param == "oxigraph":
        url: str = request.getfixturevalue("sample_published")
        return url, {}
    server: VirtuosoProcess = request.getfixturevalue("virtuoso")
    request.getfixturevalue("sample_published_virtuoso")
    return server.store_url, {"CLUSTERKG_STORE_USER": server.user,
                              "CLUSTERKG_STORE_PASSWORD": server.password}


@pytest.fixture
def store(credentials: tuple[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> RemoteStore:
    """A writer on that server (credentials from the environment, as the CLI reads them)."""
    url, env = credentials
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return open_store(url)


@pytest.fixture(autouse=True)
def no_lock_left(store: RemoteStore) -> None:
    """Each test starts with no lock record (a failed test may leave one)."""
    store.update(f"DELETE {{ GRAPH <{LOCK}> {{ ?h ?p ?o }} }} WHERE {{ GRAPH <{LOCK}> {{ "
                 f"?h <{publish_lock.EXPIRES}> ?e ; ?p ?o }} }}")


def test_a_second_publisher_is_told_who_holds_the_store(store: RemoteStore) -> None:
    before = served(store)
    with publish_lock.held(store, "first publisher, release A"):
        with pytest.raises(StoreLocked) as refused:
            publish(DATASET, store)
        message = str(refused.value)
        assert "another publish holds" in message and "first publisher, release A" in message
        assert "since 20" in message and message.endswith("retry later")
        [holder] = holders(store)  # the refused publisher left no record of its own
        assert holder.by == "first publisher, release A"
    assert holders(store) == []  # released
    assert served(store) == before  # the control record beside the lock records is intact
    assert not [g for g in store.named_graphs() if g.startswith(STAGING)]
    _, changed = publish(DATASET, store)  # free again: the (idempotent) publish goes through
    assert not changed and holders(store) == []


def test_racing_publishers_never_both_hold_the_lock(store: RemoteStore) -> None:
    holding: list[str] = []
    overlaps: list[tuple[str, ...]] = []
    taken: dict[str, int] = {"a": 0, "b": 0}
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def publisher(name: str) -> None:
        mine = RemoteStore(store.dialect, timeout=store.timeout)
        for _ in range(8):
            start.wait(timeout=60)  # both ask for the lock at the same moment
            lock = PublishLock(mine, name, ttl=60)
            try:
                lock.take()
            except StoreLocked:
                continue
            except BaseException as exc:
                errors.append(exc)
                continue
            holding.append(name)
            if len(holding) > 1:
                overlaps.append(tuple(holding))
            taken[name] += 1
            time.sleep(0.05)
            holding.remove(name)
            lock.release()

    threads = [threading.Thread(target=publisher, args=(n,)) for n in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors and not overlaps
    assert sum(taken.values()) >= 1  # the lock was taken: the test exercised both outcomes
    assert holders(store) == []


def test_a_killed_publisher_s_lock_expires(store: RemoteStore) -> None:
    script = textwrap.dedent(f"""
        import os, sys, time
        from clusterkg.graph.publish_lock import PublishLock
        from clusterkg.graph.stores import open_store
        PublishLock(open_store({str(store.url)!r}), "the killed publisher", ttl=3).take()
        print("held", flush=True)
        time.sleep(600)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == b"held"
        with pytest.raises(StoreLocked, match="the killed publisher"):
            publish(DATASET, store)
        time.sleep(2)  # past a renewal (every ttl/4): the live holder keeps its lock
        with pytest.raises(StoreLocked, match="the killed publisher"):
            publish(DATASET, store)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    with pytest.raises(StoreLocked, match="the killed publisher"):
        publish(DATASET, store)  # its record outlives it until it expires ...
    time.sleep(3.5)
    _, changed = publish(DATASET, store)  # ... then the next publish removes it
    assert not changed and holders(store) == []


def test_a_publish_that_lost_its_lock_stops_before_its_switch(store: RemoteStore) -> None:
    mine = PublishLock(store, "the slow publisher", ttl=2)
    mine.take()
    mine._stop.set()  # it stops renewing, as a publisher stalled longer than its lock's life
    time.sleep(2.5)
    with publish_lock.held(store, "the next publisher"), \
            pytest.raises(LockLost, match="the next publisher"):
        mine.check()
    mine.release()  # deletes only its own record (gone already)
    assert holders(store) == []


def test_the_cli_exits_3_and_says_who_holds_the_store(
    store: RemoteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    dump = DistLayout(tmp_path).dump
    dump.write_bytes(OxigraphStore.from_file(DATASET).serialize(RdfFormat.NQUADS))
    write_manifest(dump)
    before = served(store)
    with publish_lock.held(store, "someone@elsewhere pid 1, release X"):
        assert publish_to(str(store.url), tmp_path) == 3
    err = " ".join(capsys.readouterr().err.split())
    assert "another publish holds" in err and "someone@elsewhere pid 1" in err
    assert "Nothing was written to the store." in err
    assert served(store) == before

"""One publish at a time per remote store: a lock record held on the server itself.

Two `clusterkg publish --store URL` started together would interleave: the second drops the
first's staging graphs, or both switch. Publishers may run on different machines, so the lock
lives where they meet, in the store: a record in clusterkg's control graph (`LOCK`, beside
the served-release record; no reader's dataset names it, and direct readers leave it out as
they leave out the control record):

    <…/graph/control/publish-lock/TOKEN>
        prov:startedAtTime "…"^^xsd:dateTime ;      # when it was taken
        prov:invalidatedAtTime "…"^^xsd:dateTime ;  # when it expires
        rdfs:label "user@host pid N, release V" .   # who holds it

- **take**: one update request of two operations: delete the records that have expired, then
  insert ours *only if no record is left* (`FILTER NOT EXISTS`). Then the lock graph is read
  back: ours alone → held; ours absent → another publish holds it (`StoreLocked`, naming it);
  ours beside another (two publishers whose requests overlapped on a server that does not
  isolate them: Virtuoso runs an update at read-committed, so both may find the graph empty)
  → ours is deleted and `StoreLocked` raised. Whoever reads back only its own record holds the
  lock: a publisher's read follows its own insert, so of two overlapping publishers at most
  one can read back only itself (both may yield; both are told to retry).
- **hold**: a thread renews the expiry every `ttl / 4` s. A publisher that is killed stops
  renewing, and its record expires after at most `ttl` s; the next publish removes it. A
  renewal that fails (the server busy with the publish's own long request) is tried again at
  the next tick; the record stays valid until its expiry, so `ttl` must exceed the longest
  request of a publish (`TTL`, `clusterkg publish --lock-ttl`).
- **check**: before its switch a publish checks that its record is still there; if it expired
  and another publish took the lock, it stops with `LockLost` (and leaves the staging graphs
  to the new holder) rather than switch.
- **release**: the record is deleted (only ours: the subject names our token).

Expiry times are the publishers' UTC clocks: machines that publish to one store must keep their
clocks within a small fraction of `ttl` of each other.
"""

from __future__ import annotations

import getpass
import os
import random
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox

from clusterkg import iris
from clusterkg.graph.stores.dialect import StoreError
from clusterkg.graph.stores.remote import RemoteStore

CONTROL = iris.graph_iri("control")  # clusterkg's control graph (`remote_release.CONTROL`)
LOCK = CONTROL  # the lock records live beside the served-release record
HOLDER = iris.graph_iri("control/publish-lock/")
STARTED = iris.PROV + "startedAtTime"
EXPIRES = iris.PROV + "invalidatedAtTime"
BY = iris.RDFS + "label"
DATETIME = iris.XSD + "dateTime"
TTL = 600.0  # seconds a lock lives without renewal: longer than any one request of a publish


class StoreLocked(RuntimeError):
    """Another publish holds the store's lock; nothing was written."""


class LockLost(StoreLocked):
    """This publish's lock expired and another publish took it; it stopped before its switch."""


@dataclass(frozen=True)
class Holder:
    """A lock record as read from the store."""

    token: str
    since: str
    expires: str
    by: str


def _time(moment: datetime) -> str:
    return str(ox.Literal(moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                          datatype=ox.NamedNode(DATETIME)))


def _parse(value: str) -> datetime:
    """An `xsd:dateTime` as the server writes it back (with `Z`, an offset, or none: UTC)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def holders(store: RemoteStore) -> list[Holder]:
    """Every lock record in the store (normally none or one), oldest first."""
    result = store.query(
        f"SELECT ?h ?since ?expires ?by WHERE {{ GRAPH <{LOCK}> {{ "
        f"?h <{STARTED}> ?since ; <{EXPIRES}> ?expires ; <{BY}> ?by }} }}",
        query_dataset=True)
    assert isinstance(result, ox.QuerySolutions)
    try:
        found = [Holder(str(row["h"].value).removeprefix(HOLDER), str(row["since"].value),
                        str(row["expires"].value), str(row["by"].value)) for row in result]
    finally:
        del result  # pyoxigraph's answers must be dropped on the thread that made them
    return sorted(found, key=lambda h: (_parse(h.since), h.token))


def _message(store: RemoteStore, others: list[Holder]) -> str:
    first = others[0]
    return (f"another publish holds {store.url} since {first.since} by {first.by} (its lock "
            f"expires at {first.expires} unless it is renewed); retry later")


def _delete(store: RemoteStore, token: str) -> None:
    store.update(f"DELETE WHERE {{ GRAPH <{LOCK}> {{ <{HOLDER}{token}> ?p ?o }} }}")


class PublishLock:
    """The lock of one publish on `store`: `take()`, then `check()` before writing what
    readers see, `release()` at the end; renewed by a thread while held."""

    def __init__(self, store: RemoteStore, by: str, ttl: float = TTL) -> None:
        self.store = store
        self.by = by
        self.ttl = ttl
        self.token = secrets.token_hex(8)
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def _expiry(self) -> str:
        return _time(datetime.now(UTC) + timedelta(seconds=self.ttl))

    def take(self, tries: int = 3) -> None:
        """Take the lock or raise `StoreLocked` naming who holds it. A request the server
        refused while another publisher took the lock at the same moment (Virtuoso: `SR172
        Transaction deadlocked`, one of the two rolled back) is tried again, up to `tries`."""
        for attempt in range(1, tries + 1):
            try:
                self._insert()
                break
            except StoreError:
                if any(h.token != self.token for h in holders(self.store)):
                    break  # another publisher's record: the read-back below names it
                if attempt == tries:
                    raise
                time.sleep(random.uniform(0.05, 0.5) * attempt)
        self._decide()

    def _insert(self) -> None:
        now = datetime.now(UTC)
        me = f"<{HOLDER}{self.token}>"
        self.store.update(
            f"DELETE {{ GRAPH <{LOCK}> {{ ?h ?p ?o }} }} WHERE {{ GRAPH <{LOCK}> {{ "
            f"?h <{EXPIRES}> ?e ; ?p ?o FILTER(?e <= {_time(now)}) }} }} ;\n"
            f"INSERT {{ GRAPH <{LOCK}> {{ {me} <{STARTED}> {_time(now)} ; "
            f"<{EXPIRES}> {self._expiry()} ; <{BY}> {ox.Literal(self.by)} }} }} "
            f"WHERE {{ FILTER NOT EXISTS {{ GRAPH <{LOCK}> {{ ?h <{EXPIRES}> ?e }} }} }}")

    def _decide(self) -> None:
        now = datetime.now(UTC)
        found = holders(self.store)
        mine = any(h.token == self.token for h in found)
        others = [h for h in found if h.token != self.token and _parse(h.expires) > now]
        if mine and not others:
            self._renewer = threading.Thread(target=self._renew, daemon=True,
                                             name=f"publish-lock-{self.token}")
            self._renewer.start()
            return
        if mine:
            _delete(self.store, self.token)
        if not others:  # not written, and nobody else's either: an expired record in the way
            raise StoreLocked(f"the publish lock on {self.store.url} was not taken "
                              f"(records found: {found}); retry later")
        raise StoreLocked(_message(self.store, others))

    def _renew(self) -> None:
        renewer = RemoteStore(self.store.dialect, timeout=self.store.timeout)
        me = f"<{HOLDER}{self.token}>"
        try:
            while not self._stop.wait(self.ttl / 4):
                try:
                    renewer.update(
                        f"DELETE {{ GRAPH <{LOCK}> {{ {me} <{EXPIRES}> ?e }} }} "
                        f"INSERT {{ GRAPH <{LOCK}> {{ {me} <{EXPIRES}> {self._expiry()} }} }} "
                        f"WHERE {{ GRAPH <{LOCK}> {{ {me} <{EXPIRES}> ?e }} }}")
                    if not self._held(renewer):
                        self.lost.set()
                        return
                except StoreError:
                    continue  # busy (a long MOVE, a lock timeout): valid until it expires
        finally:
            renewer.close()

    def _held(self, store: RemoteStore) -> bool:
        return bool(store.query(
            f"ASK {{ GRAPH <{LOCK}> {{ <{HOLDER}{self.token}> <{EXPIRES}> ?e }} }}",
            query_dataset=True))

    def check(self) -> None:
        """`LockLost` unless this publish still holds the lock."""
        if self.lost.is_set() or not self._held(self.store):
            self.lost.set()
            others = holders(self.store)
            now = (f"; {_message(self.store, others)}" if others else "; retry later")
            raise LockLost(f"this publish's lock on {self.store.url} expired before its "
                           f"switch{now}")

    def release(self) -> None:
        """Stop renewing and delete this publish's record (never another's)."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        _delete(self.store, self.token)


def who(release: str) -> str:
    """Who a publish is, for the message another publisher reads."""
    return f"{getpass.getuser()}@{socket.gethostname()} pid {os.getpid()}, release {release}"


@contextmanager
def held(store: RemoteStore, by: str, ttl: float = TTL) -> Iterator[PublishLock]:
    """The lock of `store` for the duration of the block (`StoreLocked` if another holds it)."""
    lock = PublishLock(store, by, ttl)
    lock.take()
    try:
        yield lock
    finally:
        lock.release()

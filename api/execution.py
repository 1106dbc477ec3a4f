"""Queries under hard limits: lanes of forked worker processes that can be killed.

Oxigraph has no way to cancel a running query, and a thread cannot be stopped, so every query
runs in a worker process forked from the server once the store is loaded. Fork shares the
in-memory store copy-on-write. Right after the fork a worker closes every inherited
descriptor, installs a seccomp filter that forbids network sockets (`sandbox.deny_network`)
and caps its address space at what it has plus `CLUSTERKG_QUERY_MEMORY_MB`
(`sandbox.cap_memory`). A query that outlives its limit, or whose worker dies (a failed
allocation aborts it), gets its worker SIGKILLed and a fresh one forked in its place.

Fairness follows what mature servers do (see `admission`): workers are split into lanes, each
with its own short queue: `general` for ad-hoc SPARQL, `cheap` for the named-query library
and the service description (short time limit), and `federation`, the one worker without the
seccomp filter, which exists only when an allow-list is configured and runs only queries whose
parsed SERVICE endpoints are all on it. A request that cannot get a worker within
`CLUSTERKG_QUEUE_WAIT`, or finds the queue full, is refused with 503 and `Retry-After`.
In the general lane an ad-hoc query that runs past `CLUSTERKG_LONG_QUERY_SECONDS` must take a
long-query slot; there is one fewer slot than workers, so however many clients send slow
queries, one worker keeps answering short ones (a query finding every slot taken is stopped
with 503 and `Retry-After`). Ad-hoc workers also run at a lower CPU priority
(`CLUSTERKG_ADHOC_NICE`) than the server and the named-query lane.

A job already answered on this release within `CLUSTERKG_INLINE_QUERY_MS` of CPU skips all
this: it is evaluated in the server, where it cannot reach any limit (`costs` says why that is
exact, and which texts never qualify).

Answers come back from the worker in chunks bounded by `CLUSTERKG_MAX_ANSWER_BYTES`. With
`run(stream=True)` an answer larger than one chunk is streamed to the client as the worker
writes it, through a bounded buffer (`streaming`): a slow reader holds its worker no longer
than the query's time limit, and an answer cut once sent ends without its final chunk.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import dataclasses
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe
from typing import cast

from clusterkg.api import sandbox
from clusterkg.api.admission import ClientLimit, PoolBusy, TooManyQueries
from clusterkg.api.costs import Costs
from clusterkg.api.results import TEXT, QueryJob, QueryOutcome, answer, evaluate
from clusterkg.api.streaming import CHUNK, END, ERROR, HEAD, AnswerAborted, Channel
from clusterkg.graph.store import OxigraphStore, Store
from clusterkg.settings import Settings

__all__ = ["PoolBusy", "QueryPool", "QueryTimeout", "TooManyQueries"]

GENERAL, CHEAP, FEDERATION = "general", "cheap", "federation"


class QueryTimeout(Exception):
    """The query was stopped at the configured limit."""


@dataclass
class _Worker:
    pid: int
    conn: Connection


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _worker_main(
    store: Store, conn: Connection, network: bool, memory: int | None, nice: int
) -> None:
    gc.freeze()  # the collector never walks the inherited objects, so their pages stay shared
    gc.set_threshold(50_000, 20, 20)  # results make many short-lived objects, few cycles
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    keep = conn.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 4096)
    if not network:
        sandbox.deny_network()
    if memory is not None:
        sandbox.cap_memory(memory)
    if nice:
        os.nice(nice)

    def emit(chunk: bytes) -> None:
        conn.send((CHUNK, chunk))

    def head(content_type: str, truncated: bool) -> None:
        conn.send((HEAD, (content_type, truncated)))

    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        started = time.thread_time()
        outcome = answer(store, job, emit, head)
        conn.send(("done", dataclasses.replace(outcome, seconds=time.thread_time() - started)))


def _spawn(store: Store, network: bool, memory: int | None, nice: int = 0) -> _Worker:
    parent_end, child_end = Pipe(duplex=True)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 0
        try:
            parent_end.close()
            _worker_main(store, child_end, network, memory, nice)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    child_end.close()
    return _Worker(pid, parent_end)


def _reap(worker: _Worker, grace: float = 0.0) -> int | None:
    """Kill and wait; the exit status if the worker died by itself (within `grace` s)."""
    status: int | None = None
    give_up = time.monotonic() + grace
    with contextlib.suppress(ChildProcessError):
        while status is None:
            pid, raw = os.waitpid(worker.pid, os.WNOHANG)
            status = raw if pid else None
            if status is not None or time.monotonic() >= give_up:
                break
            time.sleep(0.01)
    with contextlib.suppress(ProcessLookupError):
        os.kill(worker.pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(worker.pid, 0)
    worker.conn.close()
    return status


LONG_REFUSED = QueryOutcome(0, TEXT)
ABANDONED = QueryOutcome(0, TEXT)  # the client went away mid-answer


async def _readable(conn: Connection, timeout: float) -> bool:
    """Wait on the event loop, up to `timeout` s, until the worker's pipe has data."""
    if conn.poll(0):
        return True
    if timeout <= 0:
        return False
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[bool] = loop.create_future()
    fd = conn.fileno()

    def settle(readable: bool) -> None:
        if not ready.done():
            ready.set_result(readable)

    loop.add_reader(fd, settle, True)
    timer = loop.call_later(timeout, settle, False)  # cheaper than a wait_for task
    try:
        return await ready
    finally:
        timer.cancel()
        loop.remove_reader(fd)
        # uvloop (libuv) makes a polled descriptor non-blocking; `Connection.recv` reads a
        # message in full only from a blocking one (else a large answer breaks off half read)
        if not os.get_blocking(fd):
            os.set_blocking(fd, True)


async def _round_trip(
    worker: _Worker, job: QueryJob, timeout: float, channel: Channel,
    long_after: float | None = None, admit_long: Callable[[], bool] | None = None,
) -> QueryOutcome | None:
    """Send a job and pass its answer's messages to `channel` within `timeout` (None on
    timeout, also when the client reads too slowly for the chunks to leave in time). After
    `long_after` seconds the query continues only if `admit_long()` grants it a long-query
    slot (LONG_REFUSED otherwise); ABANDONED if the client has gone. Runs on the event loop:
    no thread hand-off; a message is read only once the pipe is readable, and a 1 MiB chunk
    the worker is writing arrives in about a millisecond."""
    started = time.monotonic()
    deadline = started + max(timeout, 0.0)
    checkpoint = None if long_after is None else started + long_after

    def until() -> float:
        return deadline if checkpoint is None else min(deadline, checkpoint)

    def past_checkpoint() -> QueryOutcome | None:
        """At the long-query checkpoint: None to go on, else why to stop."""
        nonlocal checkpoint
        if checkpoint is None or time.monotonic() >= deadline:
            return TIMED_OUT
        checkpoint = None
        if admit_long is not None and not admit_long():
            return LONG_REFUSED
        return None

    worker.conn.send(job)
    while True:
        if not await _readable(worker.conn, until() - time.monotonic()):
            stop = past_checkpoint()
            if stop is None:
                continue
            return None if stop is TIMED_OUT else stop
        kind, payload = worker.conn.recv()
        if kind in (CHUNK, HEAD):
            while not await channel.put(kind, payload, until() - time.monotonic()):
                if channel.closed:
                    return ABANDONED
                stop = past_checkpoint()
                if stop is not None:
                    return None if stop is TIMED_OUT else stop
            continue
        outcome: QueryOutcome = payload
        return outcome


TIMED_OUT = QueryOutcome(0, TEXT)


async def _produce(worker: _Worker, job: QueryJob, timeout: float, channel: Channel,
                   long_after: float | None, admit_long: Callable[[], bool]) -> None:
    """The round trip as a task; its result or exception is the channel's last message."""
    try:
        result = await _round_trip(worker, job, timeout, channel, long_after, admit_long)
    except asyncio.CancelledError:
        await channel.put(ERROR, OSError("the round trip was cancelled"))
        raise
    except BaseException as error:
        await channel.put(ERROR, error)
        return
    await channel.put(END, result)


class _Lane:
    """Workers of one kind with their idle queue and a bound on waiting requests."""

    def __init__(self, store: Store, size: int, network: bool, memory: int | None,
                 nice: int = 0, long_after: float | None = None) -> None:
        # a remote store (graph/stores) is reached over the network: its workers keep sockets,
        # and the parsed-query SERVICE check (`federation`) is what refuses federation
        network = network or bool(getattr(store, "network", False))
        self.store, self.size, self.network, self.memory = store, size, network, memory
        self.nice, self.long_after = nice, long_after
        self.workers: list[_Worker] = []
        self.idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self.waiting = 0
        self.long_slots = max(size - 1, 1)
        self.long_running = 0
        self._lock = threading.Lock()
        if not network:
            sandbox.require()
        for _ in range(size):
            self.add(self.spawn())

    def spawn(self) -> _Worker:
        return _spawn(self.store, self.network, self.memory, self.nice)

    def admit_long(self) -> bool:
        """Take a long-query slot if one is free (called from the round trip)."""
        with self._lock:
            if self.long_running >= self.long_slots:
                return False
            self.long_running += 1
            return True

    def end_long(self) -> None:
        with self._lock:
            self.long_running -= 1

    def add(self, worker: _Worker) -> None:
        self.workers.append(worker)
        self.idle.put_nowait(worker)

    def discard(self, worker: _Worker, grace: float = 0.0) -> int | None:
        status = _reap(worker, grace)
        if worker in self.workers:
            self.workers.remove(worker)
        return status


class QueryPool:
    """Lanes of forked workers over one store; `run` evaluates a job within its limits."""

    def __init__(self, store: Store, size: int, settings: Settings | None = None) -> None:
        settings = settings or Settings(query_workers=size)
        self.store = store
        self.size = size
        self.settings = settings
        self.memo: dict[str, object] = {}
        # jobs known to be tiny on this release run in the server (`costs`): only over a
        # store in this process (a remote store's query is network I/O, never inline)
        self.costs = (Costs(settings.inline_query_ms / 1000)
                      if settings.inline_query_ms > 0 and isinstance(store, OxigraphStore)
                      else None)
        self.inlined = 0  # answers evaluated in the server (monitoring, tests)
        self.clients = ClientLimit(settings.max_queries_per_client,
                                   settings.slow_client_cooldown)
        self._closed = False
        self._memory = settings.query_memory_mb << 20
        self._lanes: dict[str, _Lane] = {}
        try:
            self._lanes[GENERAL] = _Lane(store, size, False, self._memory,
                                         settings.adhoc_nice, settings.long_query_seconds)
            self._lanes[CHEAP] = _Lane(store, settings.cheap_workers, False, self._memory)
            if settings.service_allowlist:
                self._lanes[FEDERATION] = _Lane(store, 1, True, self._memory)
        except BaseException:
            self.terminate()
            raise

    def _release(self, lane: _Lane, worker: _Worker) -> None:
        if self._closed:
            lane.discard(worker)
        else:
            lane.idle.put_nowait(worker)

    def _replace(self, lane: _Lane, worker: _Worker, grace: float = 0.0) -> int | None:
        status = lane.discard(worker, grace)
        if not self._closed:
            lane.add(lane.spawn())
        return status

    async def _acquire(self, lane: _Lane, wait: float) -> _Worker:
        if lane.idle.empty() and lane.waiting >= self.settings.queue_length:
            raise PoolBusy(f"all {lane.size} {lane_name(self, lane)} workers are busy and "
                           f"{lane.waiting} requests are waiting")
        if not lane.idle.empty():  # the common case: no task, no timer
            return lane.idle.get_nowait()
        lane.waiting += 1
        try:
            return await asyncio.wait_for(lane.idle.get(), wait)
        except TimeoutError:
            raise PoolBusy(f"all {lane.size} {lane_name(self, lane)} workers stayed busy for "
                           f"{wait:g} s") from None
        finally:
            lane.waiting -= 1

    async def run(self, job: QueryJob, timeout: float, lane: str = GENERAL,
                  client: str | None = None, stream: bool = False) -> QueryOutcome:
        """Evaluate `job` in a worker of `lane`; PoolBusy, TooManyQueries or QueryTimeout
        when a limit is reached. With `stream`, an answer larger than one chunk comes back
        as `outcome.stream` (status 200, no `chunks`): its worker and the client's allowance
        stay held until the stream is consumed or closed."""
        if self._closed:
            raise PoolBusy("the dataset is being replaced")
        with contextlib.ExitStack() as held:
            held.enter_context(self.clients.hold(client))
            if lane == CHEAP:
                timeout = min(timeout, self.settings.cheap_timeout)
            else:
                self.clients.check_adhoc(client)
            if self.costs is not None and self.costs.known_cheap(job):
                return self._inline(job)
            outcome = await self._run_in(self._lanes[lane], job, timeout, client, stream)
            if outcome.reroute:
                federation = self._lanes.get(FEDERATION)
                if federation is None:
                    return QueryOutcome(403, TEXT, (b"federated SERVICE is not allowed\n",))
                job = dataclasses.replace(job, federated=True)
                outcome = await self._run_in(federation, job, timeout, client, stream)
            if outcome.stream is not None:
                outcome = dataclasses.replace(
                    outcome, stream=_released_after(outcome.stream, held.pop_all()))
            return outcome

    def _inline(self, job: QueryJob) -> QueryOutcome:
        """Evaluate a job known to be tiny here, on the event loop (no hand-off), measuring
        it as a worker would (a run past the limit sends the job back to the workers)."""
        assert self.costs is not None
        started = time.thread_time()
        outcome = evaluate(self.store, job, service_known=True)
        seconds = time.thread_time() - started
        self.costs.remeasured(job, outcome, seconds)
        self.inlined += 1
        return outcome

    async def _run_in(self, lane: _Lane, job: QueryJob, timeout: float,
                      client: str | None = None, stream: bool = False) -> QueryOutcome:
        deadline = time.monotonic() + timeout
        worker = await self._acquire(lane, min(timeout, self.settings.queue_wait))
        remaining = deadline - time.monotonic()
        admitted: list[bool] = []

        def admit() -> bool:
            admitted.append(lane.admit_long())
            if admitted[-1]:
                self.clients.long_started(client)
            return admitted[-1]

        channel = Channel()
        producer = asyncio.ensure_future(
            _produce(worker, job, remaining, channel, lane.long_after, admit))
        settle = _Settlement(self, lane, worker, admitted, client, timeout)
        try:
            kind, payload = await channel.get()
            if kind == HEAD:
                content_type, truncated = cast(tuple[str, bool], payload)
                kind, payload = await channel.get()
                if kind == CHUNK and stream:
                    body = _streamed(cast(bytes, payload), channel, settle, producer)
                    return QueryOutcome(200, content_type, truncated=truncated, stream=body)
            chunks: list[bytes] = []
            while kind == CHUNK:
                chunks.append(cast(bytes, payload))
                kind, payload = await channel.get()
            await asyncio.shield(producer)
        except BaseException:
            settle.abandon(channel, producer)  # cancelled mid-query: the worker is replaced
            raise
        outcome = settle(kind, payload)
        if self.costs is not None:
            self.costs.record(job, outcome, outcome.seconds, whole=not chunks)
        if outcome.status != 200:
            return outcome  # an error: whatever was sent before it is dropped
        return dataclasses.replace(outcome, chunks=(*chunks, *outcome.chunks))

    @property
    def busy(self) -> int:
        """Workers with a query in flight, in every lane."""
        return sum(len(lane.workers) - lane.idle.qsize() for lane in self._lanes.values())

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers of every lane (for monitoring and tests)."""
        return [w.pid for lane in self._lanes.values() for w in lane.workers]

    def lane_pids(self, lane: str) -> list[int]:
        """Process ids of one lane's workers."""
        return [w.pid for w in self._lanes[lane].workers] if lane in self._lanes else []

    def close(self) -> None:
        """Kill idle workers now; busy ones are killed when their query returns."""
        self._closed = True
        for lane in self._lanes.values():
            while not lane.idle.empty():
                lane.discard(lane.idle.get_nowait())

    def terminate(self) -> None:
        """Kill every worker, busy or not (server shutdown)."""
        self.close()
        for lane in self._lanes.values():
            for worker in list(lane.workers):
                lane.discard(worker)


class _Settlement:
    """What becomes of a worker and its accounting once its round trip has ended (once)."""

    def __init__(self, pool: QueryPool, lane: _Lane, worker: _Worker, admitted: list[bool],
                 client: str | None, timeout: float) -> None:
        self.pool, self.lane, self.worker, self.admitted = pool, lane, worker, admitted
        self.client, self.timeout = client, timeout
        self.done = False

    def _end_long(self) -> None:
        if any(self.admitted):
            self.lane.end_long()
            self.pool.clients.long_ended(self.client, stopped=False)

    def __call__(self, kind: str, payload: object) -> QueryOutcome:
        """The outcome of the round trip's last message (raising for the pool's limits)."""
        self.done = True
        pool, lane, worker = self.pool, self.lane, self.worker
        self._end_long()
        if kind == ERROR:
            if isinstance(payload, EOFError | OSError):  # the worker died: collect how
                status = pool._replace(lane, worker, grace=1.0)
                return _crashed(status, pool.settings.query_memory_mb)
            pool._replace(lane, worker)
            raise cast(BaseException, payload)
        outcome = cast(QueryOutcome | None, payload)
        if outcome is LONG_REFUSED:
            pool.clients.long_started(self.client)
            pool.clients.long_ended(self.client, stopped=True)
            pool._replace(lane, worker)
            raise PoolBusy(
                f"query stopped after {lane.long_after:g} s: all {lane.long_slots} long-query "
                "slots are taken, so only short queries run until one frees "
                "(CLUSTERKG_LONG_QUERY_SECONDS)")
        if outcome is None:
            pool._replace(lane, worker)
            raise QueryTimeout(f"query stopped at the time limit of {self.timeout:g} s")
        if outcome is ABANDONED or outcome.status == 503:  # unknown state or out of memory
            pool._replace(lane, worker)
        else:
            pool._release(lane, worker)
        return outcome

    def abandon(self, channel: Channel, producer: asyncio.Future[None]) -> None:
        """The consumer has gone before the end: stop the worker now, settle when the
        round trip notices (its pipe closes)."""
        if self.done:
            return
        self.done = True
        channel.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.worker.pid, signal.SIGKILL)

        def replace(_: asyncio.Future[None]) -> None:
            self._end_long()
            self.pool._replace(self.lane, self.worker)

        producer.add_done_callback(replace)


async def _streamed(first: bytes, channel: Channel, settle: _Settlement,
                    producer: asyncio.Future[None]) -> AsyncIterator[bytes]:
    """The body of a large answer as the worker writes it; AnswerAborted when it is cut."""
    try:
        yield first
        while True:
            kind, payload = await channel.get()
            if kind == CHUNK:
                yield cast(bytes, payload)
                continue
            await asyncio.shield(producer)
            try:
                outcome = settle(kind, payload)
            except (QueryTimeout, PoolBusy) as error:
                raise AnswerAborted(str(error)) from None
            if outcome.status != 200:
                raise AnswerAborted(f"{outcome.status}: {outcome.body.decode(errors='replace')}")
            for chunk in outcome.chunks:
                yield chunk
            return
    finally:
        settle.abandon(channel, producer)  # no-op once settled


async def _released_after(body: AsyncIterator[bytes],
                          held: contextlib.ExitStack) -> AsyncIterator[bytes]:
    """`body`, releasing what the request held (the client's allowance) when it ends."""
    with held:
        try:
            async for chunk in body:
                yield chunk
        finally:
            aclose = getattr(body, "aclose", None)
            if aclose is not None:
                await aclose()


def lane_name(pool: QueryPool, lane: _Lane) -> str:
    return next((name for name, item in pool._lanes.items() if item is lane), "query")


def _crashed(status: int | None, memory_mb: int) -> QueryOutcome:
    if status is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) in (
        signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS
    ):
        message = (f"the query worker died ({signal.Signals(os.WTERMSIG(status)).name}), most "
                   f"likely at its memory limit of {memory_mb} MiB over the store "
                   "(CLUSTERKG_QUERY_MEMORY_MB); a fresh worker has replaced it")
        return QueryOutcome(503, TEXT, (message.encode(),))
    return QueryOutcome(500, TEXT, (b"query worker crashed",))

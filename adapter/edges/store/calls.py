"""How a synchronous engine meets the event loop: inline (SQLite) or on its own thread
(PostgreSQL), with **group commit** either way. The choice is the engine's, made once where the
store is opened (``factory``).

Three kinds of call:

- ``write``: grouped. The writes issued together (SQLite: within one turn of the event loop,
  or a configurable window; PostgreSQL: every write queued while the store thread was busy)
  run in ONE transaction, each in its own savepoint (``engine.run_group``). A caller's await
  resolves only after the COMMIT: what a caller was told is written is durable. A failing call
  fails alone; a failed COMMIT fails every call of the group (``StoreUnavailableError``).
- ``read``: outside any write transaction (SQLite autocommit, PostgreSQL plain ``SELECT``s);
  it sees what was committed, never a group still open.
- ``call``: alone, in a transaction of its own (migrations).

PostgreSQL (a network round trip per statement) runs on one dedicated thread, so the loop never
waits for the server: a single connection wants serial access. The thread takes every call
queued so far, runs the reads, then the writes as one group, then hands all their results back
to the loop with a single wake-up (one wake-up per call, as ``run_in_executor`` does, cost more
than many of the calls themselves). Reads run outside the group's transaction: a read inside it
would see the group's uncommitted writes and would cost a savepoint's two round trips.

SQLite (a local file in WAL mode: tens of microseconds per call) runs on the loop's own
thread. A store thread there costs far more than the calls: every SQLite call releases the
GIL, and the store thread then waits up to the interpreter's switch interval (5 ms) to get it
back from the busy loop thread (docs/performance.md). A read runs at once and yields to the loop
once; a write waits for the flush (``loop.call_soon``), which runs the turn's writes as one
group on the loop's thread.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any, ParamSpec, Protocol, TypeVar

from adapter.core.errors import BrokenInvariant

P = ParamSpec("P")
R = TypeVar("R")

_Outcome = tuple[Any, BaseException | None]


class StoreClosed(BrokenInvariant):
    """A store call after ``close()``."""


class GroupEngine(Protocol):
    """What the calls need of the engine (``engine.SqlEngine``)."""

    def read(self, job: Callable[[], R]) -> R: ...

    def run_group(self, jobs: Sequence[Callable[[], Any]]) -> list[_Outcome]: ...


class Calls(Protocol):
    """Calls into a synchronous engine: reads, grouped writes, and calls alone."""

    async def read(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R: ...

    async def write(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R: ...

    async def call(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R: ...

    async def read_first(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """As ``read``, but ahead of the calls already queued (the outbox relay, the gauges
        and the readiness check: with thousands of actors queued, they would otherwise wait
        for all of them)."""
        ...

    async def write_first(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """As ``write``, ahead of the calls already queued (the relay's ``mark_published``)."""
        ...

    def close(self) -> None:
        """Run what is queued, then refuse new calls."""
        ...


class _Kind(Enum):
    READ = "read"
    WRITE = "write"
    ALONE = "alone"


def _closed() -> StoreClosed:
    return StoreClosed("the store is closed")


class InlineCalls:
    """On the loop's thread: reads at once, writes grouped per loop turn (or ``window_s``)."""

    def __init__(self, engine: GroupEngine, *, window_s: float = 0.0) -> None:
        self._engine = engine
        self._window_s = window_s
        self._pending: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []
        self._flush: asyncio.Handle | None = None
        self._closed = False

    async def read(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        if self._closed:
            raise _closed()
        result = self._engine.read(functools.partial(method, *args, **kwargs))
        await asyncio.sleep(0)  # a store call stays a point where other tasks may run
        return result

    read_first = read

    async def call(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        if self._closed:
            raise _closed()
        result = method(*args, **kwargs)
        await asyncio.sleep(0)
        return result

    async def write(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        if self._closed:
            raise _closed()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._pending.append((functools.partial(method, *args, **kwargs), future))
        if self._flush is None:
            if self._window_s > 0:
                self._flush = loop.call_later(self._window_s, self._run_group)
            else:
                self._flush = loop.call_soon(self._run_group)
        return await future

    write_first = write

    def _run_group(self) -> None:
        self._flush = None
        batch, self._pending = self._pending, []
        live = [(job, future) for job, future in batch if not future.cancelled()]
        if not live:
            return
        try:
            outcomes = self._engine.run_group([job for job, _ in live])
        except BaseException as exc:
            for _, future in live:
                if not future.done():
                    future.set_exception(exc)
            raise
        _deliver([(future, *outcome) for (_, future), outcome in zip(live, outcomes, strict=True)])

    def close(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
        self._run_group()  # what was queued is written (and answered) before the store closes
        self._closed = True


_Job = tuple[_Kind, Callable[[], Any], asyncio.Future[Any], asyncio.AbstractEventLoop]
_Done = tuple[asyncio.Future[Any], Any, BaseException | None]


class ThreadCalls:
    """On one dedicated thread, batched: the reads, then the writes in one group, then one
    wake-up of the loop for all the results. ``window_s`` > 0 lets writes gather a little
    longer before the thread takes them (a latency for fewer transactions)."""

    def __init__(self, engine: GroupEngine, name: str = "store", *, window_s: float = 0.0):
        self._engine = engine
        self._window_s = window_s
        self._jobs: deque[_Job] = deque()
        self._ready = threading.Condition(threading.Lock())
        self._closed = False
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    async def read(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        return await self._queue(_Kind.READ, functools.partial(method, *args, **kwargs), False)

    async def read_first(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        return await self._queue(_Kind.READ, functools.partial(method, *args, **kwargs), True)

    async def write(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        return await self._queue(_Kind.WRITE, functools.partial(method, *args, **kwargs), False)

    async def write_first(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        return await self._queue(_Kind.WRITE, functools.partial(method, *args, **kwargs), True)

    async def call(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        return await self._queue(_Kind.ALONE, functools.partial(method, *args, **kwargs), False)

    async def _queue(self, kind: _Kind, job: Callable[[], R], first: bool) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        with self._ready:
            if self._closed:
                raise _closed()
            if first:
                self._jobs.appendleft((kind, job, future, loop))
            else:
                self._jobs.append((kind, job, future, loop))
            self._ready.notify()
        return await future

    def _take(self) -> list[_Job] | None:
        with self._ready:
            while not self._jobs and not self._closed:
                self._ready.wait()
            if not self._jobs:
                return None
        if self._window_s > 0 and not self._closed:
            time.sleep(self._window_s)  # let the writes of the next moments join the group
        with self._ready:
            batch = list(self._jobs)
            self._jobs.clear()
        return batch

    def _work(self) -> None:
        while (batch := self._take()) is not None:
            live = [job for job in batch if not job[2].cancelled()]  # as run_in_executor
            done: dict[asyncio.AbstractEventLoop, list[_Done]] = {}
            for kind, job, future, loop in live:
                if kind is _Kind.WRITE:
                    continue
                run = self._engine.read if kind is _Kind.READ else _alone
                try:
                    outcome: _Done = (future, run(job), None)
                except BaseException as exc:  # noqa: BLE001 - handed to the awaiting caller
                    outcome = (future, None, exc)
                done.setdefault(loop, []).append(outcome)
            writes = [
                (job, future, loop) for kind, job, future, loop in live if kind is _Kind.WRITE
            ]
            if writes:
                try:
                    outcomes = self._engine.run_group([job for job, _, _ in writes])
                except BaseException as exc:  # noqa: BLE001 - handed to every caller of the group
                    outcomes = [(None, exc)] * len(writes)
                for (_, future, loop), (result, error) in zip(writes, outcomes, strict=True):
                    done.setdefault(loop, []).append((future, result, error))
            for loop, outcomes_of_loop in done.items():
                try:
                    loop.call_soon_threadsafe(_deliver, outcomes_of_loop)
                except RuntimeError:  # the loop is closed: nobody waits any more
                    continue

    def close(self) -> None:
        with self._ready:
            self._closed = True
            self._ready.notify()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join()


def _alone(job: Callable[[], R]) -> R:
    return job()


def _deliver(outcomes: list[_Done]) -> None:
    for future, result, error in outcomes:
        if future.cancelled():
            continue
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)

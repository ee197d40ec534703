"""How a synchronous engine meets the event loop: inline (SQLite) or on its own thread
(PostgreSQL). The choice is the engine's, made once where the store is opened (``factory``).

PostgreSQL (a network round trip per call) runs on one dedicated thread, so the loop never
waits for the server: a single connection wants serial access, and one thread keeps the
ledger's writes in the order the pipeline issued them. The thread takes every call queued so
far, runs them one after another, then hands all their results back to the loop with a single
wake-up (one wake-up per call, as ``run_in_executor`` does, cost more than many of the calls
themselves).

SQLite (a local file in WAL mode: tens of microseconds per call) runs on the loop's own
thread. A store thread there costs far more than the calls: every SQLite call releases the
GIL, and the store thread then waits up to the interpreter's switch interval (5 ms) to get it
back from the busy loop thread, so with thousands of actors the store queue, not ONSS, set the
pace (docs/performance.md). Each call still yields to the loop once.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from typing import Any, ParamSpec, Protocol, TypeVar

from adapter.core.errors import BrokenInvariant

P = ParamSpec("P")
R = TypeVar("R")

_Job = tuple[Callable[[], Any], asyncio.Future[Any], asyncio.AbstractEventLoop]
_Outcome = tuple[asyncio.Future[Any], Any, BaseException | None]


class StoreClosed(BrokenInvariant):
    """A store call after ``close()``."""


class Calls(Protocol):
    """Serial calls into a synchronous engine, in the order they were issued."""

    async def call(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R: ...

    async def call_first(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """As ``call``, but ahead of the calls already queued (the outbox relay, the gauges
        and the readiness check: with thousands of actors queued, they would otherwise wait
        for all of them)."""
        ...

    def close(self) -> None:
        """Run what is queued, then refuse new calls."""
        ...


class InlineCalls:
    """On the loop's thread: the call runs at once, then yields to the loop once."""

    def __init__(self) -> None:
        self._closed = False

    async def call(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        if self._closed:
            msg = "the store is closed"
            raise StoreClosed(msg)
        result = method(*args, **kwargs)
        await asyncio.sleep(0)  # a store call stays a point where other tasks may run
        return result

    async def call_first(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        return await self.call(method, *args, **kwargs)

    def close(self) -> None:
        self._closed = True


class ThreadCalls:
    """On one dedicated thread, batched: one wake-up of the loop per batch of results."""

    def __init__(self, name: str = "store") -> None:
        self._jobs: deque[_Job] = deque()
        self._ready = threading.Condition(threading.Lock())
        self._closed = False
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    async def call(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        return await self._queue(lambda: method(*args, **kwargs), first=False)

    async def call_first(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        return await self._queue(lambda: method(*args, **kwargs), first=True)

    async def _queue(self, job: Callable[[], R], *, first: bool) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        with self._ready:
            if self._closed:
                msg = "the store is closed"
                raise StoreClosed(msg)
            if first:
                self._jobs.appendleft((job, future, loop))
            else:
                self._jobs.append((job, future, loop))
            self._ready.notify()
        return await future

    def _work(self) -> None:
        while True:
            with self._ready:
                while not self._jobs and not self._closed:
                    self._ready.wait()
                if not self._jobs:
                    return
                batch = list(self._jobs)
                self._jobs.clear()
            done: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}
            for job, future, loop in batch:
                if future.cancelled():  # as run_in_executor: a call cancelled before it ran
                    continue
                try:
                    outcome: _Outcome = (future, job(), None)
                except BaseException as exc:  # noqa: BLE001 - handed to the awaiting caller
                    outcome = (future, None, exc)
                done.setdefault(loop, []).append(outcome)
            for loop, outcomes in done.items():
                try:
                    loop.call_soon_threadsafe(_deliver, outcomes)
                except RuntimeError:  # the loop is closed: nobody waits any more
                    continue

    def close(self) -> None:
        with self._ready:
            self._closed = True
            self._ready.notify()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join()


def _deliver(outcomes: list[_Outcome]) -> None:
    for future, result, error in outcomes:
        if future.cancelled():
            continue
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)

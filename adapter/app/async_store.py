"""Runs the synchronous store on one dedicated thread so the event loop never blocks on I/O."""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from adapter.app.ports import Store

P = ParamSpec("P")
R = TypeVar("R")

_Job = tuple[Callable[[], Any], asyncio.Future[Any], asyncio.AbstractEventLoop]
_Outcome = tuple[asyncio.Future[Any], Any, BaseException | None]


class AsyncStore:
    """``await store.call(store.method, *args)`` without blocking the loop.

    One thread: SQLite and a single PostgreSQL connection both want serial access, and it
    keeps the ledger's writes in the order the pipeline issued them.

    The thread takes every call queued so far, runs them one after another (in order), then
    hands all their results back to the loop with a single wake-up. With hundreds of
    employment actors the store is called thousands of times a second; one wake-up per call
    (``run_in_executor``) costs more than many of the calls themselves (docs/performance.md).
    """

    def __init__(self, store: Store) -> None:
        self.sync = store
        self._jobs: deque[_Job] = deque()
        self._ready = threading.Condition(threading.Lock())
        self._closed = False
        self._thread = threading.Thread(target=self._work, name="store", daemon=True)
        self._thread.start()

    async def call(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        with self._ready:
            if self._closed:
                msg = "the store is closed"
                raise RuntimeError(msg)
            self._jobs.append((lambda: method(*args, **kwargs), future, loop))
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
        self._thread.join()
        self.sync.close()


def _deliver(outcomes: list[_Outcome]) -> None:
    for future, result, error in outcomes:
        if future.cancelled():
            continue
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)

"""Injected latency for many requests on one loop timer.

``asyncio.sleep`` arms a timer per request (with uvloop, a libuv timer handle each, plus a
Python callback when it fires). With a fixed latency, requests wake in the order they arrived,
so their deadlines form a queue: one timer is armed for the earliest; when it fires it wakes
every request that is due and re-arms for the next. A request never wakes before its deadline
and at most about a millisecond after it (uvloop's timers tick in milliseconds). A wait that
would overtake the queue (a random latency shorter than one already waiting) falls back to
``asyncio.sleep``, so every distribution keeps its delays.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable

_FLOAT_NOISE = 1e-6
# Re-arm at least this far ahead: uvloop's clock moves in milliseconds, so a shorter timer
# could fire again on the same tick and spin until it moves.
_MIN_REARM = 0.001


class LatencyQueue:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: deque[tuple[float, asyncio.Future[None]]] = deque()
        self._timer: asyncio.TimerHandle | None = None

    def wait(self, delay: float) -> Awaitable[None]:
        """What to await for ``delay`` seconds (at least) of loop time.

        A plain function returning the future itself: one coroutine frame fewer to resume.
        """
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop: what the old one waited for is gone
            self._loop, self._waiting, self._timer = loop, deque(), None
        deadline = loop.time() + delay
        waiting = self._waiting
        if waiting and deadline < waiting[-1][0]:
            return asyncio.sleep(delay)
        future: asyncio.Future[None] = loop.create_future()
        waiting.append((deadline, future))
        if self._timer is None:
            self._timer = loop.call_at(deadline, self._wake)
        return future

    def _wake(self) -> None:
        loop = self._loop
        assert loop is not None
        waiting = self._waiting
        now = loop.time()
        while waiting and waiting[0][0] <= now + _FLOAT_NOISE:
            future = waiting.popleft()[1]
            if not future.done():  # a cancelled request
                future.set_result(None)
        if waiting:  # also when the loop fired a little early: the head is not due yet
            delay = max(waiting[0][0] - now, _MIN_REARM)
            self._timer = loop.call_later(delay, self._wake)
        else:
            self._timer = None

    def __len__(self) -> int:
        return len(self._waiting)

"""Runs the synchronous store on one dedicated thread so the event loop never blocks on I/O."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from adapter.app.ports import Store

P = ParamSpec("P")
R = TypeVar("R")


class AsyncStore:
    """``await store.call(store.method, *args)`` without blocking the loop.

    One thread: SQLite and a single PostgreSQL connection both want serial access, and it
    keeps the ledger's writes in the order the pipeline issued them.
    """

    def __init__(self, store: Store) -> None:
        self.sync = store
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")

    async def call(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, lambda: method(*args, **kwargs))

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        self.sync.close()

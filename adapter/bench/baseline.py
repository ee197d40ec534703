"""The plain-consumer baseline: the same adapter, one event in flight per partition.

A plain consumer (or an HTTP sink connector) handles the records of a partition one after the
other; the adapter runs one actor per employment instead, many at once. To measure what that
buys, the bench runs the very same adapter process with this executor, where the actors of a
partition take turns. Production never builds it: it lives here, and the bench starts it as
``python -m adapter.bench.baseline`` with the environment it gives ``dimona-adapter run``.
"""

from __future__ import annotations

import asyncio

from adapter.app.driver import DeclarationDriver
from adapter.app.executor import Executor
from adapter.app.ports import InboxEntry
from adapter.commands.run import serve

MODULE = "adapter.bench.baseline"


class OnePerPartitionExecutor(Executor):
    """The actors of one partition wait for each other: one event in flight per partition."""

    def __init__(self, driver: DeclarationDriver) -> None:
        super().__init__(driver)
        self._gates: dict[int, asyncio.Semaphore] = {}

    async def handle(self, entry: InboxEntry) -> None:
        gate = self._gates.setdefault(entry.partition, asyncio.Semaphore(1))
        async with gate:
            await super().handle(entry)


def main() -> int:
    return serve(make_executor=OnePerPartitionExecutor)


if __name__ == "__main__":
    raise SystemExit(main())

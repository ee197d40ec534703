"""``LatencyQueue``: many waits on one timer, none ends before its deadline."""

from __future__ import annotations

import asyncio

import pytest

from adapter.sandbox.latency import LatencyQueue

NOISE = 1e-6


async def _timed(queue: LatencyQueue, delay: float, woke: list[tuple[float, float]]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + delay
    await queue.wait(delay)
    woke.append((deadline, loop.time()))


async def test_waits_of_one_latency_end_in_order_and_never_early() -> None:
    queue = LatencyQueue()
    woke: list[tuple[float, float]] = []
    tasks = []
    for _ in range(50):
        tasks.append(asyncio.create_task(_timed(queue, 0.02, woke)))
        await asyncio.sleep(0.0005)
    assert len(queue) > 0  # they queue instead of arming a timer each
    await asyncio.gather(*tasks)
    assert len(woke) == 50
    assert [d for d, _ in woke] == sorted(d for d, _ in woke)
    assert all(at >= deadline - NOISE for deadline, at in woke)
    assert len(queue) == 0


async def test_a_shorter_wait_does_not_queue_behind_a_longer_one() -> None:
    queue = LatencyQueue()
    woke: list[tuple[float, float]] = []
    long = asyncio.create_task(_timed(queue, 0.2, woke))
    await asyncio.sleep(0)
    short = asyncio.create_task(_timed(queue, 0.01, woke))
    await short
    assert not long.done()
    await long
    assert all(at >= deadline - NOISE for deadline, at in woke)
    assert woke[0][0] < woke[1][0]


async def test_a_cancelled_wait_leaves_the_others_alone() -> None:
    queue = LatencyQueue()
    woke: list[tuple[float, float]] = []
    first = asyncio.create_task(_timed(queue, 0.01, woke))
    second = asyncio.create_task(_timed(queue, 0.02, woke))
    await asyncio.sleep(0)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await second
    assert len(woke) == 1
    assert woke[0][1] >= woke[0][0] - NOISE


def test_a_new_event_loop_starts_an_empty_queue() -> None:
    queue = LatencyQueue()
    for _ in range(2):
        woke: list[tuple[float, float]] = []
        asyncio.run(_timed(queue, 0.005, woke))
        assert len(woke) == 1
        assert woke[0][1] >= woke[0][0] - NOISE

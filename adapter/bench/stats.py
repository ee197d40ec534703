"""Percentiles and time series over completion times (pure)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (``q`` in 0..100), as numpy's default; None if empty."""
    if not values:
        return None
    if not 0 <= q <= 100:
        msg = f"percentile {q} outside 0..100"
        raise ValueError(msg)
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: Sequence[float]) -> dict[str, float | None]:
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values) if values else None,
    }


def per_second(times: Sequence[float], *, start: float, end: float | None = None) -> list[int]:
    """How many of ``times`` fall in each whole second after ``start`` (up to ``end``)."""
    last = end if end is not None else (max(times) if times else start)
    buckets = [0] * max(1, math.ceil(last - start))
    for t in times:
        index = int(t - start)
        if 0 <= index < len(buckets):
            buckets[index] += 1
    return buckets


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else 0.0

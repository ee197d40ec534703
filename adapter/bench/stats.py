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


def moving_average(series: Sequence[float], window: int) -> list[float]:
    """Trailing mean over the last ``window`` points (fewer at the start), same length."""
    if window < 1:
        msg = f"window {window} < 1"
        raise ValueError(msg)
    out: list[float] = []
    total = 0.0
    for index, value in enumerate(series):
        total += value
        if index >= window:
            total -= series[index - window]
        out.append(total / min(index + 1, window))
    return out


def cumulative(series: Sequence[float]) -> list[float]:
    out: list[float] = []
    total = 0.0
    for value in series:
        total += value
        out.append(total)
    return out


def steady_window(
    times: Sequence[float], low: float = 10, high: float = 90
) -> tuple[float, float] | None:
    """The span between the ``low``-th and the ``high``-th percentile of ``times``."""
    first, last = percentile(times, low), percentile(times, high)
    if first is None or last is None or last <= first:
        return None
    return first, last


def empty_buckets(
    times: Sequence[float], low: float = 10, high: float = 90
) -> dict[str, float | int] | None:
    """How many whole seconds of the steady part (``low``-th to ``high``-th percentile of
    ``times``) saw none of ``times``: gaps in the flow of final statuses."""
    window = steady_window(times, low, high)
    if window is None:
        return None
    start, end = window
    buckets = [0] * max(1, math.floor(end - start))
    for t in times:
        index = int(t - start)
        if start <= t and index < len(buckets):
            buckets[index] += 1
    return {
        "from_percentile": low,
        "to_percentile": high,
        "window_s": round(end - start, 3),
        "buckets": len(buckets),
        "empty": sum(1 for b in buckets if b == 0),
        "fewest_in_a_bucket": min(buckets),
    }

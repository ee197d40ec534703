"""The garbage collector, tuned for a long-running process with a large steady heap.

A busy adapter holds hundreds of thousands of long-lived objects (modules, pydantic and Avro
schemas, the actors' state) and allocates millions of short-lived ones (one request, one
row, one status event). With CPython's defaults a young collection runs every 700 net
allocations and each full collection walks the whole heap: in a 6,000-event benchmark the
collector took more than 5 s of a 44 s CPU budget, in pauses of up to 250 ms
(docs/performance.md). Freezing what start-up created removes it from every later
collection, and a larger young generation lets most short-lived objects die before a
collection sees them. Reference cycles are still collected.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000
"""Net container allocations between two young collections (CPython's default: 700)."""


def freeze_start_up_objects(young_threshold: int = YOUNG_THRESHOLD) -> int:
    """Collect once, freeze what survives, and collect the young generation less often;
    returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young_threshold, middle, old)
    return gc.get_freeze_count()

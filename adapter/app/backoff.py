"""How long to wait before retrying a submission after a transient failure."""

from __future__ import annotations

import random


def retry_delay(attempts: int, retry_after: float | None, *, cap: float = 300.0) -> float:
    """The server's ``Retry-After`` when given, else capped exponential backoff with jitter."""
    if retry_after is not None:
        return max(0.0, retry_after)
    base = min(cap, 0.5 * 2.0 ** max(0, attempts - 1))
    return float(base) * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography

"""``Retry-After`` as the HTTP edges read it (ONSS, the Schema Registry)."""

from __future__ import annotations

import email.utils
from collections.abc import Mapping


def retry_after_seconds(headers: Mapping[str, str], *, now: float) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds, or an HTTP date (RFC 9110 §10.2.3);
    None when absent or unreadable."""
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)

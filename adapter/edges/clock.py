"""The real clock (the core never reads time; the app asks this)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
_MAX_SLICE_S = 3600.0


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(BRUSSELS).date()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep_until(self, when: datetime) -> None:
        # Re-read the wall clock after each slice: long waits (a not-before day, hourly polls)
        # stay right across clock adjustments, and a cancellation is seen within the slice.
        while (delay := (when - self.now()).total_seconds()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(min(delay, _MAX_SLICE_S))

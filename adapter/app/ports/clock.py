"""The clock port: the core never reads time itself, the app asks this."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime (UTC)."""
        ...

    def today(self) -> date:
        """Today's date in Belgium (Europe/Brussels), the calendar Dimona rules use."""
        ...

    def monotonic(self) -> float: ...

    async def sleep_until(self, when: datetime) -> None:
        """Return at ``when`` (at once if it has passed). A test clock moves its time instead of
        sleeping, so tests move time without waiting."""
        ...

"""What ONSS knows about the Dimona periods of one employment (after accepted declarations)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from adapter.core.events import TimeOfDay


class PeriodState(StrEnum):
    PENDING = "PENDING"
    """An IN was submitted and not (finally) answered yet: no period id, or result S."""
    ACTIVE = "ACTIVE"
    """The period exists at ONSS (IN accepted, with or without warnings)."""
    CANCELLED = "CANCELLED"
    REFUSED = "REFUSED"
    """The IN was refused: the period never existed."""

    @property
    def is_live(self) -> bool:
        """Whether ONSS has (or will have) this period, so later events must act on it."""
        return self in (PeriodState.PENDING, PeriodState.ACTIVE)


class KnownPeriod(BaseModel):
    """One Dimona period of the employment as ONSS knows it (camelCase in JSON)."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True
    )

    period_id: int | None = None
    start_date: date
    start_time: TimeOfDay | None = None
    end_date: date | None = None
    end_time: TimeOfDay | None = None
    worker_type: str
    joint_committee: str
    """The declared joint committee (a Dimona value)."""
    planned_hours: int | None = None
    state: PeriodState = PeriodState.ACTIVE
    blocks_key: str | None = None
    """``InDeclaration.blocks_key()`` of the IN that created the period, when known."""

    @property
    def is_open(self) -> bool:
        return self.end_date is None


def live_periods(periods: tuple[KnownPeriod, ...] | list[KnownPeriod]) -> tuple[KnownPeriod, ...]:
    """The periods later declarations must act on, ordered by start."""
    return tuple(
        sorted(
            (p for p in periods if p.state.is_live),
            key=lambda p: (p.start_date, p.start_time is not None, p.start_time),
        )
    )

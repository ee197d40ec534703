"""A period's terms, and what ONSS knows about the Dimona periods of one employment."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

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


class PeriodTerms(BaseModel):
    """The terms of one Dimona period, held once: its dates and hours, the worker type, the
    declared joint committee and the planned hours.

    A value object. A known period (:class:`KnownPeriod`) and an IN
    (:class:`adapter.core.declarations.InDeclaration`) are these terms with more around them
    (they inherit the fields, so their JSON stays flat); the rules read them from
    :class:`adapter.core.rules.facts.PeriodFacts` and the status events from
    :meth:`adapter.core.status.DeclaredPeriod.of`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    start_date: date
    start_time: TimeOfDay | None = None
    end_date: date | None = None
    end_time: TimeOfDay | None = None
    planned_hours: int | None = None
    """Whole hours (STU, O17, S17): a contract's fractional hours are rounded up."""
    worker_type: str
    joint_committee: str
    """The declared joint committee: one of the Dimona values (124 ... 322, XXX)."""

    @property
    def terms(self) -> PeriodTerms:
        """Only the terms, as a value of their own (a known period or an IN without the rest)."""
        if type(self) is PeriodTerms:
            return self
        return PeriodTerms.model_construct(**self.term_values())

    def term_values(self) -> dict[str, Any]:
        """The terms as keyword arguments, to build a known period or an IN from them."""
        return {name: getattr(self, name) for name in _TERM_FIELDS}

    @property
    def is_open(self) -> bool:
        return self.end_date is None

    @property
    def is_flexi_day(self) -> bool:
        """A flexi-job declared by the day, with its hours."""
        return self.worker_type == "FLX" and (
            self.start_time is not None or self.end_time is not None
        )

    @property
    def has_hours(self) -> bool:
        """Whether ONSS takes a start and an end time for this period."""
        return self.worker_type == "EXT" or self.is_flexi_day


_TERM_FIELDS = tuple(PeriodTerms.model_fields)


class KnownPeriod(PeriodTerms):
    """One Dimona period of the employment as ONSS knows it (camelCase in JSON)."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True
    )

    period_id: int | None = None
    state: PeriodState = PeriodState.ACTIVE
    blocks_key: str | None = None
    """``InDeclaration.blocks_key()`` of the IN that created the period, when known."""

    @classmethod
    def of(
        cls,
        terms: PeriodTerms,
        *,
        state: PeriodState,
        period_id: int | None,
        blocks_key: str | None = None,
    ) -> KnownPeriod:
        return cls(**terms.term_values(), state=state, period_id=period_id, blocks_key=blocks_key)


def live_periods(periods: tuple[KnownPeriod, ...] | list[KnownPeriod]) -> tuple[KnownPeriod, ...]:
    """The periods later declarations must act on, ordered by start."""
    return tuple(
        sorted(
            (p for p in periods if p.state.is_live),
            key=lambda p: (p.start_date, p.start_time is not None, p.start_time),
        )
    )

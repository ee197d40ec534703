"""When to ask ONSS again for the result of a submitted declaration (reference §8.2).

Pure: the caller passes the seconds elapsed since the submission and schedules the next GET
itself. The default follows the tiers published for Dimona: nothing before 2 s, then one GET per
second up to 30 s, one per minute up to 20 min, then one per hour. A declaration answered ``S``
(waiting for the SIGeDIS identification of the worker) can stay so for days: it is polled on a
slower schedule of its own.
"""

from __future__ import annotations

from collections import deque
from statistics import median

from pydantic import BaseModel, ConfigDict, Field, model_validator

_REACHED_S = 0.001
"""A first wait this close to its end counts as over: time stamps are whole microseconds, and
a remainder below that would ask ONSS twice at the same instant."""
MINUTE = 60.0
HOUR = 3600.0
DAY = 24 * HOUR


class PollTier(BaseModel):
    """Poll every ``interval`` seconds while less than ``until`` seconds have elapsed."""

    model_config = ConfigDict(frozen=True)

    until: float = Field(gt=0)
    interval: float = Field(gt=0)


class PollSchedule(BaseModel):
    """A tiered polling schedule, with thresholds for alerting and for giving up.

    ``give_up_after`` of ``None`` means never give up (keep polling at the last interval).
    """

    model_config = ConfigDict(frozen=True)

    first_wait: float = Field(default=2.0, ge=0)
    tiers: tuple[PollTier, ...] = (
        PollTier(until=30.0, interval=1.0),
        PollTier(until=20 * MINUTE, interval=MINUTE),
    )
    final_interval: float = Field(default=HOUR, gt=0)
    alert_after: float = Field(default=6 * HOUR, gt=0)
    give_up_after: float | None = Field(default=7 * DAY, gt=0)

    identification_tiers: tuple[PollTier, ...] = (PollTier(until=DAY, interval=HOUR),)
    identification_final_interval: float = Field(default=6 * HOUR, gt=0)
    identification_alert_after: float = Field(default=7 * DAY, gt=0)
    identification_give_up_after: float | None = Field(default=60 * DAY, gt=0)

    learn_first_wait: bool = True
    """Time the first GET from the answer times ONSS gave lately (``AnswerTimes``), never
    earlier than ``first_wait`` nor later than ``learned_first_wait_cap``: when ONSS takes
    longer than ``first_wait`` to process, the GETs that would only read a 404 are not sent
    (docs/decisions.md, D-32)."""
    learned_first_wait_cap: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _tiers_ascend(self) -> PollSchedule:
        for name in ("tiers", "identification_tiers"):
            bounds = [tier.until for tier in getattr(self, name)]
            if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
                raise ValueError(f"{name} must have strictly increasing 'until' bounds")
        return self

    def delay_after(
        self,
        elapsed_seconds: float,
        *,
        waiting_identification: bool,
        learned_first_wait: float | None = None,
    ) -> float:
        """Seconds to wait, from ``elapsed_seconds`` after the submission, before the next GET.

        ``learned_first_wait`` (from ``AnswerTimes``) moves the first GET later, within
        ``[first_wait, learned_first_wait_cap]``, when ``learn_first_wait`` is on."""
        elapsed = max(0.0, elapsed_seconds)
        if waiting_identification:
            return _tiered(elapsed, self.identification_tiers, self.identification_final_interval)
        first = self.first_wait
        if self.learn_first_wait and learned_first_wait is not None:
            first = max(first, min(learned_first_wait, self.learned_first_wait_cap))
        if first - elapsed > _REACHED_S:
            return first - elapsed
        return _tiered(elapsed, self.tiers, self.final_interval)

    def should_alert(self, elapsed_seconds: float, *, waiting_identification: bool) -> bool:
        """True once a declaration has been pending long enough for a human to look at it."""
        limit = self.identification_alert_after if waiting_identification else self.alert_after
        return elapsed_seconds >= limit

    def should_give_up(self, elapsed_seconds: float, *, waiting_identification: bool) -> bool:
        """True once polling should stop (the declaration is then reported as failed/stuck)."""
        limit = self.identification_give_up_after if waiting_identification else self.give_up_after
        return limit is not None and elapsed_seconds >= limit


def _tiered(elapsed: float, tiers: tuple[PollTier, ...], final_interval: float) -> float:
    for tier in tiers:
        if elapsed < tier.until:
            return tier.interval
    return final_interval


class AnswerTimes:
    """How long ONSS took lately to answer, to time the first GET of the next declaration.

    Each answered declaration reports the seconds from its submission to the GET that found
    the answer. ``first_wait()`` is a little below the median of the last ``window`` reports:
    aiming early means that when ONSS speeds up, answers found at the first GET report ever
    shorter times, so the estimate follows ONSS down as well as up. Pure: the shell feeds it.
    """

    def __init__(self, window: int = 100, aim: float = 0.9) -> None:
        self._seconds: deque[float] = deque(maxlen=window)
        self._aim = aim
        self._estimate: float | None = None

    def observe(self, seconds_to_answer: float) -> None:
        self._seconds.append(max(0.0, seconds_to_answer))
        self._estimate = None

    def first_wait(self) -> float | None:
        """The learned wait before the first GET; None before any answer was seen."""
        if not self._seconds:
            return None
        if self._estimate is None:
            self._estimate = self._aim * median(self._seconds)
        return self._estimate


DEFAULT_POLL_SCHEDULE = PollSchedule()

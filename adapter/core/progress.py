"""What the state machine knows about one declaration, and what it is told: the states, the
durable progress, the configured rules of time (``Timing``) and the moment (``Situation``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from adapter.core.polling import DEFAULT_POLL_SCHEDULE, PollSchedule
from adapter.core.results import DeclarationAnswer


class DeclarationState(StrEnum):
    PLANNED = "PLANNED"
    SUBMITTING = "SUBMITTING"
    UNCERTAIN = "UNCERTAIN"
    SUBMITTED = "SUBMITTED"
    WAITING_IDENTIFICATION = "WAITING_IDENTIFICATION"
    ACCEPTED = "ACCEPTED"
    ACCEPTED_WITH_WARNINGS = "ACCEPTED_WITH_WARNINGS"
    REFUSED = "REFUSED"
    FAILED = "FAILED"

    @property
    def is_final(self) -> bool:
        return self in _FINAL


_FINAL = frozenset(
    {
        DeclarationState.ACCEPTED,
        DeclarationState.ACCEPTED_WITH_WARNINGS,
        DeclarationState.REFUSED,
        DeclarationState.FAILED,
    }
)


@dataclass(frozen=True, slots=True)
class DeclarationProgress:
    """What the machine knows about one declaration; the store keeps it durably."""

    state: DeclarationState
    attempts: int = 0
    """Submissions tried (POSTs, or intents to POST)."""
    declaration_id: int | None = None
    submitted_at: datetime | None = None
    answer: DeclarationAnswer | None = None
    failure: str | None = None
    retries: int = 0
    """Consecutive failed GETs or searches since the last one that worked (backoff)."""
    due_at: datetime | None = None
    """When the next action may happen: the durable schedule."""
    reconcile_until: datetime | None = None
    """While UNCERTAIN: until when a search that finds nothing keeps us searching."""


@dataclass(frozen=True, slots=True)
class Timing:
    """The configured rules of time."""

    polls: PollSchedule = DEFAULT_POLL_SCHEDULE
    backoff_first_s: float = 0.5
    backoff_cap_s: float = 300.0
    retry_after_cap_s: float = 300.0
    reconcile_window_s: float = 120.0
    """ONSS lists a declaration in searches only once processed: look this long."""
    reconcile_interval_s: float = 5.0


@dataclass(frozen=True, slots=True)
class Situation:
    """What the machine is told besides the event."""

    now: datetime
    not_before: datetime | None = None
    """The earliest submission time (an IN's not-before day, in Belgium); None: any time."""
    jitter: float = 1.0
    """A factor in [0.5, 1.0] drawn by the shell: spreads the retries of many declarations."""
    timing: Timing = field(default_factory=Timing)
    learned_first_wait: float | None = None
    """The first GET's wait learned from ONSS's recent answer times (``polling.AnswerTimes``)."""

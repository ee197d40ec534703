"""The declaration state machine, as data.

``transition(record, event, now)`` returns the next record and the effects the shell must
perform; it never performs them. The shell (``adapter.app.executor``) feeds the outcome of
each effect back as the next event.

    PLANNED ──submit──► SUBMITTING ──accepted(id)──► SUBMITTED ──answer──► final
       ▲                    │  │                        │  ▲
       │  transient error   │  │ outcome unknown        │  │ not yet processed / S
       └────────────────────┘  ▼                        └──┘
                             UNCERTAIN ──found(id)──► SUBMITTED
                                  └──────not found──► PLANNED (safe to submit again)

Final states: ACCEPTED, ACCEPTED_WITH_WARNINGS, REFUSED, FAILED. WAITING_IDENTIFICATION
(result S) is polled slowly until ONSS resolves it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from adapter.core.errors import BrokenInvariant
from adapter.core.results import DeclarationAnswer, DimonaResult


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

_STATE_OF_RESULT = {
    DimonaResult.ACCEPTED: DeclarationState.ACCEPTED,
    DimonaResult.ACCEPTED_WITH_WARNING: DeclarationState.ACCEPTED_WITH_WARNINGS,
    DimonaResult.REFUSED: DeclarationState.REFUSED,
    DimonaResult.WAITING_IDENTIFICATION: DeclarationState.WAITING_IDENTIFICATION,
}


@dataclass(frozen=True, slots=True)
class DeclarationProgress:
    """What the machine needs to know about one declaration."""

    state: DeclarationState
    attempts: int = 0
    declaration_id: int | None = None
    submitted_at: datetime | None = None
    answer: DeclarationAnswer | None = None
    failure: str | None = None


# ---- events fed back by the shell -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubmitDue:
    """The declaration may be sent now (its turn has come, its dependencies are met)."""


@dataclass(frozen=True, slots=True)
class SubmissionAccepted:
    declaration_id: int


@dataclass(frozen=True, slots=True)
class SubmissionFailedTransient:
    reason: str
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class SubmissionFailedPermanent:
    reason: str


@dataclass(frozen=True, slots=True)
class SubmissionUncertain:
    reason: str


@dataclass(frozen=True, slots=True)
class ReconciliationFound:
    declaration_id: int


@dataclass(frozen=True, slots=True)
class ReconciliationNotFound:
    pass


@dataclass(frozen=True, slots=True)
class AnswerPending:
    """GET answered 404: not processed yet."""


@dataclass(frozen=True, slots=True)
class AnswerReceived:
    answer: DeclarationAnswer


@dataclass(frozen=True, slots=True)
class Abandoned:
    """The declaration will not be pursued: a prerequisite failed, or polling gave up."""

    reason: str


Event = (
    SubmitDue
    | SubmissionAccepted
    | SubmissionFailedTransient
    | SubmissionFailedPermanent
    | SubmissionUncertain
    | ReconciliationFound
    | ReconciliationNotFound
    | AnswerPending
    | AnswerReceived
    | Abandoned
)


# ---- effects the shell performs ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Submit:
    """Record the intent durably, then POST the declaration."""


@dataclass(frozen=True, slots=True)
class Reconcile:
    """Ask ONSS whether a submission of unknown outcome was recorded."""


@dataclass(frozen=True, slots=True)
class PollAnswer:
    """GET the answer of the submitted declaration (after the poll schedule's delay)."""


@dataclass(frozen=True, slots=True)
class RetryLater:
    """Wait (backoff, or the server's Retry-After) before submitting again."""

    attempts: int
    retry_after: float | None


@dataclass(frozen=True, slots=True)
class PublishStatus:
    """Record a status change in the outbox."""

    previous: DeclarationState
    current: DeclarationState


Effect = Submit | Reconcile | PollAnswer | RetryLater | PublishStatus


class IllegalTransition(BrokenInvariant):
    """An event that cannot happen in the current state (a bug in the shell)."""


@dataclass(frozen=True, slots=True)
class Decision:
    progress: DeclarationProgress
    effects: tuple[Effect, ...]


def _moved(
    progress: DeclarationProgress, state: DeclarationState, *effects: Effect, **changes: object
) -> Decision:
    new = replace(progress, state=state, **changes)  # type: ignore[arg-type]
    publish: tuple[Effect, ...] = ()
    if state != progress.state and state not in _SILENT:
        publish = (PublishStatus(progress.state, state),)
    return Decision(new, publish + effects)


# States that are bookkeeping only: consumers hear of SUBMITTED and the answers, not of
# the intent record or the reconciliation in between.
_SILENT = frozenset(
    {DeclarationState.PLANNED, DeclarationState.SUBMITTING, DeclarationState.UNCERTAIN}
)


def transition(progress: DeclarationProgress, event: Event, now: datetime) -> Decision:  # noqa: PLR0911, PLR0912
    """The next state of one declaration and the effects to perform."""
    state = progress.state
    if state.is_final:
        raise IllegalTransition(f"{type(event).__name__} after final state {state}")
    match event:
        case Abandoned(reason=reason):
            return _moved(progress, DeclarationState.FAILED, failure=reason)
        case SubmitDue() if state is DeclarationState.PLANNED:
            return _moved(
                progress, DeclarationState.SUBMITTING, Submit(), attempts=progress.attempts + 1
            )
        case SubmissionAccepted(declaration_id=did) if state is DeclarationState.SUBMITTING:
            return _moved(
                progress,
                DeclarationState.SUBMITTED,
                PollAnswer(),
                declaration_id=did,
                submitted_at=now,
            )
        case SubmissionFailedTransient(retry_after=after) if state is DeclarationState.SUBMITTING:
            return _moved(progress, DeclarationState.PLANNED, RetryLater(progress.attempts, after))
        case SubmissionFailedPermanent(reason=reason) if state is DeclarationState.SUBMITTING:
            return _moved(progress, DeclarationState.FAILED, failure=reason)
        case SubmissionUncertain() if state is DeclarationState.SUBMITTING:
            return _moved(progress, DeclarationState.UNCERTAIN, Reconcile())
        case ReconciliationFound(declaration_id=did) if state is DeclarationState.UNCERTAIN:
            return _moved(
                progress,
                DeclarationState.SUBMITTED,
                PollAnswer(),
                declaration_id=did,
                submitted_at=progress.submitted_at or now,
            )
        case ReconciliationNotFound() if state is DeclarationState.UNCERTAIN:
            return _moved(progress, DeclarationState.PLANNED, RetryLater(progress.attempts, 0.0))
        case AnswerPending() if state in _POLLED:
            return Decision(progress, (PollAnswer(),))
        case AnswerReceived(answer=answer) if state in _POLLED:
            target = _STATE_OF_RESULT[answer.result]
            effects: tuple[Effect, ...] = () if target.is_final else (PollAnswer(),)
            if target == state:
                return Decision(replace(progress, answer=answer), effects)
            return _moved(progress, target, *effects, answer=answer)
        case _:
            raise IllegalTransition(f"{type(event).__name__} in state {state}")


_POLLED = frozenset({DeclarationState.SUBMITTED, DeclarationState.WAITING_IDENTIFICATION})


def recover(progress: DeclarationProgress) -> DeclarationProgress:
    """The state to resume from after a crash: an interrupted POST is of unknown outcome."""
    if progress.state is DeclarationState.SUBMITTING:
        return replace(progress, state=DeclarationState.UNCERTAIN)
    return progress

"""The declaration state machine, as data: it owns every rule of time and failure.

``transition(progress, event, situation)`` returns a ``Decision``: the new progress, the status
change to publish (if any) and **one** action for the shell. The shell performs that one action
(one I/O: sleep until its time, then POST, GET or search) and feeds the outcome back as the
next event. ``resume(progress, situation)`` gives the decision for a stored progress (at start,
after a restart or a rebalance). Nothing here reads a clock, sleeps or draws a random number:
``Situation`` brings the time, the earliest submission time and the jitter.

    PLANNED ──due──► SUBMITTING ──accepted(id)──► SUBMITTED ──answer──► final
       ▲                 │  │                       │  ▲
       │ transient error │  │ outcome unknown       │  │ pending / S / failed GET (backoff)
       └─────────────────┘  ▼                       └──┘
                          UNCERTAIN ──found(id)──► SUBMITTED
                              │ └─ failed search: search again (backoff)
                              └─ not found once the window closed ──► PLANNED

Final states: ACCEPTED, ACCEPTED_WITH_WARNINGS, REFUSED, FAILED. WAITING_IDENTIFICATION
(result S) is polled on its own slower schedule until ONSS resolves it.

The rules of time, each a value computed here:
* when to poll: the tiered ``PollSchedule`` from the submission time; when to give up;
* a failed GET or search (5xx, 429, timeout) is an event: the same action again after an
  exponential backoff with jitter, ``Retry-After`` honoured up to a cap, counted in
  ``retries`` and saved, so it shows in the transition log;
* a transient submission failure: back to PLANNED, submitted again after a backoff;
* the not-before time: an IN is never submitted before the day its period may be declared;
* the reconciliation window: a declaration of unknown outcome is searched for until
  ``reconcile_until``; only a search that *succeeded* and found nothing after that time
  allows a new POST (a failing search never does).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from adapter.core.errors import BrokenInvariant
from adapter.core.progress import DeclarationProgress, DeclarationState, Situation, Timing
from adapter.core.results import DeclarationAnswer, DimonaResult

__all__ = [  # with the vocabulary of progress.py: one import for the machine's users
    "Abandoned",
    "Action",
    "AnswerPending",
    "AnswerReceived",
    "Decision",
    "DeclarationProgress",
    "DeclarationState",
    "Done",
    "Event",
    "IllegalTransition",
    "Poll",
    "PollFailed",
    "PollRefused",
    "Post",
    "ReconciliationFound",
    "ReconciliationNotFound",
    "Search",
    "SearchFailed",
    "Situation",
    "StatusChange",
    "SubmissionAccepted",
    "SubmissionFailedPermanent",
    "SubmissionFailedTransient",
    "SubmissionUncertain",
    "SubmitDue",
    "Timing",
    "WaitToSubmit",
    "backoff_s",
    "resume",
    "transition",
]

_POLLED = frozenset({DeclarationState.SUBMITTED, DeclarationState.WAITING_IDENTIFICATION})
_STATE_OF_RESULT = {
    DimonaResult.ACCEPTED: DeclarationState.ACCEPTED,
    DimonaResult.ACCEPTED_WITH_WARNING: DeclarationState.ACCEPTED_WITH_WARNINGS,
    DimonaResult.REFUSED: DeclarationState.REFUSED,
    DimonaResult.WAITING_IDENTIFICATION: DeclarationState.WAITING_IDENTIFICATION,
}
# Bookkeeping only: consumers hear of SUBMITTED and the answers, not of the intent record or
# the reconciliation in between.
_SILENT = frozenset(
    {DeclarationState.PLANNED, DeclarationState.SUBMITTING, DeclarationState.UNCERTAIN}
)


# ---- events fed back by the shell ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubmitDue:
    """The wait before a submission is over."""


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
class SearchFailed:
    """The reconciliation search itself failed (5xx, 429, timeout): we learnt nothing."""

    reason: str
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class AnswerPending:
    """GET answered 404: not processed yet."""


@dataclass(frozen=True, slots=True)
class AnswerReceived:
    answer: DeclarationAnswer


@dataclass(frozen=True, slots=True)
class PollFailed:
    """The GET failed transiently (5xx, 429, timeout)."""

    reason: str
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class PollRefused:
    """ONSS refused to give the answer (a 4xx other than 404): no retry helps."""

    reason: str


@dataclass(frozen=True, slots=True)
class Abandoned:
    """The declaration will not be pursued (a declaration before it in the event failed)."""

    reason: str


Event = (
    SubmitDue
    | SubmissionAccepted
    | SubmissionFailedTransient
    | SubmissionFailedPermanent
    | SubmissionUncertain
    | ReconciliationFound
    | ReconciliationNotFound
    | SearchFailed
    | AnswerPending
    | AnswerReceived
    | PollFailed
    | PollRefused
    | Abandoned
)


# ---- the one action of a decision ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WaitToSubmit:
    """Sleep until ``at``, then feed ``SubmitDue``."""

    at: datetime


@dataclass(frozen=True, slots=True)
class Post:
    """The intent (SUBMITTING) is saved with this decision: POST the declaration now."""


@dataclass(frozen=True, slots=True)
class Poll:
    """Sleep until ``at``, then GET the answer."""

    at: datetime


@dataclass(frozen=True, slots=True)
class Search:
    """Sleep until ``at``, then search ONSS for the declaration of unknown outcome."""

    at: datetime


@dataclass(frozen=True, slots=True)
class Done:
    """Final: nothing more to do for this declaration."""


Action = WaitToSubmit | Post | Poll | Search | Done


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A change consumers hear of (a status event)."""

    previous: DeclarationState
    current: DeclarationState


@dataclass(frozen=True, slots=True)
class Decision:
    progress: DeclarationProgress
    change: StatusChange | None
    action: Action


class IllegalTransition(BrokenInvariant):
    """An event that cannot happen in the current state (a bug in the shell)."""


# ---- the rules ----------------------------------------------------------------------------


def backoff_s(failures: int, retry_after: float | None, situation: Situation) -> float:
    """``Retry-After`` (capped) when given, else exponential from the first wait to the cap."""
    timing = situation.timing
    if retry_after is not None:
        return min(max(0.0, retry_after), timing.retry_after_cap_s)
    exponent = min(max(0, failures - 1), 60)
    base = min(timing.backoff_cap_s, timing.backoff_first_s * 2.0**exponent)
    return base * min(1.0, max(0.5, situation.jitter))


def _later(situation: Situation, seconds: float) -> datetime:
    return situation.now + timedelta(seconds=seconds)


def _submit_at(situation: Situation, at: datetime) -> datetime:
    nb = situation.not_before
    return at if nb is None or at >= nb else nb


def _decide(
    before: DeclarationProgress,
    state: DeclarationState,
    action: Action,
    **changes: object,
) -> Decision:
    due = getattr(action, "at", None)
    after = replace(before, state=state, due_at=due, **changes)  # type: ignore[arg-type]
    change = None
    if state != before.state and state not in _SILENT:
        change = StatusChange(before.state, state)
    return Decision(after, change, action)


def _failed(before: DeclarationProgress, reason: str) -> Decision:
    return _decide(before, DeclarationState.FAILED, Done(), failure=reason)


def _elapsed_s(progress: DeclarationProgress, situation: Situation) -> float:
    if progress.submitted_at is None:
        return 0.0
    return (situation.now - progress.submitted_at).total_seconds()


def _gave_up(progress: DeclarationProgress, situation: Situation) -> Decision | None:
    elapsed = _elapsed_s(progress, situation)
    waiting = progress.state is DeclarationState.WAITING_IDENTIFICATION
    if situation.timing.polls.should_give_up(elapsed, waiting_identification=waiting):
        return _failed(progress, f"no final answer from ONSS after {elapsed:.0f} s")
    return None


def _next_poll(
    progress: DeclarationProgress, state: DeclarationState, situation: Situation, **changes: object
) -> Decision:
    waiting = state is DeclarationState.WAITING_IDENTIFICATION
    delay = situation.timing.polls.delay_after(
        _elapsed_s(progress, situation),
        waiting_identification=waiting,
        learned_first_wait=situation.learned_first_wait,
    )
    return _decide(progress, state, Poll(_later(situation, delay)), retries=0, **changes)


def _on_answer(
    progress: DeclarationProgress, answer: DeclarationAnswer, situation: Situation
) -> Decision:
    target = _STATE_OF_RESULT[answer.result]
    if target.is_final:
        return _decide(progress, target, Done(), answer=answer, retries=0)
    return _next_poll(progress, target, situation, answer=answer)


def transition(  # noqa: PLR0911, PLR0912 - one arm per (state, event) pair: a table
    progress: DeclarationProgress, event: Event, situation: Situation
) -> Decision:
    """The next decision for one declaration after ``event``."""
    state, now = progress.state, situation.now
    if state.is_final:
        raise IllegalTransition(f"{type(event).__name__} after final state {state}")
    match event:
        case Abandoned(reason=reason):
            return _failed(progress, reason)
        case SubmitDue() if state is DeclarationState.PLANNED:
            if situation.not_before is not None and now < situation.not_before:
                return _decide(progress, state, WaitToSubmit(situation.not_before))
            return _decide(
                progress, DeclarationState.SUBMITTING, Post(), attempts=progress.attempts + 1
            )
        case SubmissionAccepted(declaration_id=did) if state is DeclarationState.SUBMITTING:
            accepted = replace(progress, declaration_id=did, submitted_at=now)
            return _next_poll(accepted, DeclarationState.SUBMITTED, situation)
        case SubmissionFailedTransient(retry_after=after) if state is DeclarationState.SUBMITTING:
            wait = backoff_s(progress.attempts, after, situation)
            at = _submit_at(situation, _later(situation, wait))
            return _decide(progress, DeclarationState.PLANNED, WaitToSubmit(at))
        case SubmissionFailedPermanent(reason=reason) if state is DeclarationState.SUBMITTING:
            return _failed(progress, reason)
        case SubmissionUncertain() if state is DeclarationState.SUBMITTING:
            return _reconcile_from_now(progress, situation)
        case ReconciliationFound(declaration_id=did) if state is DeclarationState.UNCERTAIN:
            found = replace(progress, declaration_id=did, submitted_at=progress.submitted_at or now)
            return _decide(
                found, DeclarationState.SUBMITTED, Poll(now), retries=0, reconcile_until=None
            )
        case ReconciliationNotFound() if state is DeclarationState.UNCERTAIN:
            until = progress.reconcile_until
            if until is not None and now < until:
                interval = situation.timing.reconcile_interval_s
                return _decide(progress, state, Search(_later(situation, interval)), retries=0)
            return _decide(
                progress,
                DeclarationState.PLANNED,
                WaitToSubmit(_submit_at(situation, now)),
                retries=0,
                reconcile_until=None,
            )
        case SearchFailed(retry_after=after) if state is DeclarationState.UNCERTAIN:
            retries = progress.retries + 1
            wait = backoff_s(retries, after, situation)
            return _decide(progress, state, Search(_later(situation, wait)), retries=retries)
        case AnswerPending() if state in _POLLED:
            return _gave_up(progress, situation) or _next_poll(progress, state, situation)
        case AnswerReceived(answer=answer) if state in _POLLED:
            return _on_answer(progress, answer, situation)
        case PollFailed(retry_after=after) if state in _POLLED:
            if (gave_up := _gave_up(progress, situation)) is not None:
                return gave_up
            retries = progress.retries + 1
            wait = backoff_s(retries, after, situation)
            return _decide(progress, state, Poll(_later(situation, wait)), retries=retries)
        case PollRefused(reason=reason) if state in _POLLED:
            return _failed(progress, f"ONSS refused to give the answer: {reason}")
        case _:
            raise IllegalTransition(f"{type(event).__name__} in state {state}")


def _reconcile_from_now(progress: DeclarationProgress, situation: Situation) -> Decision:
    until = _later(situation, situation.timing.reconcile_window_s)
    return _decide(
        progress,
        DeclarationState.UNCERTAIN,
        Search(situation.now),
        retries=0,
        reconcile_until=until,
    )


def resume(progress: DeclarationProgress, situation: Situation) -> Decision:
    """The decision for a stored progress: where to pick up after a start or a restart.

    The stored schedule (``due_at``) stands, so nothing needs saving unless the state moves: a
    POST interrupted between its intent and its outcome (SUBMITTING) is of unknown outcome and
    is reconciled, never re-posted blindly.
    """
    state, now = progress.state, situation.now
    due = progress.due_at or now
    if state.is_final:
        return Decision(progress, None, Done())
    if state is DeclarationState.PLANNED:
        return Decision(progress, None, WaitToSubmit(_submit_at(situation, due)))
    if state is DeclarationState.SUBMITTING:
        return _reconcile_from_now(progress, situation)
    if state is DeclarationState.UNCERTAIN:
        if progress.reconcile_until is None:
            until = _later(situation, situation.timing.reconcile_window_s)
            return _decide(progress, state, Search(due), reconcile_until=until)
        return Decision(progress, None, Search(due))
    return _gave_up(progress, situation) or Decision(progress, None, Poll(due))

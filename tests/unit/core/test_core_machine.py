"""The declaration state machine: every allowed transition, and what is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapter.core import machine as m
from adapter.core.results import Anomaly, DeclarationAnswer, DimonaResult

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
S = m.DeclarationState


def answer(result: DimonaResult, *codes: str) -> DeclarationAnswer:
    return DeclarationAnswer(
        declaration_id=656310000072,
        result=result,
        period_id=656310000072,
        anomalies=tuple(Anomaly(code=c) for c in codes),
    )


def progress(state: m.DeclarationState, **kw: object) -> m.DeclarationProgress:
    defaults: dict[str, object] = {"attempts": 1, "declaration_id": None, "submitted_at": None}
    if state in (S.SUBMITTED, S.WAITING_IDENTIFICATION):
        defaults |= {"declaration_id": 656310000072, "submitted_at": NOW}
    return m.DeclarationProgress(state, **(defaults | kw))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("state", "event", "next_state", "effects"),
    [
        (S.PLANNED, m.SubmitDue(), S.SUBMITTING, (m.Submit,)),
        (
            S.SUBMITTING,
            m.SubmissionAccepted(656310000072),
            S.SUBMITTED,
            (m.PublishStatus, m.PollAnswer),
        ),
        (S.SUBMITTING, m.SubmissionFailedTransient("503", 2.0), S.PLANNED, (m.RetryLater,)),
        (S.SUBMITTING, m.SubmissionFailedPermanent("403"), S.FAILED, (m.PublishStatus,)),
        (S.SUBMITTING, m.SubmissionUncertain("reset"), S.UNCERTAIN, (m.Reconcile,)),
        (
            S.UNCERTAIN,
            m.ReconciliationFound(656310000072),
            S.SUBMITTED,
            (m.PublishStatus, m.PollAnswer),
        ),
        (S.UNCERTAIN, m.ReconciliationNotFound(), S.PLANNED, (m.RetryLater,)),
        (S.SUBMITTED, m.AnswerPending(), S.SUBMITTED, (m.PollAnswer,)),
        (
            S.SUBMITTED,
            m.AnswerReceived(answer(DimonaResult.ACCEPTED)),
            S.ACCEPTED,
            (m.PublishStatus,),
        ),
        (
            S.SUBMITTED,
            m.AnswerReceived(answer(DimonaResult.ACCEPTED_WITH_WARNING, "90017-510")),
            S.ACCEPTED_WITH_WARNINGS,
            (m.PublishStatus,),
        ),
        (
            S.SUBMITTED,
            m.AnswerReceived(answer(DimonaResult.REFUSED, "90374-349")),
            S.REFUSED,
            (m.PublishStatus,),
        ),
        (
            S.SUBMITTED,
            m.AnswerReceived(answer(DimonaResult.WAITING_IDENTIFICATION)),
            S.WAITING_IDENTIFICATION,
            (m.PublishStatus, m.PollAnswer),
        ),
        (
            S.WAITING_IDENTIFICATION,
            m.AnswerReceived(answer(DimonaResult.WAITING_IDENTIFICATION)),
            S.WAITING_IDENTIFICATION,
            (m.PollAnswer,),
        ),
        (
            S.WAITING_IDENTIFICATION,
            m.AnswerReceived(answer(DimonaResult.ACCEPTED)),
            S.ACCEPTED,
            (m.PublishStatus,),
        ),
        (S.PLANNED, m.Abandoned("IN refused"), S.FAILED, (m.PublishStatus,)),
        (S.SUBMITTED, m.Abandoned("gave up"), S.FAILED, (m.PublishStatus,)),
    ],
)
def test_transitions(
    state: m.DeclarationState,
    event: m.Event,
    next_state: m.DeclarationState,
    effects: tuple[type, ...],
) -> None:
    decision = m.transition(progress(state), event, NOW)
    assert decision.progress.state is next_state
    assert tuple(type(e) for e in decision.effects) == effects


def test_submit_counts_attempts_and_acceptance_records_id_and_time() -> None:
    submitting = m.transition(progress(S.PLANNED, attempts=0), m.SubmitDue(), NOW).progress
    assert submitting.attempts == 1
    submitted = m.transition(submitting, m.SubmissionAccepted(656310000173), NOW).progress
    assert (submitted.declaration_id, submitted.submitted_at) == (656310000173, NOW)


def test_status_published_with_previous_state() -> None:
    decision = m.transition(
        progress(S.SUBMITTED), m.AnswerReceived(answer(DimonaResult.REFUSED)), NOW
    )
    assert m.PublishStatus(S.SUBMITTED, S.REFUSED) in decision.effects
    assert decision.progress.answer is not None


def test_bookkeeping_states_publish_nothing() -> None:
    for state, event in ((S.PLANNED, m.SubmitDue()), (S.SUBMITTING, m.SubmissionUncertain("x"))):
        decision = m.transition(progress(state), event, NOW)
        assert not any(isinstance(e, m.PublishStatus) for e in decision.effects)


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (S.PLANNED, m.AnswerPending()),
        (S.SUBMITTED, m.SubmitDue()),
        (S.UNCERTAIN, m.SubmissionAccepted(1)),
        (S.SUBMITTING, m.ReconciliationNotFound()),
    ],
)
def test_impossible_events_are_refused(state: m.DeclarationState, event: m.Event) -> None:
    with pytest.raises(m.IllegalTransition):
        m.transition(progress(state), event, NOW)


def test_recover_turns_an_interrupted_post_into_uncertain() -> None:
    assert m.recover(progress(S.SUBMITTING)).state is S.UNCERTAIN
    assert m.recover(progress(S.SUBMITTED)).state is S.SUBMITTED


EVENTS = st.sampled_from(
    [
        m.SubmitDue(),
        m.SubmissionAccepted(656310000072),
        m.SubmissionFailedTransient("x"),
        m.SubmissionFailedPermanent("x"),
        m.SubmissionUncertain("x"),
        m.ReconciliationFound(656310000072),
        m.ReconciliationNotFound(),
        m.AnswerPending(),
        *(m.AnswerReceived(answer(r)) for r in DimonaResult),
        m.Abandoned("x"),
    ]
)


@given(st.lists(EVENTS, max_size=30))
def test_no_event_sequence_leaves_a_final_state_or_skips_the_intent(events: list[m.Event]) -> None:
    current = progress(S.PLANNED, attempts=0)
    for event in events:
        was = current.state
        try:
            decision = m.transition(current, event, NOW)
        except m.IllegalTransition:
            continue
        assert not was.is_final  # a final state accepts nothing
        current = decision.progress
        if any(isinstance(e, m.Submit) for e in decision.effects):
            # a POST is only ever asked for from the recorded intent state
            assert current.state is S.SUBMITTING
        if current.state in (S.SUBMITTED, S.WAITING_IDENTIFICATION):
            assert current.declaration_id is not None

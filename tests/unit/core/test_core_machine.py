"""The machine owns the rules of time and failure (issue 12): backoff of failed polls and
searches, Retry-After caps, the not-before time, the reconciliation window, giving up, and one
action per decision."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapter.core import machine as m
from adapter.core.polling import PollSchedule
from adapter.core.results import DeclarationAnswer, DimonaResult

S = m.DeclarationState
T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
ID = 656_310_000_072


def at(seconds: float, **kw: object) -> m.Situation:
    return m.Situation(now=T0 + timedelta(seconds=seconds), **kw)  # type: ignore[arg-type]


def submitted(**kw: object) -> m.DeclarationProgress:
    base = m.DeclarationProgress(S.SUBMITTED, attempts=1, declaration_id=ID, submitted_at=T0)
    return replace(base, **kw)  # type: ignore[arg-type]


def answer(result: DimonaResult) -> DeclarationAnswer:
    return DeclarationAnswer(declaration_id=ID, result=result, period_id=5_000_000_001)


def test_a_submission_runs_plan_intent_post_poll_answer() -> None:
    planned = m.DeclarationProgress(S.PLANNED)
    first = m.resume(planned, at(0))
    assert first.action == m.WaitToSubmit(T0)
    intent = m.transition(first.progress, m.SubmitDue(), at(0))
    assert (intent.progress.state, intent.action, intent.change) == (S.SUBMITTING, m.Post(), None)
    sent = m.transition(intent.progress, m.SubmissionAccepted(ID), at(1))
    assert sent.change == m.StatusChange(S.SUBMITTING, S.SUBMITTED)
    assert sent.action == m.Poll(T0 + timedelta(seconds=3))  # first_wait 2 s after submission
    assert sent.progress.due_at == T0 + timedelta(seconds=3)
    done = m.transition(sent.progress, m.AnswerReceived(answer(DimonaResult.ACCEPTED)), at(3))
    assert (done.progress.state, done.action, done.progress.due_at) == (S.ACCEPTED, m.Done(), None)


def test_failed_polls_back_off_exponentially_with_jitter_to_the_cap() -> None:
    progress, waits = submitted(), []
    now = 10.0
    for _ in range(12):
        decision = m.transition(progress, m.PollFailed("HTTP 500"), at(now, jitter=1.0))
        assert isinstance(decision.action, m.Poll)
        wait = (decision.action.at - (T0 + timedelta(seconds=now))).total_seconds()
        waits.append(wait)
        progress, now = decision.progress, now + wait
    assert waits[:5] == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert max(waits) == 300.0  # the cap
    assert progress.retries == 12
    recovered = m.transition(progress, m.AnswerPending(), at(now))
    assert recovered.progress.retries == 0  # a GET that worked resets the backoff


def test_jitter_spreads_retries_between_half_and_the_full_wait() -> None:
    low = m.transition(submitted(retries=3), m.PollFailed("x"), at(10, jitter=0.5))
    high = m.transition(submitted(retries=3), m.PollFailed("x"), at(10, jitter=1.0))
    assert low.action == m.Poll(T0 + timedelta(seconds=12))
    assert high.action == m.Poll(T0 + timedelta(seconds=14))


def test_retry_after_is_honoured_up_to_its_cap() -> None:
    timing = m.Timing(retry_after_cap_s=120.0)
    soon = m.transition(submitted(), m.PollFailed("429", 30.0), at(5, timing=timing))
    late = m.transition(submitted(), m.PollFailed("503", 86_400.0), at(5, timing=timing))
    assert soon.action == m.Poll(T0 + timedelta(seconds=35))
    assert late.action == m.Poll(T0 + timedelta(seconds=125))


def test_polling_gives_up_when_the_schedule_says_so() -> None:
    timing = m.Timing(polls=PollSchedule(give_up_after=60.0))
    for event in (m.PollFailed("500"), m.AnswerPending()):
        decision = m.transition(submitted(), event, at(61, timing=timing))
        assert decision.progress.state is S.FAILED
        assert decision.action == m.Done()
        assert "no final answer" in (decision.progress.failure or "")
    assert m.resume(submitted(), at(61, timing=timing)).progress.state is S.FAILED


def test_an_in_is_never_submitted_before_its_not_before_time() -> None:
    opens = T0 + timedelta(days=2)
    planned = m.DeclarationProgress(S.PLANNED)
    assert m.resume(planned, at(0, not_before=opens)).action == m.WaitToSubmit(opens)
    early = m.transition(planned, m.SubmitDue(), at(0, not_before=opens))
    assert (early.progress.state, early.action) == (S.PLANNED, m.WaitToSubmit(opens))
    intent = m.transition(planned, m.SubmitDue(), at(2 * 86_400, not_before=opens))
    assert intent.action == m.Post()
    retry = m.transition(
        m.DeclarationProgress(S.SUBMITTING, attempts=1),
        m.SubmissionFailedTransient("503", 1.0),
        at(0, not_before=opens),
    )
    assert retry.action == m.WaitToSubmit(opens)


def test_a_transient_submission_failure_backs_off_by_attempts() -> None:
    progress = m.DeclarationProgress(S.SUBMITTING, attempts=3)
    decision = m.transition(progress, m.SubmissionFailedTransient("reset before send"), at(0))
    assert decision.progress.state is S.PLANNED
    assert decision.action == m.WaitToSubmit(T0 + timedelta(seconds=2.0))


def test_an_uncertain_submission_is_searched_for_through_its_window() -> None:
    window = m.Timing(reconcile_window_s=60.0, reconcile_interval_s=5.0)
    intent = m.DeclarationProgress(S.SUBMITTING, attempts=1)
    lost = m.transition(intent, m.SubmissionUncertain("reset after send"), at(0, timing=window))
    assert lost.action == m.Search(T0)
    assert lost.progress.reconcile_until == T0 + timedelta(seconds=60)
    again = m.transition(lost.progress, m.ReconciliationNotFound(), at(10, timing=window))
    assert (again.progress.state, again.action) == (S.UNCERTAIN, m.Search(at(15).now))
    # A failing search never allows a new POST, whatever the time.
    failing = m.transition(again.progress, m.SearchFailed("503", 2.0), at(500, timing=window))
    assert (failing.progress.state, failing.action) == (S.UNCERTAIN, m.Search(at(502).now))
    assert failing.progress.retries == 1
    closed = m.transition(failing.progress, m.ReconciliationNotFound(), at(600, timing=window))
    assert (closed.progress.state, closed.action) == (S.PLANNED, m.WaitToSubmit(at(600).now))
    found = m.transition(lost.progress, m.ReconciliationFound(ID), at(20, timing=window))
    assert (found.progress.state, found.progress.declaration_id) == (S.SUBMITTED, ID)
    assert found.change == m.StatusChange(S.UNCERTAIN, S.SUBMITTED)


def test_resume_reconciles_an_interrupted_post_and_keeps_the_schedule() -> None:
    interrupted = m.resume(m.DeclarationProgress(S.SUBMITTING, attempts=1), at(0))
    assert (interrupted.progress.state, interrupted.action) == (S.UNCERTAIN, m.Search(T0))
    due = T0 + timedelta(seconds=40)
    assert m.resume(submitted(due_at=due), at(1)).action == m.Poll(due)
    accepted = submitted(state=S.ACCEPTED)
    assert m.resume(accepted, at(1)) == m.Decision(accepted, None, m.Done())


def test_s_is_polled_on_its_own_schedule() -> None:
    waiting = m.transition(
        submitted(), m.AnswerReceived(answer(DimonaResult.WAITING_IDENTIFICATION)), at(5)
    )
    assert waiting.change == m.StatusChange(S.SUBMITTED, S.WAITING_IDENTIFICATION)
    assert waiting.action == m.Poll(at(5 + 3600).now)


def test_nothing_follows_a_final_state() -> None:
    with pytest.raises(m.IllegalTransition):
        m.transition(submitted(state=S.REFUSED), m.AnswerPending(), at(0))
    with pytest.raises(m.IllegalTransition):
        m.transition(m.DeclarationProgress(S.PLANNED), m.AnswerPending(), at(0))


EVENTS = st.sampled_from(
    [
        m.SubmitDue(),
        m.SubmissionAccepted(ID),
        m.SubmissionFailedTransient("503"),
        m.SubmissionUncertain("reset"),
        m.ReconciliationFound(ID),
        m.ReconciliationNotFound(),
        m.SearchFailed("500"),
        m.AnswerPending(),
        m.PollFailed("500", 3.0),
        m.AnswerReceived(answer(DimonaResult.WAITING_IDENTIFICATION)),
        m.AnswerReceived(answer(DimonaResult.ACCEPTED)),
    ]
)


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.tuples(EVENTS, st.floats(0, 500)), max_size=40))
def test_no_blind_repost_and_every_wait_is_in_the_future(
    steps: list[tuple[m.Event, float]],
) -> None:
    """Whatever happens, a declaration of unknown outcome is posted again only after a search
    that worked found nothing once its window closed; every wait lies ahead."""
    progress = m.DeclarationProgress(S.PLANNED)
    now = 0.0
    uncertain_cleared = True
    for event, step in steps:
        now += step
        situation = at(now)
        try:
            decision = m.transition(progress, event, situation)
        except m.IllegalTransition:
            continue
        if decision.progress.state is S.UNCERTAIN:
            uncertain_cleared = False
        if progress.state is S.UNCERTAIN and decision.progress.state is S.PLANNED:
            assert isinstance(event, m.ReconciliationNotFound)
            assert progress.reconcile_until is not None
            assert situation.now >= progress.reconcile_until
            uncertain_cleared = True
        if isinstance(decision.action, m.Post):
            assert uncertain_cleared
        due = getattr(decision.action, "at", None)
        assert due is None or due >= situation.now
        assert decision.progress.due_at == due
        progress = decision.progress
        if progress.state.is_final:
            break

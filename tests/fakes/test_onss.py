"""What ``InMemoryOnss`` does beyond the gateway contract: answers after N polls, the
ONSS-like results of follow-ups, ``decide`` and scripted faults."""

from __future__ import annotations

import pytest

from adapter.core.errors import TransientError, UncertainOutcome
from adapter.core.results import DimonaResult
from tests import declarations as d
from tests.fakes.onss import InMemoryOnss, Verdict


async def test_answers_after_the_given_number_of_polls() -> None:
    onss = InMemoryOnss(polls_before_answer=2)
    declaration_id = await onss.submit(d.ordinary_in())
    assert await onss.get_answer(declaration_id) is None
    assert await onss.get_answer(declaration_id) is None
    answer = await onss.get_answer(declaration_id)
    assert answer is not None
    assert answer.result is DimonaResult.ACCEPTED
    assert onss.request_count == 4


async def test_follow_ups_target_known_periods_and_a_cancel_closes_one() -> None:
    onss = InMemoryOnss()
    in_id = await onss.submit(d.ordinary_in())
    answer = await onss.get_answer(in_id)
    assert answer is not None
    assert answer.period_id is not None
    cancel_id = await onss.submit(d.cancel(answer.period_id))
    stray_id = await onss.submit(d.out(123_456_789_012))
    late_id = await onss.submit(d.out(answer.period_id))
    onss.process()
    cancelled, stray, late = [onss.received[i].answer for i in (cancel_id, stray_id, late_id)]
    assert cancelled is not None
    assert cancelled.result is DimonaResult.ACCEPTED
    assert stray is not None
    assert stray.has_anomaly("00913-354")
    assert late is not None
    assert late.result is DimonaResult.REFUSED
    assert late.has_anomaly("00913-355")
    assert onss.declarations()[0] == d.ordinary_in()


async def test_decide_gives_any_result() -> None:
    refused = Verdict(DimonaResult.REFUSED, ("90373-333",))
    onss = InMemoryOnss(decide=lambda declaration: refused if declaration.kind == "IN" else None)
    answer = await onss.get_answer(await onss.submit(d.ordinary_in()))
    assert answer is not None
    assert answer.result is DimonaResult.REFUSED
    assert answer.period_id is None  # a refused IN creates no period
    assert answer.has_anomaly("90373-333")


async def test_a_lost_answer_leaves_the_declaration_recorded() -> None:
    onss = InMemoryOnss(polls_before_answer=None)
    declaration = d.ordinary_in()
    onss.fail_next("submit", UncertainOutcome("submit: read timeout"), recorded=True)
    with pytest.raises(UncertainOutcome):
        await onss.submit(declaration)
    assert await onss.find_recorded(declaration, exclude=frozenset()) is None  # not processed
    onss.process()
    [recorded] = onss.received
    assert await onss.find_recorded(declaration, exclude=frozenset()) == recorded


async def test_scripted_faults_come_once_each_in_order() -> None:
    onss = InMemoryOnss()
    onss.fail_next("submit", TransientError("HTTP 503", retry_after=3.0))
    onss.fail_next("get_answer", TransientError("HTTP 500"))
    with pytest.raises(TransientError) as refused:
        await onss.submit(d.ordinary_in())
    assert refused.value.retry_after == 3.0
    assert not onss.received  # a transient refusal records nothing
    declaration_id = await onss.submit(d.ordinary_in())
    with pytest.raises(TransientError):
        await onss.get_answer(declaration_id)
    assert await onss.get_answer(declaration_id) is not None

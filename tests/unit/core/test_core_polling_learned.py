"""The first GET timed from the answer times ONSS gave lately (polling.AnswerTimes, D-32)."""

from __future__ import annotations

import pytest

from adapter.core.polling import AnswerTimes, PollSchedule, PollTier

SCHEDULE = PollSchedule(first_wait=0.05, tiers=(PollTier(until=60, interval=0.2),))


def test_nothing_learned_keeps_the_configured_first_wait() -> None:
    assert AnswerTimes().first_wait() is None
    assert SCHEDULE.delay_after(0, waiting_identification=False, learned_first_wait=None) == 0.05


def test_a_slow_onss_moves_the_first_get_to_just_before_its_answer_time() -> None:
    times = AnswerTimes()
    for _ in range(20):
        times.observe(2.25)
    learned = times.first_wait()
    assert learned == pytest.approx(0.9 * 2.25)
    delay = SCHEDULE.delay_after(0, waiting_identification=False, learned_first_wait=learned)
    assert delay == pytest.approx(0.9 * 2.25)


def test_the_learned_wait_is_bounded_by_the_schedule() -> None:
    assert SCHEDULE.delay_after(0, waiting_identification=False, learned_first_wait=0.01) == 0.05
    assert SCHEDULE.delay_after(0, waiting_identification=False, learned_first_wait=99) == 10.0
    off = SCHEDULE.model_copy(update={"learn_first_wait": False})
    assert off.delay_after(0, waiting_identification=False, learned_first_wait=2.0) == 0.05


def test_later_gets_and_identification_polls_keep_their_tiers() -> None:
    assert SCHEDULE.delay_after(3.0, waiting_identification=False, learned_first_wait=2.0) == 0.2
    waiting = SCHEDULE.delay_after(0, waiting_identification=True, learned_first_wait=2.0)
    assert waiting == SCHEDULE.identification_tiers[0].interval


def test_the_estimate_follows_onss_down_when_it_speeds_up() -> None:
    times = AnswerTimes(window=10)
    for _ in range(10):
        times.observe(2.0)
    # ONSS now answers at once: every first GET finds the answer, at the learned wait.
    for _ in range(200):
        learned = times.first_wait() or 0.0
        times.observe(
            SCHEDULE.delay_after(0, waiting_identification=False, learned_first_wait=learned)
        )
    assert times.first_wait() == pytest.approx(0.9 * 0.05, abs=0.01)


def test_a_first_wait_within_a_millisecond_of_its_end_counts_as_over() -> None:
    # Whole-microsecond time stamps: a remainder of a few microseconds meant a second GET at
    # the same instant (an endless loop on a clock that moves only when slept on).
    delay = SCHEDULE.delay_after(1.9999996, waiting_identification=False, learned_first_wait=2.0)
    assert delay == 0.2

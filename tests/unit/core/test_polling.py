from __future__ import annotations

import pytest
from pydantic import ValidationError

from adapter.core.polling import DEFAULT_POLL_SCHEDULE, HOUR, MINUTE, PollSchedule, PollTier

S = DEFAULT_POLL_SCHEDULE


@pytest.mark.parametrize(
    ("elapsed", "delay"),
    [
        (0.0, 2.0),  # never before 2 s after the POST
        (0.5, 1.5),
        (-3.0, 2.0),  # a clock that went backwards is treated as "just posted"
        (2.0, 1.0),
        (29.9, 1.0),  # every second up to 30 s
        (30.0, MINUTE),
        (1199.0, MINUTE),  # every minute up to 20 min
        (1200.0, HOUR),  # then hourly
        (10 * 24 * HOUR, HOUR),
    ],
)
def test_default_schedule_follows_the_reference_tiers(elapsed: float, delay: float) -> None:
    assert S.delay_after(elapsed, waiting_identification=False) == pytest.approx(delay)


def test_waiting_for_identification_polls_slower() -> None:
    assert S.delay_after(0, waiting_identification=True) == HOUR
    assert S.delay_after(23 * HOUR, waiting_identification=True) == HOUR
    assert S.delay_after(25 * HOUR, waiting_identification=True) == 6 * HOUR
    for elapsed in (0, 10, 100, 5000, 90000):
        assert S.delay_after(elapsed, waiting_identification=True) >= S.delay_after(
            elapsed, waiting_identification=False
        )


def test_simulated_polls_of_the_first_hour() -> None:
    elapsed, gets = 0.0, []
    while elapsed < HOUR:
        elapsed += S.delay_after(elapsed, waiting_identification=False)
        gets.append(elapsed)
    assert gets[0] == 2.0
    assert sum(1 for t in gets if t <= 30) == 29  # 2, 3, ..., 30
    assert sum(1 for t in gets if 30 < t <= 1200) == 19
    assert len(gets) == 29 + 19 + 2


def test_alert_and_give_up_thresholds() -> None:
    assert not S.should_alert(5 * HOUR, waiting_identification=False)
    assert S.should_alert(6 * HOUR, waiting_identification=False)
    assert not S.should_alert(6 * HOUR, waiting_identification=True)
    assert S.should_give_up(7 * 24 * HOUR, waiting_identification=False)
    assert not S.should_give_up(7 * 24 * HOUR, waiting_identification=True)
    never = PollSchedule(give_up_after=None)
    assert not never.should_give_up(10**9, waiting_identification=False)


def test_schedule_is_configurable_and_validated() -> None:
    fast = PollSchedule(
        first_wait=0.1, tiers=(PollTier(until=1, interval=0.1),), final_interval=0.5
    )
    assert fast.delay_after(0, waiting_identification=False) == pytest.approx(0.1)
    assert fast.delay_after(0.5, waiting_identification=False) == pytest.approx(0.1)
    assert fast.delay_after(2, waiting_identification=False) == 0.5
    with pytest.raises(ValidationError, match="increasing"):
        PollSchedule(tiers=(PollTier(until=60, interval=1), PollTier(until=30, interval=1)))
    with pytest.raises(ValidationError):
        PollTier(until=10, interval=0)
    with pytest.raises(ValidationError):
        S.first_wait = 5  # type: ignore[misc]

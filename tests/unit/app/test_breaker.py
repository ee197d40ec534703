import pytest

from adapter.app.breaker import DeadLetterBreaker, DeadLetterRateExceeded


def test_breaker_waits_for_a_full_window() -> None:
    breaker = DeadLetterBreaker(ratio_limit=0.5, window=10)
    breaker.record(dead_lettered=9, accepted=0)  # 9 of 9, but the window is not full yet
    assert breaker.ratio == 1.0


def test_breaker_trips_above_the_limit_and_not_at_it() -> None:
    breaker = DeadLetterBreaker(ratio_limit=0.5, window=10)
    breaker.record(dead_lettered=0, accepted=5)
    breaker.record(dead_lettered=5, accepted=0)
    assert breaker.ratio == 0.5
    with pytest.raises(DeadLetterRateExceeded, match="60% of the last 10"):
        breaker.record(dead_lettered=1, accepted=0)


def test_breaker_forgets_old_records() -> None:
    breaker = DeadLetterBreaker(ratio_limit=0.5, window=10)
    breaker.record(dead_lettered=5, accepted=5)
    breaker.record(dead_lettered=0, accepted=10)
    assert breaker.ratio == 0.0

"""The benchmark's workload: deterministic, valid, non-overlapping hires and leaves."""

from __future__ import annotations

from collections import Counter
from datetime import date

from adapter.bench.workload import Workload, generate, worker_ssin
from adapter.core.events import EmploymentEvent
from adapter.core.identifiers import is_valid_ssin
from adapter.core.rules import validate_event

TODAY = date(2026, 11, 28)


def test_counts_and_rounds() -> None:
    events = generate(Workload(events=20, employments=5), today=TODAY)
    assert len(events) == 20
    per_employment = Counter(e["employmentId"] for e in events)
    assert set(per_employment.values()) == {4}
    assert [e["eventType"] for e in events[:5]] == ["HIRE"] * 5
    assert [e["eventType"] for e in events[5:10]] == ["LEAVE"] * 5
    first = [e["eventType"] for e in events if e["employmentId"] == "EMP-B000000"]
    assert first == ["HIRE", "LEAVE", "HIRE", "LEAVE"]


def test_uneven_split_stops_at_the_event_count() -> None:
    assert len(generate(Workload(events=7, employments=3), today=TODAY)) == 7


def test_deterministic_ids() -> None:
    one = generate(Workload(events=8, employments=2, seed=3), today=TODAY)
    two = generate(Workload(events=8, employments=2, seed=3), today=TODAY)
    assert [e["eventId"] for e in one] == [e["eventId"] for e in two]
    assert len({e["eventId"] for e in one}) == 8


def test_events_pass_the_rules_and_periods_do_not_overlap() -> None:
    events = generate(Workload(events=8, employments=2), today=TODAY)
    for raw in events:
        assert validate_event(EmploymentEvent.model_validate(raw), today=TODAY) == ()
    one = [e for e in events if e["employmentId"] == "EMP-B000000"]
    first_leave = date.fromisoformat(one[1]["leave"]["lastDay"])
    rehire = date.fromisoformat(one[2]["contract"]["startDate"])
    assert rehire > first_leave


def test_workers_are_distinct_and_valid() -> None:
    ssins = [worker_ssin(i) for i in range(2_000)]
    assert len(set(ssins)) == 2_000
    assert all(is_valid_ssin(s) for s in ssins[:50])

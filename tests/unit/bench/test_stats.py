"""Pure parts of the benchmark: percentiles, time buckets, completion tracking, metrics."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapter.bench import onss, stats
from adapter.bench.profile import summarise
from adapter.bench.tracker import CompletionTracker


def test_percentile_interpolates_like_numpy() -> None:
    values = [1.0, 2.0, 3.0, 4.0]
    assert stats.percentile(values, 0) == 1.0
    assert stats.percentile(values, 50) == 2.5
    assert stats.percentile(values, 100) == 4.0
    assert stats.percentile([7.0], 99) == 7.0
    assert stats.percentile([], 50) is None


def test_percentile_ignores_input_order() -> None:
    assert stats.percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5


def test_percentile_refuses_a_bad_rank() -> None:
    with pytest.raises(ValueError, match="outside"):
        stats.percentile([1.0], 101)


def test_summary_and_rate() -> None:
    summary = stats.summary([float(i) for i in range(1, 101)])
    assert summary["p50"] == pytest.approx(50.5)
    assert summary["p99"] == pytest.approx(99.01)
    assert summary["max"] == 100.0
    assert stats.rate(10, 2.0) == 5.0
    assert stats.rate(10, 0.0) == 0.0


def test_per_second_buckets() -> None:
    assert stats.per_second([10.1, 10.9, 11.5, 13.0], start=10.0, end=14.0) == [2, 1, 0, 1]
    assert stats.per_second([], start=0.0) == [0]


def _status(event: str, status: str, ref: str | None = None) -> dict[str, object]:
    return {"sourceEventIds": [event], "status": status, "declarationRef": ref}


def test_tracker_counts_an_event_once_every_declaration_is_final() -> None:
    tracker = CompletionTracker({"e1", "e2"})
    tracker.add(_status("e1", "RECEIVED"), 1.0)
    tracker.add(_status("e1", "SUBMITTED", "e1/0"), 2.0)
    assert tracker.completed == 0
    tracker.add(_status("e1", "ACCEPTED", "e1/0"), 3.0)
    assert tracker.completed == 1
    tracker.add(_status("e1", "SUBMITTED", "e1/1"), 4.0)  # a second declaration appears
    assert tracker.completed == 0
    tracker.add(_status("e1", "REFUSED", "e1/1"), 5.0)
    tracker.add(_status("e2", "REJECTED"), 6.0)
    tracker.add(_status("other", "ACCEPTED", "other/0"), 6.5)  # not ours: ignored for events
    assert tracker.done
    assert tracker.finished() == {"e1": 5.0, "e2": 6.0}
    assert tracker.results == {"ACCEPTED": 2, "REFUSED": 1, "event:REJECTED": 1}


def test_onss_request_counts() -> None:
    text = (
        "# HELP sandbox_http_requests_total ...\n"
        'sandbox_http_requests_total{endpoint="submit",method="POST",status="201"} 10.0\n'
        'sandbox_http_requests_total{endpoint="get",method="GET",status="200"} 12.0\n'
        'sandbox_http_requests_total{endpoint="token",method="POST",status="200"} 1.0\n'
        'sandbox_http_requests_total{endpoint="metrics",method="GET",status="200"} 2.0\n'
        'sandbox_http_requests_created{endpoint="get",method="GET",status="200"} 1.7e9\n'
    )
    after = onss.parse_requests(text)
    assert after == {"submit 201": 10.0, "get 200": 12.0, "token 200": 1.0, "metrics 200": 2.0}
    delta = onss.difference(after, {"submit 201": 4.0, "token 200": 1.0})
    assert delta == {"get 200": 12.0, "metrics 200": 2.0, "submit 201": 6.0}
    assert onss.api_requests(after) == 22.0


def test_profile_summary(tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(
        "main (a/app.py:1);work (a/store.py:9) 3\nmain (a/app.py:1);send (a/http.py:4) 1\n"
    )
    summary = summarise(raw)
    assert summary["self"][0] == ("work (store.py)", 75.0)
    assert ("main (app.py)", 100.0) in summary["inclusive"]


def test_moving_average_is_trailing_and_keeps_the_length() -> None:
    assert stats.moving_average([2.0, 4.0, 6.0, 8.0], 2) == [2.0, 3.0, 5.0, 7.0]
    assert stats.moving_average([5.0, 0.0, 0.0, 0.0, 0.0, 0.0], 5) == [
        5.0,
        2.5,
        5 / 3,
        1.25,
        1.0,
        0.0,
    ]
    assert stats.moving_average([], 5) == []
    with pytest.raises(ValueError, match="window"):
        stats.moving_average([1.0], 0)


def test_cumulative_count() -> None:
    assert stats.cumulative([1.0, 0.0, 3.0]) == [1.0, 1.0, 4.0]


def test_steady_window_between_percentiles() -> None:
    times = [float(i) for i in range(101)]
    assert stats.steady_window(times, 10, 90) == (10.0, 90.0)
    assert stats.steady_window([3.0, 3.0], 10, 90) is None
    assert stats.steady_window([], 10, 90) is None


def test_empty_buckets_count_the_silent_seconds_of_the_steady_part() -> None:
    # finals every 0.25 s from 0 to 100 s, except none between 40 and 43 s
    times = [i / 4 for i in range(401) if not 160 <= i < 172]
    gaps = stats.empty_buckets(times, 10, 90)
    assert gaps is not None
    low, high = stats.steady_window(times, 10, 90) or (0.0, 0.0)
    assert gaps["buckets"] == int(high - low)
    assert gaps["empty"] == 2  # 3 silent seconds, not aligned: two whole buckets see nothing
    assert gaps["fewest_in_a_bucket"] == 0
    steady = stats.empty_buckets([i / 4 for i in range(401)], 10, 90)
    assert steady is not None
    assert steady["empty"] == 0
    assert steady["fewest_in_a_bucket"] == 4


def test_empty_buckets_ignore_the_start_and_the_tail() -> None:
    # a long silence before the flow starts and after it ends is outside the 10-90 window
    times = [0.0] + [50 + i / 10 for i in range(500)] + [200.0]
    gaps = stats.empty_buckets(times, 10, 90)
    assert gaps is not None
    assert gaps["empty"] == 0
    assert stats.empty_buckets([], 10, 90) is None

"""The completion tracker's timeliness: record timestamp - occurredAt of each status event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapter.bench import stats
from adapter.bench.tracker import CompletionTracker, occurred_at

AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC).timestamp()


def _status(status: str, occurred: float, ref: str | None = "e1/0") -> dict[str, object]:
    return {
        "sourceEventIds": ["e1"],
        "status": status,
        "declarationRef": ref,
        "occurredAt": datetime.fromtimestamp(occurred, UTC),
    }


def test_occurred_at_from_fastavro_datetime_or_epoch_millis() -> None:
    assert occurred_at({"occurredAt": datetime.fromtimestamp(AT, UTC)}) == AT
    assert occurred_at({"occurredAt": int(AT * 1000)}) == AT
    assert occurred_at({}) is None


def test_publish_delays_of_every_status_and_of_the_finals() -> None:
    tracker = CompletionTracker({"e1"})
    tracker.add(_status("RECEIVED", AT, ref=None), AT + 0.1)
    tracker.add(_status("SUBMITTED", AT + 1), AT + 1.5)
    tracker.add(_status("ACCEPTED", AT + 2), AT + 4.0)
    assert tracker.publish_delays == pytest.approx([0.1, 0.5, 2.0])
    assert tracker.final_publish_delays == pytest.approx([2.0])
    assert tracker.done
    assert tracker.declaration_finals == {"e1/0": AT + 4.0}


def test_timeliness_percentiles() -> None:
    tracker = CompletionTracker({"e1"})
    for i in range(100):  # delays of 0.01 .. 1.00 s
        tracker.add(_status("SUBMITTED", AT + i, ref=f"e1/{i}"), AT + i + (i + 1) / 100)
    summary = stats.summary(tracker.publish_delays)
    assert summary["p50"] == pytest.approx(0.505)
    assert summary["p99"] == pytest.approx(0.9901)
    assert summary["max"] == pytest.approx(1.0)
    assert tracker.final_publish_delays == []


def test_a_status_without_occurred_at_is_counted_but_not_timed() -> None:
    tracker = CompletionTracker({"e1"})
    tracker.add({"sourceEventIds": ["e1"], "status": "REJECTED", "declarationRef": None}, AT)
    assert tracker.done
    assert tracker.publish_delays == []

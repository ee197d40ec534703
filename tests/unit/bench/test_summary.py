"""One run's figures: CPU of every party per 1,000 declarations, the busiest process, the
adapter-only capacity, per-process shares, the verdicts."""

from __future__ import annotations

from typing import Any

import pytest

from adapter.bench import summary
from adapter.bench.report import verdicts
from adapter.bench.run import RunResult
from adapter.bench.summary import Produced, Snapshot
from adapter.bench.tracker import CompletionTracker

BEFORE = Snapshot(
    {"adapter-1": 10.0, "adapter-2": 20.0, "sandbox": 5.0, "broker": 1.0, "bench": 2.0,
     "postgres": 100.0, "postgres-backends": 0.0, "machine": 1000.0},
    {"adapter-1": 90.0, "adapter-2": 95.0},
)  # fmt: skip
AFTER = Snapshot(
    {"adapter-1": 14.0, "adapter-2": 26.0, "sandbox": 8.0, "broker": 1.5, "bench": 2.5,
     "postgres": 104.0, "postgres-backends": 3.0, "machine": 1036.0},
    {"adapter-1": 120.0, "adapter-2": 150.0},
)  # fmt: skip


def test_cpu_of_every_party_per_1000_declarations_and_in_cores() -> None:
    cpu = summary.cpu_figures(BEFORE, AFTER, ["adapter-1", "adapter-2"], 2000, 20.0)
    assert cpu["cpu_s"]["adapter"] == 10.0
    per_k = cpu["cpu_s_per_1000_declarations"]
    assert per_k == {"adapter": 5.0, "sandbox": 1.5, "broker": 0.25, "bench": 0.25,
                     "postgres": 2.0}  # fmt: skip
    assert cpu["postgres_backends_cpu_s_per_1000_declarations"] == 1.5
    assert cpu["cpu_cores"]["adapter-2"] == 0.3
    assert cpu["cpu_cores"]["adapter"] == 0.5
    # the busiest single process, not the sum of the adapters
    assert cpu["busiest_process"] == {"name": "adapter-2", "cores": 0.3}
    assert cpu["machine_busy_cores"] == 1.8
    assert cpu["machine_busy_cores_others"] == pytest.approx(0.9)  # 36 s - the 18 s of ours
    # 5 ms per declaration: one core does 200 per second
    assert cpu["adapter_capacity_declarations_per_s"] == 200.0


def test_no_declarations_no_cost() -> None:
    cpu = summary.cpu_figures(BEFORE, AFTER, ["adapter-1"], 0, 20.0)
    assert cpu["cpu_s_per_1000_declarations"]["adapter"] is None
    assert cpu["adapter_capacity_declarations_per_s"] is None


def test_steady_rate_over_the_middle_half() -> None:
    times = [float(i) for i in range(101)]  # one per second
    assert summary.steady_rate(times) == pytest.approx(51 / 50, abs=0.05)
    assert summary.steady_rate([1.0]) is None


def _tracked(finals: int, *, every: float = 0.1, start: float = 100.0) -> CompletionTracker:
    tracker = CompletionTracker({f"e{i}" for i in range(finals)})
    for i in range(finals):
        at = start + (i + 1) * every
        status = {"sourceEventIds": [f"e{i}"], "status": "ACCEPTED", "declarationRef": f"e{i}/0"}
        tracker.add({**status, "occurredAt": int((at - 0.2) * 1000)}, at)
    return tracker


def _summarise(per_process: dict[str, float | None]) -> dict[str, Any]:
    tracker = _tracked(200)
    sent = {f"e{i}": 100.0 + i * 0.05 for i in range(200)}
    return summary.summarise(
        tracker=tracker, produced=Produced(sent, 20.0, 0.01), started=100.0, ended=130.0,
        time_boxed=False, before=BEFORE, after=AFTER, per_process=per_process,
    )  # fmt: skip


def test_summary_of_a_two_process_run() -> None:
    s = _summarise({"adapter-1": 80.0, "adapter-2": 120.0})
    assert s["declarations_finished"] == 200
    assert s["window_s"] == pytest.approx(20.0)
    assert s["declarations_per_s"] == pytest.approx(10.0)
    assert s["timeliness_s"]["all"]["p99"] == pytest.approx(0.2, abs=0.002)
    assert s["empty_final_buckets"]["empty"] == 0
    assert s["produce"]["achieved_rate_per_s"] == pytest.approx(20.0, abs=0.2)
    assert s["produce"]["target_rate_per_s"] == 20.0
    assert s["latency_s"]["p50"] == pytest.approx(0.1 + 0.05 * 100, abs=0.1)
    one, two = s["processes"]
    assert one == {
        "name": "adapter-1", "declarations": 80, "declarations_per_s": 4.0, "cpu_s": 4.0,
        "cpu_s_per_1000_declarations": 50.0, "peak_rss_mb": 120.0,
    }  # fmt: skip
    assert two["declarations"] == 120
    assert two["cpu_s_per_1000_declarations"] == 50.0
    assert s["adapter_peak_rss_mb"] == 150.0
    assert s["adapter_cpu_s_per_1000_declarations"] == 50.0


def test_a_single_process_without_metrics_gets_every_declaration() -> None:
    s = _summarise({"adapter-1": None})
    assert s["processes"][0]["declarations"] == 200


def test_timeline_has_the_moving_average_and_the_cumulative_count() -> None:
    line = summary.timeline([0.5, 1.5, 1.7, 4.2], 0.0, 5.0)
    assert line["declarations_per_s"] == [1.0, 2.0, 0.0, 0.0, 1.0]
    assert line["declarations_cumulative"] == [1.0, 3.0, 3.0, 3.0, 4.0]
    assert line["declarations_per_s_5s"][-1] == pytest.approx(0.8)


def _result(s: dict[str, Any]) -> RunResult:
    return RunResult("concurrent", 200, s, label="concurrent")


def test_verdicts_name_the_busiest_process_and_the_capacity() -> None:
    v = verdicts(_result(_summarise({"adapter-1": 80.0, "adapter-2": 120.0})), None, [])
    assert v["declarations_per_s"]["met"] is False
    assert v["adapter_capacity_declarations_per_s"]["value"] == 20.0
    either = v["end_to_end_or_adapter_only"]
    assert either["met"] is False
    assert either["busiest_process"]["name"] == "adapter-2"
    assert v["status_event_p99_s"]["met"] is True
    assert "note" not in v["status_event_p99_s"]  # produced at a rate
    assert v["empty_final_buckets"]["met"] is True


def test_adapter_only_target_met_when_the_sandbox_binds() -> None:
    s = _summarise({"adapter-1": None})
    s["adapter_capacity_declarations_per_s"] = 2500.0
    s["busiest_process"] = {"name": "sandbox", "cores": 0.95}
    assert verdicts(_result(s), None, [])["end_to_end_or_adapter_only"]["met"] is True
    s["busiest_process"] = {"name": "adapter", "cores": 0.95}
    assert verdicts(_result(s), None, [])["end_to_end_or_adapter_only"]["met"] is False

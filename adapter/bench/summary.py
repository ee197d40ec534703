"""One run's figures from what was measured (pure): rates, latency, timeliness, CPU of every
party per 1,000 declarations, which process was the busiest, per-process shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from adapter.bench import stats
from adapter.bench.tracker import CompletionTracker

PARTIES = ("adapter", "sandbox", "broker", "bench", "postgres")
"""The processes whose CPU is reported; ``adapter`` is the sum of the adapter processes."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """CPU seconds so far per process (``adapter-1``..., ``sandbox``, ``broker``, ``bench``,
    ``postgres``, ``postgres-backends``, ``machine``) and the adapters' peak RSS."""

    cpu_s: Mapping[str, float]
    peak_rss_mb: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Produced:
    sent_at: Mapping[str, float]
    """event id -> when the bench produced it"""
    target_rate: float | None
    behind_s: float
    """how far the producer fell behind its schedule at worst (0 for a backlog)"""


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _dist(values: Sequence[float]) -> dict[str, float | None]:
    return {k: _r(v) for k, v in stats.summary(values).items()}


def cpu_figures(
    before: Snapshot, after: Snapshot, adapters: Sequence[str], declarations: int, seconds: float
) -> dict[str, Any]:
    """CPU per party: seconds, per 1,000 declarations, cores over the measured interval."""
    used = {k: after.cpu_s[k] - before.cpu_s[k] for k in after.cpu_s if k in before.cpu_s}
    used["adapter"] = sum(used.get(a, 0.0) for a in adapters)

    def per_k(value: float) -> float | None:
        return round(1000 * value / declarations, 3) if declarations else None

    def cores(value: float) -> float | None:
        return round(value / seconds, 2) if seconds > 0 else None

    parties = [p for p in PARTIES if p in used]
    processes = [*adapters, *(p for p in parties if p != "adapter")]
    busiest = max(processes, key=lambda p: used.get(p, 0.0))
    out: dict[str, Any] = {
        "cpu_s": {p: round(used[p], 2) for p in [*parties, *adapters] if p in used},
        "cpu_s_per_1000_declarations": {p: per_k(used[p]) for p in parties},
        "cpu_cores": {p: cores(used[p]) for p in [*parties, *adapters] if p in used},
        "busiest_process": {"name": busiest, "cores": cores(used.get(busiest, 0.0))},
    }
    if "postgres-backends" in used:
        out["postgres_backends_cpu_s_per_1000_declarations"] = per_k(used["postgres-backends"])
    if "machine" in used:
        out["machine_busy_cores"] = cores(used["machine"])
        out["machine_busy_cores_others"] = cores(
            used["machine"] - sum(used.get(p, 0.0) for p in parties)
        )
    # 1 core / adapter CPU per declaration: what the adapter could do on a core of its own
    # per process, the sandbox, the broker and the bench aside.
    cost = used["adapter"] / declarations if declarations else 0.0
    out["adapter_capacity_declarations_per_s"] = round(1 / cost, 1) if cost > 0 else None
    return out


def steady_rate(times: Sequence[float], low: float = 25, high: float = 75) -> float | None:
    """Declarations/s between two percentiles of completion times: the steady state, without
    the start (the backlog being taken in) and the tail."""
    window = stats.steady_window(times, low, high)
    if window is None:
        return None
    first, last = window
    return round(stats.rate(sum(1 for t in times if first <= t <= last), last - first), 1)


def summarise(
    *,
    tracker: CompletionTracker,
    produced: Produced,
    started: float,
    ended: float,
    time_boxed: bool,
    before: Snapshot,
    after: Snapshot,
    per_process: Mapping[str, float | None],
) -> dict[str, Any]:
    """The figures of one run (``per_process``: adapter name -> its declarations, if known)."""
    finished = {e: t for e, t in tracker.finished().items() if t <= ended}
    decl_times = [t for t in tracker.declaration_finals.values() if t <= ended]
    declarations = len(decl_times)
    window = (max(decl_times) - started) if (tracker.done and decl_times) else ended - started
    sent = produced.sent_at
    latencies = sorted(t - sent[e] for e, t in finished.items() if e in sent)
    adapters = list(per_process)
    cpu = cpu_figures(before, after, adapters, declarations, ended - started)
    times = sorted(sent.values())
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    summary: dict[str, Any] = {
        "events_produced": len(sent),
        "events_finished": len(finished),
        "declarations_finished": declarations,
        "results": tracker.results,
        "time_boxed": time_boxed,
        "timed_out": not time_boxed and not tracker.done,
        "window_s": round(window, 3),
        "events_per_s": round(stats.rate(len(finished), window), 1),
        "declarations_per_s": round(stats.rate(declarations, window), 1),
        "declarations_per_s_middle_half": steady_rate(decl_times),
        "latency_s": _dist(latencies),
        "timeliness_s": {
            "what": "Kafka record timestamp of the status event - its occurredAt",
            "status_events": len(tracker.publish_delays),
            "all": _dist(tracker.publish_delays),
            "final": _dist(tracker.final_publish_delays),
        },
        "empty_final_buckets": stats.empty_buckets(decl_times, 10, 90),
        "produce": {
            "target_rate_per_s": produced.target_rate,
            "achieved_rate_per_s": round(stats.rate(len(times) - 1, span), 1) if span else None,
            "most_behind_schedule_s": round(produced.behind_s, 3),
        },
        **cpu,
        "adapter_cpu_s": cpu["cpu_s"]["adapter"],
        "adapter_cpu_cores": cpu["cpu_cores"]["adapter"],
        "adapter_peak_rss_mb": round(max(after.peak_rss_mb.values(), default=0.0), 1),
        "processes": _per_process(per_process, before, after, declarations, window),
    }
    for party, value in cpu["cpu_s_per_1000_declarations"].items():
        summary[f"{party}_cpu_s_per_1000_declarations"] = value
    return summary


def _per_process(
    per_process: Mapping[str, float | None],
    before: Snapshot,
    after: Snapshot,
    total: int,
    window: float,
) -> list[dict[str, Any]]:
    rows = []
    for name, counted in per_process.items():
        done = counted if counted is not None else (total if len(per_process) == 1 else None)
        cpu = after.cpu_s[name] - before.cpu_s[name]
        rows.append(
            {
                "name": name,
                "declarations": None if done is None else int(done),
                "declarations_per_s": None
                if done is None
                else round(stats.rate(int(done), window), 1),
                "cpu_s": round(cpu, 2),
                "cpu_s_per_1000_declarations": round(1000 * cpu / done, 3) if done else None,
                "peak_rss_mb": round(after.peak_rss_mb.get(name, 0.0), 1),
            }
        )
    return rows


def timeline(decl_times: Sequence[float], started: float, ended: float) -> dict[str, list[float]]:
    """Final declarations per 1 s bucket since the first produce, its 5 s moving average and
    the cumulative count."""
    series = [float(x) for x in stats.per_second(decl_times, start=started, end=ended)]
    return {
        "declarations_per_s": series,
        "declarations_per_s_5s": [round(x, 2) for x in stats.moving_average(series, 5)],
        "declarations_cumulative": stats.cumulative(series),
    }

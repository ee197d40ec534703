"""The bench's output: tables on the console, the verdicts, one JSON file (plots: ``plots``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.table import Table

from adapter.bench.run import RunResult

COLUMNS = (
    "run", "events", "decl.", "window s", "decl./s", "steady decl./s", "latency p50 / p95 / p99 s",
    "status→topic p50 / p95 / p99 s", "empty 1 s buckets", "peak RSS MB", "ONSS req/decl.",
)  # fmt: skip
CPU_PARTIES = ("adapter", "sandbox", "broker", "bench", "postgres")


def _n(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _trio(dist: Mapping[str, float | None]) -> str:
    return " / ".join(_n(dist.get(k)) for k in ("p50", "p95", "p99"))


def _label(r: RunResult) -> str:
    return f"{r.name} ({r.events:,})" + (" [time-boxed]" if r.summary["time_boxed"] else "")


def table(title: str, results: Sequence[RunResult]) -> Table:
    grid = Table(title=title)
    for name in COLUMNS:
        grid.add_column(name, justify="right")
    for r in results:
        s = r.summary
        gaps = s.get("empty_final_buckets")
        grid.add_row(
            _label(r), f"{s['events_finished']:,}", f"{s['declarations_finished']:,}",
            f"{s['window_s']:.1f}", f"{s['declarations_per_s']:,.0f}",
            _n(s.get("declarations_per_s_middle_half"), 0), _trio(s["latency_s"]),
            _trio(s["timeliness_s"]["all"]),
            "-" if gaps is None else f"{gaps['empty']} of {gaps['buckets']}",
            _n(s["adapter_peak_rss_mb"], 0), _n(s["onss_requests_per_declaration"]),
        )  # fmt: skip
    return grid


def cpu_table(title: str, results: Sequence[RunResult]) -> Table:
    """CPU per party; "machine (others)": every core of the machine, and what was not ours
    (other users' load on a shared machine)."""
    parties = [p for p in CPU_PARTIES if any(p in r.summary["cpu_cores"] for r in results)]
    grid = Table(title=title)
    columns = ("run", *(f"{p} s/1k" for p in parties), *(f"{p} cores" for p in parties),
               "machine (others) cores", "busiest (cores)", "adapter capacity decl./s")  # fmt: skip
    for name in columns:
        grid.add_column(name, justify="right")
    for r in results:
        s = r.summary
        per_k, cores = s["cpu_s_per_1000_declarations"], s["cpu_cores"]
        busiest = s["busiest_process"]
        machine = f"{_n(s.get('machine_busy_cores'))} ({_n(s.get('machine_busy_cores_others'))})"
        grid.add_row(
            _label(r), *(_n(per_k.get(p)) for p in parties), *(_n(cores.get(p)) for p in parties),
            machine, f"{busiest['name']} ({_n(busiest['cores'])})",
            _n(s["adapter_capacity_declarations_per_s"], 0),
        )  # fmt: skip
    return grid


def process_table(title: str, results: Sequence[RunResult]) -> Table:
    """One row per adapter process (the scale-out runs)."""
    grid = Table(title=title)
    for name in ("run", "process", "decl.", "decl./s", "CPU s/1k decl.", "cores", "peak RSS MB"):
        grid.add_column(name, justify="right")
    for r in results:
        for p in r.summary["processes"]:
            done = p["declarations"]
            grid.add_row(
                _label(r), p["name"], "-" if done is None else f"{done:,}",
                _n(p["declarations_per_s"], 1), _n(p["cpu_s_per_1000_declarations"]),
                _n(r.summary["cpu_cores"].get(p["name"])), _n(p["peak_rss_mb"], 0),
            )  # fmt: skip
        grid.add_row(_label(r), "total", f"{r.summary['declarations_finished']:,}",
                     _n(r.summary["declarations_per_s"], 1),
                     _n(r.summary["adapter_cpu_s_per_1000_declarations"]),
                     _n(r.summary["adapter_cpu_cores"]), "", end_section=True)  # fmt: skip
    return grid


def verdicts(
    concurrent: RunResult, plain: RunResult | None, scale: Sequence[RunResult]
) -> dict[str, Any]:
    s = concurrent.summary
    gaps = s["empty_final_buckets"]
    busiest = s["busiest_process"]
    binds_elsewhere = not str(busiest["name"]).startswith("adapter")
    capacity = s["adapter_capacity_declarations_per_s"]
    out: dict[str, Any] = {
        "declarations_per_s": {"value": s["declarations_per_s"], "target": ">= 1000"},
        "adapter_capacity_declarations_per_s": {
            "value": capacity, "target": ">= 2000",
            "what": "1 core / the adapter's CPU per declaration",
        },
        "end_to_end_or_adapter_only": {
            "value": s["declarations_per_s"], "target": ">= 1000",
            "met": s["declarations_per_s"] >= 1000
            or (capacity is not None and capacity >= 2000 and binds_elsewhere),
            "busiest_process": busiest,
            "cores": s["cpu_cores"],
            "machine_busy_cores": s.get("machine_busy_cores"),
            "what": ">= 1000/s end to end, or adapter-only >= 2000/s when the busiest "
            "process over the run is the sandbox or the broker (not an adapter)",
        },
        "adapter_cpu_ms_per_declaration": {
            "value": s["adapter_cpu_s_per_1000_declarations"], "target": "<= 0.5"},
        "status_event_p99_s": {
            "value": s["timeliness_s"]["all"]["p99"], "target": "<= 1",
            "what": "state change (occurredAt) -> status event on the topic (record timestamp)",
            "produce": s["produce"],
        },
        "empty_final_buckets": {
            "value": None if gaps is None else gaps["empty"], "target": "<= 0", "window": gaps,
        },
    }  # fmt: skip
    if s["produce"]["target_rate_per_s"] is None:
        note = "backlog produced up front: the timeliness target is for a --rate run"
        out["status_event_p99_s"]["note"] = note
    if plain is not None and plain.summary["declarations_per_s"]:
        ratio = s["declarations_per_s"] / plain.summary["declarations_per_s"]
        out["ratio_to_plain"] = {"value": round(ratio, 1), "target": ">= 10"}
    biggest = max(scale, key=lambda r: r.events, default=concurrent)
    out["peak_rss_mb"] = {"value": biggest.summary["adapter_peak_rss_mb"], "events": biggest.events,
                          "target": "<= 300 with a 100k backlog"}  # fmt: skip
    for item in out.values():
        item.setdefault("met", _met(item))
        item["run"] = concurrent.name if item is not out["peak_rss_mb"] else biggest.name
    return out


def _met(item: Mapping[str, Any]) -> bool | None:
    value, target = item["value"], str(item["target"])
    if value is None:
        return None
    bound = float(target.split()[1])
    return bool(value >= bound) if target.startswith(">=") else bool(value <= bound)


def write_json(path: Path, document: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")

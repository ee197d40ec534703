"""The bench's output: a table on the console, one JSON file, PNG plots."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from adapter.bench.run import RunResult

TARGETS = {
    "declarations_per_s": 1000.0,
    "ratio": 10.0,
    "adapter_cpu_s_per_1000_declarations": 0.5,
    "adapter_peak_rss_mb": 300.0,
}


COLUMNS = (
    "run", "events", "decl.", "window s", "events/s", "decl./s", "steady decl./s", "p50 s",
    "p95 s", "p99 s", "CPU s/1k decl.", "adapter cores", "peak RSS MB", "ONSS req/decl.",
)  # fmt: skip


def table(title: str, results: Sequence[RunResult]) -> Table:
    grid = Table(title=title)
    for name in COLUMNS:
        grid.add_column(name, justify="right")
    for r in results:
        s, lat = r.summary, r.summary["latency_s"]
        label = f"{r.mode} ({r.events:,})" + (" [time-boxed]" if s["time_boxed"] else "")
        grid.add_row(
            label, f"{s['events_finished']:,}", f"{s['declarations_finished']:,}",
            f"{s['window_s']:.1f}", f"{s['events_per_s']:,.0f}", f"{s['declarations_per_s']:,.0f}",
            _n(s.get("declarations_per_s_middle_half")),
            _n(lat["p50"]), _n(lat["p95"]), _n(lat["p99"]),
            _n(s["adapter_cpu_s_per_1000_declarations"]), _n(s["adapter_cpu_cores"]),
            _n(s["adapter_peak_rss_mb"]), _n(s["onss_requests_per_declaration"]),
        )  # fmt: skip
    return grid


def _n(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def verdicts(
    concurrent: RunResult, plain: RunResult | None, scale: Sequence[RunResult]
) -> dict[str, Any]:
    s = concurrent.summary
    out: dict[str, Any] = {
        "declarations_per_s": {"value": s["declarations_per_s"], "target": ">= 1000"},
        "adapter_cpu_ms_per_declaration": {
            "value": s["adapter_cpu_s_per_1000_declarations"], "target": "<= 0.5"},
    }  # fmt: skip
    if plain is not None and plain.summary["declarations_per_s"]:
        ratio = s["declarations_per_s"] / plain.summary["declarations_per_s"]
        out["ratio_to_plain"] = {"value": round(ratio, 1), "target": ">= 10"}
    biggest = max(scale, key=lambda r: r.events, default=concurrent)
    out["peak_rss_mb"] = {"value": biggest.summary["adapter_peak_rss_mb"], "events": biggest.events,
                          "target": "<= 300 with a 100k backlog"}  # fmt: skip
    for item in out.values():
        item["met"] = _met(item)
    return out


def _met(item: Mapping[str, Any]) -> bool | None:
    value, target = item["value"], str(item["target"])
    if value is None:
        return None
    bound = float(target.split()[1])
    return bool(value >= bound) if target.startswith(">=") else bool(value <= bound)


def write_json(path: Path, document: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")


def plots(directory: Path, stem: str, results: Sequence[RunResult], console: Console) -> list[Path]:
    try:
        import matplotlib as mpl

        mpl.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        console.print("[yellow]matplotlib missing (uv sync --all-groups): no plots[/]")
        return []
    written = []
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
    for r in results:
        series = r.timeline["declarations_per_s"]
        top.plot(range(len(series)), series, label=f"{r.mode} ({r.events:,} events)")
        bottom.plot(r.timeline["rss_t"], r.timeline["rss_mb"], label=f"{r.mode} ({r.events:,})")
    top.set_ylabel("final declarations / s")
    top.set_title("Throughput over time (produce up front, 1 s buckets)")
    top.legend()
    bottom.set_ylabel("adapter RSS (MB)")
    bottom.set_xlabel("seconds since the first event was produced")
    bottom.legend()
    fig.tight_layout()
    written.append(directory / f"{stem}-throughput.png")
    fig.savefig(written[-1], dpi=100)
    plt.close(fig)
    fig, (hist, cdf) = plt.subplots(1, 2, figsize=(11, 4))
    for r in results:
        if not r.latencies_s:
            continue
        label = f"{r.mode} ({r.events:,})"
        if r.summary["time_boxed"]:
            label += " - finished in the time box only"
        hist.hist(r.latencies_s, bins=60, alpha=0.6, label=label)
        n = len(r.latencies_s)
        cdf.plot(r.latencies_s, [i / n for i in range(1, n + 1)], label=label)
    hist.set_xlabel("produce → final status (s)")
    hist.set_ylabel("events")
    hist.legend()
    cdf.set_xlabel("produce → final status (s)")
    cdf.set_ylabel("share of finished events")
    cdf.grid(alpha=0.3)
    cdf.legend()
    fig.suptitle("Latency distribution (with a backlog produced up front it is mostly queueing)")
    fig.tight_layout()
    written.append(directory / f"{stem}-latency.png")
    fig.savefig(written[-1], dpi=100)
    plt.close(fig)
    return written

"""PNG plots of one invocation (matplotlib, Agg): throughput, latency and timeliness, the scale
runs and the scale-out runs. Every figure has a title, axis labels with units and a legend."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapter.bench import stats
from adapter.bench.run import RunResult

if TYPE_CHECKING:
    from rich.console import Console

PERCENTILES = ((50, ":"), (95, "--"), (99, "-."))
MOVING_AVERAGE_S = 5
SCALE_OUT_PREFIXES = ("sqlite-", "postgres-")
"""the runs of ``--scale-out``: ``sqlite-1``, ``postgres-1``, ``postgres-2``"""


def _label(r: RunResult) -> str:
    text = f"{r.name} ({r.events:,} events)"
    return text + (" - time-boxed" if r.summary["time_boxed"] else "")


def plots(directory: Path, stem: str, results: Sequence[RunResult], console: Console) -> list[Path]:
    try:
        import matplotlib as mpl

        mpl.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        console.print("[yellow]matplotlib missing (uv sync --all-groups): no plots[/]")
        return []
    flows = [r for r in results if not r.name.startswith("scale-")]
    scale = sorted((r for r in results if r.name.startswith("scale-")), key=lambda r: r.events)
    scale_out = [r for r in results if r.name.startswith(SCALE_OUT_PREFIXES)]
    written: list[Path] = []
    figures = [
        ("throughput", _throughput, flows),
        ("latency", _latency, flows),
        ("scale", _scale, scale),
        ("scale-out", _scale_out, scale_out),
    ]
    for suffix, draw, runs in figures:
        if not runs:
            continue
        fig = draw(plt, runs)
        written.append(directory / f"{stem}-{suffix}.png")
        fig.tight_layout()
        fig.savefig(written[-1], dpi=100)
        plt.close(fig)
    return written


def _throughput(plt: Any, runs: Sequence[RunResult]) -> Any:
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True,
                                      gridspec_kw={"height_ratios": (2, 1)})  # fmt: skip
    total = top.twinx()
    for index, r in enumerate(runs):
        colour = f"C{index}"
        series = r.timeline["declarations_per_s"]
        average = stats.moving_average(series, MOVING_AVERAGE_S)
        seconds = [i + 1 for i in range(len(series))]
        top.plot(seconds, average, color=colour, label=f"{_label(r)}: {MOVING_AVERAGE_S} s average")
        total.plot(seconds, stats.cumulative(series), color=colour, linestyle="--", alpha=0.6,
                   label=f"{r.name}: cumulative")  # fmt: skip
        bottom.plot(r.timeline["rss_t"], r.timeline["rss_mb"], color=colour, label=_label(r))
    top.set_ylabel(f"final declarations / s ({MOVING_AVERAGE_S} s moving average)")
    total.set_ylabel("final declarations, cumulative (dashed)")
    top.set_title("Throughput: final declarations read back from the status topic")
    lines, labels = top.get_legend_handles_labels()
    more, more_labels = total.get_legend_handles_labels()
    top.legend(lines + more, labels + more_labels, loc="upper left", fontsize="small")
    top.grid(alpha=0.3)
    bottom.set_title("Memory of the adapter processes")
    bottom.set_ylabel("RSS (MB, all adapter processes)")
    bottom.set_xlabel("seconds since the first event was produced")
    bottom.legend(fontsize="small")
    bottom.grid(alpha=0.3)
    return fig


def _marked_histogram(axis: Any, runs: Sequence[RunResult], values_of: Any, what: str) -> None:
    for index, r in enumerate(runs):
        values = values_of(r)
        if not values:
            continue
        colour = f"C{index}"
        axis.hist(values, bins=60, alpha=0.5, color=colour, label=_label(r))
        for rank, (q, style) in enumerate(PERCENTILES):
            at = stats.percentile(values, q)
            if at is None:
                continue
            axis.axvline(at, color=colour, linestyle=style, linewidth=1.2)
            height = 0.98 - 0.2 * rank - 0.06 * index  # staggered: close lines stay legible
            axis.annotate(f"p{q} {at:.2f} s", (at, height), xycoords=("data", "axes fraction"),
                          rotation=90, va="top", ha="right", fontsize="x-small",
                          color=colour)  # fmt: skip
    axis.set_xlabel(f"{what} (s)")
    axis.set_ylabel("count")
    axis.legend(fontsize="small")
    axis.grid(alpha=0.3)


def _latency(plt: Any, runs: Sequence[RunResult]) -> Any:
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8))
    _marked_histogram(left, runs, lambda r: r.latencies_s, "produce → last final status")
    left.set_title("Latency per event (with a backlog: mostly queueing)")
    _marked_histogram(right, runs, lambda r: r.publish_delays_s,
                      "state change (occurredAt) → status event on the topic")  # fmt: skip
    right.set_title("Timeliness of status events (target p99 ≤ 1 s at a steady rate)")
    fig.suptitle("Latency distributions; vertical lines: p50 (dotted), p95 (dashed), p99")
    return fig


def _bars(axis: Any, labels: Sequence[str], series: dict[str, list[float]], unit: str,
          fmt: str = "%.2f") -> None:  # fmt: skip
    width = 0.8 / max(1, len(series))
    for index, (name, values) in enumerate(series.items()):
        xs = [i + (index - (len(series) - 1) / 2) * width for i in range(len(labels))]
        bars = axis.bar(xs, values, width, label=name)
        axis.bar_label(bars, fmt=fmt, fontsize="x-small")
    axis.set_xticks(range(len(labels)), labels)
    axis.set_ylabel(unit)
    axis.legend(fontsize="small")
    axis.grid(alpha=0.3, axis="y")


def _cpu_series(runs: Sequence[RunResult], parties: Sequence[str]) -> dict[str, list[float]]:
    return {
        p: [r.summary["cpu_s_per_1000_declarations"].get(p) or 0.0 for r in runs]
        for p in parties
        if any(p in r.summary["cpu_s_per_1000_declarations"] for r in runs)
    }


def _scale(plt: Any, runs: Sequence[RunResult]) -> Any:
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    labels = [f"{r.events:,} events" for r in runs]
    _bars(left, labels, _cpu_series(runs, ("adapter", "sandbox", "broker", "bench")),
          "CPU s per 1,000 declarations")  # fmt: skip
    left.set_title("CPU per 1,000 declarations by event count")
    left.set_xlabel("events in the backlog")
    _bars(right, labels, {"adapter peak RSS": [r.summary["adapter_peak_rss_mb"] for r in runs]},
          "MB", "%.0f")  # fmt: skip
    right.set_title("Peak RSS of the adapter (VmHWM) by event count")
    right.set_xlabel("events in the backlog")
    fig.suptitle("Scale runs: cost per declaration and memory against the backlog size")
    return fig


def _scale_out(plt: Any, runs: Sequence[RunResult]) -> Any:
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    labels = [r.name for r in runs]
    most = max(len(r.summary["processes"]) for r in runs)
    bottoms = [0.0] * len(runs)
    for index in range(most):
        values = [
            (r.summary["processes"][index]["declarations_per_s"] or 0.0)
            if index < len(r.summary["processes"]) else 0.0
            for r in runs
        ]  # fmt: skip
        left.bar(labels, values, 0.6, bottom=bottoms, label=f"adapter process {index + 1}")
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    for x, total in enumerate(r.summary["declarations_per_s"] for r in runs):
        left.annotate(f"{total:,.0f}/s", (x, total), ha="center", va="bottom", fontsize="small")
    left.set_ylim(0, max(bottoms, default=1.0) * 1.15 or 1.0)
    left.set_ylabel("final declarations / s (over the window)")
    left.set_xlabel("run (store, adapter processes)")
    left.set_title("Rate per adapter process (stacked) and in total")
    left.legend(fontsize="small")
    left.grid(alpha=0.3, axis="y")
    _bars(right, labels, _cpu_series(runs, ("adapter", "postgres", "sandbox", "broker")),
          "CPU s per 1,000 declarations")  # fmt: skip
    right.set_title("CPU per 1,000 declarations (adapters: all processes)")
    right.set_xlabel("run (store, adapter processes)")
    fig.suptitle("Scale-out: one consumer group on PostgreSQL, SQLite for comparison")
    return fig

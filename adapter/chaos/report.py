"""The tables printed after the runs: one row per run, one column per invariant."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from adapter.chaos.invariants import SHORT
from adapter.chaos.runner import RunResult


def _outages(labels: Sequence[str]) -> str:
    if not labels:
        return "-"
    counts = Counter(label.removeprefix("pg-") for label in labels)
    return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()))


def runs_table(results: Sequence[RunResult]) -> Table:
    table = Table(title="Chaos runs", show_lines=False)
    table.add_column("mode")
    for name in ("seed", "events", "bad", "dups", "kills", "cuts"):
        table.add_column(name, justify="right")
    table.add_column("PostgreSQL")
    table.add_column("sandbox windows")
    table.add_column("faults injected (sandbox)")
    for name in ("status events", "settled s", "run s"):
        table.add_column(name, justify="right")
    names = [v.name for v in results[0].verdicts] if results else list(SHORT)
    for name in names:
        table.add_column(SHORT.get(name, name), justify="center")
    for r in results:
        faults = ", ".join(f"{k} {n}" for k, n in sorted(r.faults_injected.items())) or "-"
        marks = ["[green]✓[/]" if v.ok else "[bold red]✗[/]" for v in r.verdicts]
        table.add_row(
            r.mode, str(r.seed), str(r.events), str(r.invalid), str(r.duplicates_sent),
            str(r.kills), str(r.cuts), _outages(r.pg_outages),
            f"{r.sandbox_windows} ({','.join(r.sandbox_kinds)})", faults,
            str(r.status_events),
            "-" if r.settled_s is None else f"{r.settled_s:.1f}", f"{r.elapsed_s:.0f}", *marks,
        )  # fmt: skip
    return table


def markdown_report(results: Sequence[RunResult]) -> str:
    """The same table in Markdown (for docs/reliability.md), then every broken invariant."""
    names = [v.name for v in results[0].verdicts] if results else list(SHORT)
    head = ["mode", "seed", "records", "bad", "dups", "kills", "cuts", "PostgreSQL"]
    head += ["sandbox faults", "status events", "settled s", "run s"]
    head += [SHORT.get(n, n) for n in names]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        faults = ", ".join(f"{k} {n}" for k, n in sorted(r.faults_injected.items())) or "-"
        cells = [
            r.mode, str(r.seed), str(r.events), str(r.invalid), str(r.duplicates_sent),
            str(r.kills), str(r.cuts), _outages(r.pg_outages), faults, str(r.status_events),
            "-" if r.settled_s is None else f"{r.settled_s:.1f}", f"{r.elapsed_s:.0f}",
            *("✓" if v.ok else "**✗**" for v in r.verdicts),
        ]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    details = [
        f"* {r.mode} {r.seed}, {SHORT.get(v.name, v.name)}: {v.detail}"
        for r in results
        for v in r.verdicts
        if not v.ok
    ]
    return "\n".join(lines + (["", *details] if details else [])) + "\n"


def print_report(results: Sequence[RunResult], console: Console) -> None:
    console.print(runs_table(results))
    failures = [(r, v) for r in results for v in r.verdicts if not v.ok]
    if not failures:
        total = sum(r.events for r in results)
        kills = sum(r.kills for r in results)
        console.print(
            f"[bold green]All invariants hold[/]: {len(results)} runs, {total} records, "
            f"{kills} SIGKILLs."
        )
        return
    console.print("[bold red]Invariants broken[/]:")
    for result, verdict in failures:
        console.print(
            f"  {result.mode} seed {result.seed}: {verdict.name}: {verdict.detail}",
            highlight=False,
        )
    for result in {id(r): r for r, _ in failures}.values():
        if result.log_path is not None:
            console.print(
                f"  {result.mode} seed {result.seed}: adapter logs {result.log_path}",
                highlight=False,
            )

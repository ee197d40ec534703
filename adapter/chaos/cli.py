"""``dimona-adapter chaos``: repeated seeded chaos runs, a table of runs and invariants.

Exit code 0 when every invariant held in every run, 1 otherwise (the adapter logs of a failed
run are kept and their path printed).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from adapter.chaos.bad_input import WORKLOAD_KINDS
from adapter.chaos.schedule import FAULT_KINDS, MODES


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "chaos",
        help="seeded runs that kill the adapter and break its broker and ONSS; check invariants",
    )
    parser.add_argument(
        "--mode",
        action="append",
        choices=MODES,
        default=None,
        help="sqlite (one adapter) or postgres-2 (two replicas on one PostgreSQL database); "
        "repeatable; default: both",
    )
    parser.add_argument(
        "--postgres-url",
        default=None,
        help="server where the postgres-2 mode creates (and drops) a database of its own "
        "(default: postgresql://postgres@127.0.0.1:5432/postgres)",
    )
    parser.add_argument("--runs", type=int, default=3, help="number of runs per mode (default 3)")
    parser.add_argument(
        "--seed", type=int, default=None, help="seed of the first run (default: from the clock)"
    )
    parser.add_argument(
        "--events",
        type=int,
        default=300,
        help="records per run (default 300): events, exact duplicates and bad records",
    )
    parser.add_argument(
        "--time-limit", type=float, default=150.0, help="seconds per run, settling included"
    )
    parser.add_argument(
        "--chaos-seconds", type=float, default=45.0, help="length of the fault phase of a run"
    )
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        choices=FAULT_KINDS + WORKLOAD_KINDS,
        help="leave a fault kind, or a kind of bad input, out (repeatable); the rest of each "
        "seed's plan and workload is unchanged",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the logs of passing runs")
    parser.add_argument(
        "--report", type=Path, default=None, help="also write the table (Markdown) to this file"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from adapter.chaos.environment import POSTGRES_URL, ChaosEnvironment
    from adapter.chaos.report import markdown_report, print_report
    from adapter.chaos.runner import ChaosRun, RunConfig, RunResult

    console = Console(width=None if sys.stdout.isatty() else 220)
    modes: list[str] = list(dict.fromkeys(args.mode or MODES))
    first_seed = args.seed if args.seed is not None else int(time.time()) % 1_000_000
    root = Path(tempfile.mkdtemp(prefix="dimona-chaos-"))
    results: list[RunResult] = []
    console.print(
        f"[bold]Chaos[/]: {', '.join(modes)}; {args.runs} runs per mode from seed {first_seed}, "
        f"{args.events} records each; work directory {root}"
        + (f"; without {', '.join(sorted(args.without))}" if args.without else "")
    )
    postgres = (args.postgres_url or POSTGRES_URL) if "postgres-2" in modes else None
    with ChaosEnvironment(postgres_url=postgres) as env:
        for mode in modes:
            for index in range(args.runs):
                seed = first_seed + index
                config = RunConfig(
                    seed=seed,
                    events=args.events,
                    time_limit_s=args.time_limit,
                    chaos_s=min(args.chaos_seconds, args.time_limit / 2),
                    without=frozenset(args.without),
                    mode=mode,
                )
                work = root / f"{mode}-seed-{seed}"
                work.mkdir()
                console.print(f"{mode} run {index + 1}/{args.runs} (seed {seed})…")
                result = ChaosRun(env, config, work).run()
                results.append(result)
                verdict = "[green]ok[/]" if result.ok else "[bold red]FAILED[/]"
                console.print(f"  {verdict} in {result.elapsed_s:.0f} s, {result.kills} kills")
                if result.ok and not args.keep_logs:
                    shutil.rmtree(work, ignore_errors=True)
    print_report(results, console)
    if args.report is not None:
        args.report.write_text(markdown_report(results), encoding="utf-8")
    ok = all(r.ok for r in results)
    if ok and not args.keep_logs:
        shutil.rmtree(root, ignore_errors=True)
    return 0 if ok else 1

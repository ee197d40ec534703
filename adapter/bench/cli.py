"""``dimona-adapter bench``: broker + sandbox + adapter on this machine, measured end to end."""

from __future__ import annotations

import argparse
import os
import platform
import signal
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapter.bench import pg
from adapter.core.polling import PollSchedule, PollTier

if TYPE_CHECKING:
    from rich.console import Console

    from adapter.bench.run import Encoded, RunConfig, RunResult

SCALE = (1_000, 10_000, 100_000)
SCALE_OUT = (
    ("sqlite-1", 1, "sqlite"),
    ("postgres-1", 1, "postgresql"),
    ("postgres-2", 2, "postgresql"),
)
"""(run, adapter processes, store) of ``--scale-out``"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "bench",
        help="end-to-end benchmark: throughput, latency, CPU and memory of the adapter",
        description="Runs an embedded broker, the sandbox and the adapter (its own process) on "
        "this machine; produces a backlog of hires and leaves, then reads the status events "
        "back. Compares with the plain-consumer baseline (one event in flight per partition). "
        "Results: JSON and PNG plots in --output.",
    )
    add = p.add_argument
    add("--events", type=int, default=20_000, help="events (default 20,000)")
    add("--employments", type=int, help="employments (default: events / 4)")
    add("--partitions", type=int, default=12)
    add("--latency-ms", type=float, default=50.0, help="sandbox latency per ONSS call")
    add("--processing-delay", type=float, default=0.0, help="sandbox processing delay, s")
    add("--max-in-flight", type=int, default=200, help="HTTP requests in flight (adapter)")
    add("--max-events-in-flight", type=int, default=1_000, help="active employments cap")
    add("--first-wait", type=float, default=0.05, help="first GET this long after the POST, s")
    add("--poll-interval", type=float, default=0.2, help="then one GET every ..., s")
    add(
        "--fixed-first-wait",
        action="store_true",
        help="do not time the first GET from ONSS's answer times (D-32): the fixed schedule",
    )
    add("--plain-time-box", type=float, default=30.0, help="plain baseline box, s (0: none)")
    add("--rate", type=float, help="produce at this steady rate, events/s (default: backlog)")
    add("--scale", action="store_true", help="also run 1k, 10k and 100k events")
    add("--scale-only", action="store_true", help="only the 1k, 10k and 100k runs")
    add(
        "--scale-out",
        action="store_true",
        help="only 1 adapter on SQLite, then 1 and 2 in one "
        "group on PostgreSQL (a fresh database each, on --postgres)",
    )
    add(
        "--postgres",
        default=pg.SERVER,
        help="PostgreSQL server for --scale-out (a database on "
        "it to connect to; the bench creates and drops its own)",
    )
    add("--profile", action="store_true", help="sample the concurrent run with py-spy")
    add("--uvloop", action="store_true", help="experiment: the adapter on uvloop's event loop")
    add("--timeout", type=float, default=900.0, help="per run, s")
    add("--output", type=Path, default=Path("bench/results"))
    p.set_defaults(handler=run)


def poll_schedule(first_wait: float, interval: float, *, learn: bool = True) -> PollSchedule:
    return PollSchedule(
        first_wait=first_wait,
        learn_first_wait=learn,
        tiers=(PollTier(until=60.0, interval=interval), PollTier(until=1200.0, interval=5.0)),
        identification_tiers=(PollTier(until=120.0, interval=0.5),),
        identification_final_interval=10.0,
    )


def machine() -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def _plan(args: argparse.Namespace, profile_to: Path | None) -> list[tuple[str, int, RunConfig]]:
    from adapter.bench.run import RunConfig

    polling = poll_schedule(args.first_wait, args.poll_interval, learn=not args.fixed_first_wait)

    def config(mode: str, box: float | None = None, profile: Path | None = None, label: str = "",
               processes: int = 1, store: str = "sqlite") -> RunConfig:  # fmt: skip
        return RunConfig(
            mode=mode,  # type: ignore[arg-type]
            max_in_flight=args.max_in_flight,
            max_events_in_flight=args.max_events_in_flight,
            polling=polling,
            timeout_s=args.timeout,
            time_box_s=box,
            rate_per_s=args.rate,
            profile_to=profile,
            uvloop=args.uvloop,
            processes=processes,
            store=store,  # type: ignore[arg-type]
            postgres_server=args.postgres,
            label=label,
        )

    plan: list[tuple[str, int, RunConfig]] = []
    if args.scale_out:
        return [
            (name, args.events, config("concurrent", label=name, processes=n, store=store))
            for name, n, store in SCALE_OUT
        ]
    if not args.scale_only:
        plan.append(("concurrent", args.events, config("concurrent", profile=profile_to)))
        if args.plain_time_box > 0:
            plan.append(("plain", args.events, config("plain", box=args.plain_time_box)))
    if args.scale or args.scale_only:
        plan += [(f"scale-{n}", n, config("concurrent", label=f"scale-{n}")) for n in SCALE]
    return plan


def _execute(args: argparse.Namespace, plan: list[tuple[str, int, RunConfig]],
             console: Console) -> dict[str, RunResult]:  # fmt: skip
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from adapter.bench import report
    from adapter.bench.run import encode_events, execute
    from adapter.bench.workload import Workload, generate
    from adapter.demo_harness import demo_settings
    from adapter.edges.kafka.embedded import EmbeddedBroker
    from adapter.sandbox.process import SandboxProcess

    results: dict[str, RunResult] = {}
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with (
        tempfile.TemporaryDirectory(prefix="dimona-bench-") as tmp,
        EmbeddedBroker() as broker,
        SandboxProcess(processing_delay=args.processing_delay, latency_ms=args.latency_ms) as sb,
    ):
        base = demo_settings(Path(tmp), bootstrap_servers=broker.bootstrap_servers, sandbox=sb,
                             group_id="bench", partitions=args.partitions)  # fmt: skip
        encoded: dict[int, list[Encoded]] = {}
        for name, events, cfg in plan:
            if events not in encoded:
                workload = Workload(events, args.employments or max(1, events // 4))
                with console.status(f"encoding {events:,} events"):
                    today = datetime.now(UTC).date()
                    encoded = {events: encode_events(generate(workload, today=today))}
            label = name + (f" (time box {cfg.time_box_s:.0f} s)" if cfg.time_box_s else "")
            with Progress(*columns, console=console) as bar:
                task = bar.add_task(label, total=events)

                def progress(done: int, _total: int, task: Any = task, bar: Any = bar) -> None:
                    bar.update(task, completed=done)

                results[name] = execute(base, sb, encoded[events], cfg, Path(tmp), progress)
            console.print(report.table(name, [results[name]]))
            console.print(report.cpu_table(f"{name}: CPU", [results[name]]))
    return results


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    signal.signal(signal.SIGTERM, _interrupt)  # stop the children on SIGTERM as on Ctrl-C

    from adapter.bench import plots, report
    from adapter.bench.profile import breakdown, summarise

    console = Console()
    if not console.is_terminal:
        console = Console(width=200)
    args.output.mkdir(parents=True, exist_ok=True)
    stem = "bench-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    profile_path = args.output / f"{stem}-pyspy.txt" if args.profile else None
    started = time.time()
    results = _execute(args, _plan(args, profile_path), console)
    ordered = list(results.values())
    console.print(report.table("dimona-adapter bench", ordered))
    console.print(report.cpu_table("CPU per party: s per 1,000 declarations, cores", ordered))
    if args.scale_out:
        console.print(report.process_table("Scale-out: per adapter process", ordered))
    concurrent = results.get("concurrent") or ordered[0]
    scale = [r for n, r in results.items() if n.startswith("scale-")]
    verdicts = report.verdicts(concurrent, results.get("plain"), scale)
    employments = args.employments or args.events // 4
    document: dict[str, Any] = {
        "started_at": datetime.fromtimestamp(started, UTC).isoformat(),
        "machine": machine(),
        "workload": {
            "events": args.events,
            "employments": employments,
            "partitions": args.partitions,
            "mix": "HIRE, LEAVE, HIRE, LEAVE per employment, in rounds",
            "produce": "backlog up front" if args.rate is None else f"steady {args.rate}/s",
            "scale_out": [{"run": n, "processes": k, "store": st} for n, k, st in SCALE_OUT]
            if args.scale_out
            else None,
        },
        "sandbox": {"latency_ms": args.latency_ms, "processing_delay_s": args.processing_delay},
        "poll_schedule": poll_schedule(
            args.first_wait, args.poll_interval, learn=not args.fixed_first_wait
        ).model_dump(),
        "runs": {n: {**r.summary, "timeline": r.timeline} for n, r in results.items()},
        "targets": verdicts,
    }
    if "plain" in results:
        console.print(
            f"plain baseline: time-boxed to {args.plain_time_box:.0f} s, "
            "its rates are measured over the box"
        )
    if profile_path is not None and profile_path.exists():
        document["profile"] = {"breakdown": breakdown(profile_path), **summarise(profile_path)}
        for name, share in document["profile"]["breakdown"]:
            console.print(f"profile: {share:5.1f} %  {name}")
    report.write_json(args.output / f"{stem}.json", document)
    for path in plots.plots(args.output, stem, ordered, console):
        console.print(f"plot: {path}")
    for name, item in verdicts.items():
        mark = {True: "[green]met[/]", False: "[red]not met[/]", None: "-"}[item["met"]]
        console.print(
            f"target {name}: {item['value']} (target {item['target']}, run {item['run']}): {mark}"
        )
    busiest, machine_cores = (
        concurrent.summary["busiest_process"],
        concurrent.summary.get("machine_busy_cores"),
    )
    console.print(
        f"busiest process over {concurrent.name}: {busiest['name']} "
        f"({busiest['cores']} cores; the machine: {machine_cores} cores busy)"
    )
    console.print(f"results: {args.output / f'{stem}.json'}")
    return 0

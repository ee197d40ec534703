"""``dimona-adapter demo``: the whole product on this machine, with no credentials.

Starts a broker (the embedded one unless KAFKA_BOOTSTRAP_SERVERS is set), the Dimona
sandbox, and the adapter; produces sample events; shows each status event as it arrives;
prints a summary and stops everything, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
import uuid
from contextlib import ExitStack
from pathlib import Path

from adapter.demo_harness import DemoHarness, demo_settings


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run broker, sandbox and adapter locally on sample events and show the statuses",
    )
    parser.add_argument(
        "--processing-delay", type=float, default=1.0, help="sandbox processing delay (s)"
    )
    parser.add_argument("--timeout", type=float, default=90.0, help="give up after (s)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from adapter.logging import configure_logging

    configure_logging("ERROR", "console")  # the table is the output; problems still show
    with tempfile.TemporaryDirectory(prefix="dimona-demo-") as work:
        return asyncio.run(_demo(Path(work), args.processing_delay, args.timeout))


async def _demo(work: Path, processing_delay: float, time_limit_s: float) -> int:
    from rich.console import Console

    from adapter.demo_events import FLEXI_WITHOUT_RIGHTS, demo_script, ssin_for
    from adapter.edges.clock import SystemClock
    from adapter.edges.kafka.ladder import kafka_broker
    from adapter.sandbox.process import SandboxProcess

    console = Console(width=None if sys.stdout.isatty() else 160)
    with ExitStack() as stack:
        console.print("[bold]Starting[/] the Kafka broker, the Dimona sandbox and the adapter…")
        broker = stack.enter_context(kafka_broker(allow_containers=False))
        sandbox = stack.enter_context(
            SandboxProcess(
                processing_delay=processing_delay,
                identification_delay=4 * processing_delay,
                scenarios=[
                    {  # the sandbox cannot know flexi rights: say what ONSS would answer
                        "match": {"ssin": ssin_for(FLEXI_WITHOUT_RIGHTS)},
                        "result": "W",
                        "anomalies": ["90017-510"],
                    }
                ],
            )
        )
        settings = demo_settings(
            work,
            bootstrap_servers=broker.bootstrap_servers,
            sandbox=sandbox,
            group_id=f"dimona-demo-{uuid.uuid4().hex[:8]}",
        )
        console.print(
            f"  broker {broker.bootstrap_servers} ({broker.kind}), sandbox {sandbox.root_url}"
        )
        harness = DemoHarness(settings, console)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C: stop in order, then summarise
            loop.add_signal_handler(sig, harness.interrupted.set)
        events = demo_script(SystemClock().today())
        return await harness.run(events, timeout_s=time_limit_s)
    return 1  # pragma: no cover - the with block always returns

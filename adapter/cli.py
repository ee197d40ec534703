"""``dimona-adapter``: one command line for the adapter, its sandbox and its tools.

Exit codes: 0 success; 1 a check failed, nothing found, or the input breaks a rule;
2 unreadable input or wrong usage; 3 fatal configuration; 4 a service the command needs
(ONSS) is unavailable; 5 the dead-letter circuit breaker stopped `run`; 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Protocol, cast

from adapter import __version__
from adapter.core.errors import FatalConfiguration


class CommandModule(Protocol):
    def add_parser(
        self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]
    ) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


# (command, module under adapter/, one-line summary), in the order of `--help`. Only the
# module of the command being run is imported: `--help` and a command's start stay fast
# (importing every command pulled in the sandbox, the benchmark and the chaos suite: 3.5 s).
COMMANDS: tuple[tuple[str, str, str], ...] = (
    (
        "run",
        "commands.run",
        "run the adapter: consume events, declare to Dimona, publish status events",
    ),
    ("sandbox", "sandbox.cli", "run the local Dimona sandbox (OAuth + REST v2 + admin)"),
    (
        "demo",
        "commands.demo",
        "run broker, sandbox and adapter locally on sample events and show the statuses",
    ),
    ("translate", "commands.translate", "print the Dimona declarations one employment event needs"),
    ("keys", "commands.keys", "create the client key pair and certificate"),
    ("config", "commands.config_check", "show and verify the configuration"),
    (
        "history",
        "commands.history",
        "everything known locally about one employment or worker: events, declarations, "
        "answers, status events",
    ),
    (
        "consult",
        "commands.consult",
        "find declarations by number, worker, employer, reception period, joint committee, "
        "worker type or user enterprise (ONSS and the local store)",
    ),
    ("dlq", "commands.dlq", "inspect and replay the dead-letter topic"),
    (
        "bench",
        "bench.cli",
        "end-to-end benchmark: throughput, latency, CPU and memory of the adapter",
    ),
    (
        "chaos",
        "chaos.cli",
        "seeded runs that kill the adapter and break its broker and ONSS; check invariants",
    ),
)
EVERY_COMMAND = "*"


def build_parser(selected: str | None = EVERY_COMMAND) -> argparse.ArgumentParser:
    """The parser; with ``selected``, only that command's module is imported (the others
    are listed with their summary), with ``None`` none is."""
    parser = argparse.ArgumentParser(
        prog="dimona-adapter",
        description="Kafka employment events in, Dimona declarations out, status events back.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module_name, summary in COMMANDS:
        if selected in (EVERY_COMMAND, name):
            module = cast("CommandModule", importlib.import_module(f"adapter.{module_name}"))
            module.add_parser(subparsers)
        else:
            subparsers.add_parser(name, help=summary, add_help=False)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return first if first in {name for name, _, _ in COMMANDS} else None


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_in(arguments))
    args = parser.parse_args(arguments)
    handler = cast("Callable[[argparse.Namespace], int]", args.handler)
    try:
        return handler(args)
    except FatalConfiguration as exc:
        print(f"dimona-adapter: configuration error: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130

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


# name of the module under adapter/, in the order of `--help`
COMMANDS: tuple[str, ...] = (
    "commands.run",
    "sandbox.cli",
    "commands.demo",
    "commands.translate",
    "commands.keys",
    "commands.config_check",
    "commands.history",
    "commands.consult",
    "commands.dlq",
    "bench.cli",
    "chaos.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dimona-adapter",
        description="Kafka employment events in, Dimona declarations out, status events back.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = cast("CommandModule", importlib.import_module(f"adapter.{name}"))
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = cast("Callable[[argparse.Namespace], int]", args.handler)
    try:
        return handler(args)
    except FatalConfiguration as exc:
        print(f"dimona-adapter: configuration error: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130

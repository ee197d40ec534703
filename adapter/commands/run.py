"""``dimona-adapter run``: the adapter process (configured from the environment)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from adapter.app.breaker import DeadLetterRateExceeded
from adapter.app.executor import Executor
from adapter.bootstrap import ExecutorFactory, run_until_stopped
from adapter.commands.config_check import load_settings
from adapter.core.errors import FatalConfiguration
from adapter.logging import configure_logging
from adapter.settings import Settings

EXIT_CONFIGURATION = 3
"""Exit code of a fatal configuration error, at start-up or met later (revoked client...)."""
EXIT_DEAD_LETTER_BREAKER = 5
"""Exit code when the dead-letter circuit breaker stopped the consumer (see docs/operations.md)."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run the adapter: consume events, declare to Dimona, publish status events",
        description="Run the adapter with the configuration of the environment "
        "(DIMONA_ADAPTER_*; see docs/configuration.md). Stops cleanly on SIGTERM or Ctrl-C.",
    )
    parser.set_defaults(handler=run)


async def _serve(settings: Settings, make_executor: ExecutorFactory) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    await run_until_stopped(settings, stopping, make_executor=make_executor)


def run(_args: argparse.Namespace) -> int:
    return serve()


def serve(make_executor: ExecutorFactory = Executor) -> int:
    """The adapter process with the environment's settings, until SIGTERM; its exit code.

    ``make_executor``: how the employment actors are scheduled (a test bed may bring its own
    ``Executor`` subclass; the ``run`` command never does)."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    try:
        asyncio.run(_serve(settings, make_executor))
    except DeadLetterRateExceeded as exc:
        logging.getLogger("adapter").critical("%s", exc)
        return EXIT_DEAD_LETTER_BREAKER
    except FatalConfiguration as exc:
        logging.getLogger("adapter").critical(
            "stopped by a fatal error", extra={"error_class": type(exc).__name__, "error": str(exc)}
        )
        return EXIT_CONFIGURATION
    return 0

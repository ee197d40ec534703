"""``dimona-adapter sandbox``: wire :func:`add_parser` into the main CLI, call :func:`run`."""

from __future__ import annotations

import argparse
from typing import Any

from adapter.sandbox.config import add_arguments, from_args


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``sandbox`` sub-command on an ``add_subparsers()`` object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sandbox",
        help="run the local Dimona sandbox (OAuth + REST v2 + admin)",
        description="Local stand-in for the ONSS OAuth server and the Dimona REST v2 API.",
    )
    add_arguments(parser)
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from adapter.sandbox.server import serve

    try:
        config = from_args(args)
    except (OSError, ValueError) as exc:
        import sys

        sys.stderr.write(f"sandbox: bad configuration: {exc}\n")
        return 2
    return serve(config)

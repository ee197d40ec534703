"""``python -m adapter.sandbox``."""

from __future__ import annotations

import argparse

from adapter.sandbox.cli import run
from adapter.sandbox.config import add_arguments


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m adapter.sandbox",
        description="Local stand-in for the ONSS OAuth server and the Dimona REST v2 API.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())

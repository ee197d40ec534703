"""The ``sandbox`` sub-command can be wired into the main CLI."""

from __future__ import annotations

import argparse

from adapter.sandbox import cli
from adapter.sandbox.config import from_args


def test_add_parser_registers_the_sandbox_command() -> None:
    parser = argparse.ArgumentParser(prog="dimona-adapter")
    subparsers = parser.add_subparsers(dest="command")
    cli.add_parser(subparsers)
    args = parser.parse_args(
        ["sandbox", "--port", "0", "--processing-delay", "0", "--latency-ms", "50",
         "--state", "memory", "--audience", "https://a.example/token"]
    )  # fmt: skip
    assert args.handler is cli.run
    config = from_args(args)
    assert (config.port, config.processing_delay, config.latency_ms) == (0, 0.0, 50.0)
    assert config.audiences == ["https://a.example/token"]
    assert config.fault_wire() == {"latency": {"default": {"fixedMs": 50.0}}}


def test_defaults() -> None:
    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers()
    cli.add_parser(subparsers)
    config = from_args(parser.parse_args(["sandbox"]))
    assert (config.host, config.port, config.processing_delay) == ("127.0.0.1", 8090, 2.0)
    assert config.audiences == ["https://services.socialsecurity.be/REST/oauth/v5/token"]
    assert config.state == "memory"

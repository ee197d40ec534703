"""The command line imports only the module of the command it runs: `--help` lists every
command from `adapter.cli.COMMANDS` without importing any (it took 3.5 s when it imported
the sandbox, the benchmark and the chaos suite)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from adapter.cli import COMMANDS, build_parser


def _helps(parser: argparse.ArgumentParser) -> dict[str, str]:
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {action.dest: str(action.help) for action in subparsers._choices_actions}


def test_the_summaries_are_the_commands_own_help() -> None:
    assert _helps(build_parser(None)) == _helps(build_parser())
    assert list(_helps(build_parser(None))) == [name for name, _, _ in COMMANDS]


def test_help_imports_no_command_module() -> None:
    probe = (
        "import sys, contextlib, io\n"
        "from adapter.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--help'])\n"
        "import json\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('adapter.'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    loaded = json.loads(out.splitlines()[-1])
    heavy = [m for m in loaded if m.split(".")[1] in {"sandbox", "bench", "chaos", "commands"}]
    assert heavy == []


@pytest.mark.parametrize(("name", "module"), [(n, m) for n, m, _ in COMMANDS])
def test_each_command_parses_with_only_its_module(name: str, module: str) -> None:
    parser = build_parser(name)
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert subparsers.choices[name].get_default("handler") is not None or any(
        isinstance(a, argparse._SubParsersAction) for a in subparsers.choices[name]._actions
    ), module

"""The core is pure: only the standard library (minus I/O, clock, environment) and pydantic.

The rings around it (app, edges, sandbox) are checked in ``test_layering.py``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "adapter" / "core"

FORBIDDEN_STDLIB = {
    "asyncio",
    "ftplib",
    "glob",
    "http",
    "imaplib",
    "io",
    "logging",
    "mmap",
    "multiprocessing",
    "os",
    "pathlib",
    "poplib",
    "random",
    "secrets",
    "select",
    "selectors",
    "shutil",
    "signal",
    "smtplib",
    "socket",
    "socketserver",
    "sqlite3",
    "ssl",
    "subprocess",
    "sys",
    "tempfile",
    "threading",
    "time",
    "urllib",
    "webbrowser",
}
ALLOWED_THIRD_PARTY = {"pydantic", "pydantic_core", "typing_extensions", "annotated_types"}
CLOCK_CALLS = {"now", "today", "utcnow", "time_ns", "monotonic", "perf_counter"}


def core_modules() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def imported_roots(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_imports_only_pure_modules(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for line, module in imported_roots(tree):
        root = module.split(".")[0]
        if module.startswith("adapter."):
            if not module.startswith("adapter.core"):
                problems.append(f"line {line}: {module} (the core imports nothing outside it)")
        elif root in sys.stdlib_module_names:
            if root in FORBIDDEN_STDLIB:
                problems.append(f"line {line}: {module} (I/O, clock or environment)")
        elif root not in ALLOWED_THIRD_PARTY and root != "__future__":
            problems.append(f"line {line}: {module} (third-party library)")
    assert not problems, problems


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_reads_no_clock(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [
        f"line {node.lineno}: .{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in CLOCK_CALLS
    ]
    assert not calls, calls


def test_the_check_catches_a_forbidden_import() -> None:
    tree = ast.parse("import socket\nfrom httpx import Client\nfrom adapter.edges import x\n")
    roots = [m for _, m in imported_roots(tree)]
    assert roots == ["socket", "httpx", "adapter.edges"]

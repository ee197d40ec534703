"""The rings of docs/architecture.md, enforced over every module of the package.

- core imports nothing of the adapter outside core (``test_core_imports`` also keeps it pure);
- app imports only app and core: no edge, nothing of the composition root or the test bed;
- edges import inward only (app ports, core, other edges, shared helpers);
- the sandbox, a separate program, reaches none of the adapter's rules or rings, not even
  through another module: it may share only the pure helpers listed below.

Every ``import`` counts, wherever it is (inside a function, under ``TYPE_CHECKING``), and an
import of ``adapter.x.y`` also runs the packages ``adapter`` and ``adapter.x``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "adapter"


def module_of(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {module_of(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _named(module: str, modules: Iterable[str]) -> str | None:
    """The module (or package) an import statement names, by its longest known prefix."""
    known = set(modules)
    parts = module.split(".")
    while parts:
        name = ".".join(parts)
        if name in known:
            return name
        parts.pop()
    return None


def imported(source: str, here: str, modules: Iterable[str]) -> set[str]:
    """The adapter modules that the code of module ``here`` imports directly."""
    known = set(modules)
    package = here if f"{here}.__init__" in known or _is_package(here) else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        for target in targets:
            name = _named(target, known)
            if name is not None and name.startswith("adapter"):
                found.add(name)
    return found


def _is_package(name: str) -> bool:
    path = MODULES.get(name)
    return path is not None and path.name == "__init__.py"


def with_parents(names: Iterable[str]) -> set[str]:
    """Importing ``adapter.a.b`` runs ``adapter`` and ``adapter.a`` first."""
    out: set[str] = set()
    for name in names:
        parts = name.split(".")
        out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return out


GRAPH: dict[str, set[str]] = {
    name: with_parents(imported(path.read_text(encoding="utf-8"), name, MODULES)) - {name}
    for name, path in MODULES.items()
}


def reachable(start: str, graph: dict[str, set[str]]) -> dict[str, str]:
    """Every module ``start`` loads, directly or not, with the module that imports it."""
    seen: dict[str, str] = {}
    todo = [start]
    while todo:
        current = todo.pop()
        for name in graph.get(current, set()):
            if name not in seen and name != start:
                seen[name] = current
                todo.append(name)
    return seen


def chain(start: str, end: str, via: dict[str, str]) -> str:
    steps = [end]
    while steps[-1] != start:
        steps.append(via.get(steps[-1], start))
    return " -> ".join(reversed(steps))


def within(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def ring(prefix: str) -> list[str]:
    return [name for name in MODULES if within(name, prefix)]


# The outer ring: the composition root, the commands and the test bed (the demo, the benchmark,
# the chaos suite, the sandbox). Nothing inward may import any of them.
OUTER = (
    "adapter.bootstrap",
    "adapter.cli",
    "adapter.commands",
    "adapter.settings",
    "adapter.logging",
    "adapter.demo_harness",
    "adapter.demo_events",
    "adapter.processes",
    "adapter.bench",
    "adapter.chaos",
    "adapter.sandbox",
)

SANDBOX_MAY_SHARE = (
    # Pure helpers only: what a stand-in for ONSS may share without sharing a bug.
    "adapter",  # the package's docstring and version
    "adapter.child_processes",  # the launcher's prctl helper (not the sandbox's rules)
    "adapter.core",  # the package docstring, loaded before any core helper
    "adapter.core.identifiers",  # check digits of SSINs and company numbers
    "adapter.core.errors",  # the identifiers' error class (and what it needs:)
    "adapter.core.reasons",  # ...its dead-letter reason codes
)


def test_every_ring_is_found() -> None:
    for prefix in ("adapter.core", "adapter.app", "adapter.edges", "adapter.sandbox"):
        assert len(ring(prefix)) > 3, prefix
    assert "adapter.core.machine" in GRAPH["adapter.app.driver"]


@pytest.mark.parametrize("module", ring("adapter.core"))
def test_core_imports_only_core(module: str) -> None:
    outside = sorted(n for n in GRAPH[module] if not within(n, "adapter.core") and n != "adapter")
    assert not outside, f"{module} imports {outside}"


@pytest.mark.parametrize("module", ring("adapter.app"))
def test_app_imports_only_app_and_core(module: str) -> None:
    outside = sorted(
        n for n in GRAPH[module] if not within(n, "adapter.app", "adapter.core") and n != "adapter"
    )
    assert not outside, f"{module} imports {outside} (app is written against ports)"


@pytest.mark.parametrize("module", ring("adapter.edges"))
def test_edges_import_nothing_of_the_outer_ring(module: str) -> None:
    outer = sorted(n for n in GRAPH[module] if within(n, *OUTER))
    assert not outer, f"{module} imports {outer}"


@pytest.mark.parametrize("module", ring("adapter.sandbox"))
def test_the_sandbox_reaches_none_of_the_adapter(module: str) -> None:
    via = reachable(module, GRAPH)
    shared = sorted(
        chain(module, n, via)
        for n in via
        if not within(n, "adapter.sandbox") and n not in SANDBOX_MAY_SHARE
    )
    assert not shared, f"the sandbox loads the adapter's own code: {shared}"


def test_the_check_sees_local_relative_and_submodule_imports() -> None:
    modules = {"adapter", "adapter.core", "adapter.core.rules", "adapter.edges.store.sql"}
    source = (
        "from adapter.core import rules\n"
        "def f():\n"
        "    from adapter.edges.store.sql import SqlStore\n"
        "from . import rules as same\n"
    )
    assert imported(source, "adapter.core.x", modules) == {
        "adapter.core",
        "adapter.core.rules",
        "adapter.edges.store.sql",
    }


def test_the_check_follows_chains() -> None:
    graph = {"a.s": {"a.helper"}, "a.helper": {"a.core.rules"}, "a.core.rules": set()}
    via = reachable("a.s", graph)
    assert chain("a.s", "a.core.rules", via) == "a.s -> a.helper -> a.core.rules"

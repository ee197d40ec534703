"""One error tree: every exception class defined in adapter/ derives from ``AdapterError``.

The walk imports every module of the package (``__main__`` modules aside: importing one runs
the program) and looks at the exception classes each defines.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import adapter
from adapter.core import errors

NOT_IN_THE_TREE = {
    # The sandbox is a separate program, the ONSS stand-in the adapter reaches over the
    # network: it shares nothing of the adapter's code but pure helpers, so its errors have
    # their own meanings (HTTP problems, SOAP faults, bad admin input) and their own handlers.
    "adapter.sandbox.faults.FaultError",
    "adapter.sandbox.oauth.TokenError",
    "adapter.sandbox.process.SandboxStartError",
    "adapter.sandbox.scenarios.ScenarioError",
    "adapter.sandbox.soap.envelope.SoapFault",
}

GROUPS = (
    errors.InvalidInput,
    errors.TransientError,
    errors.PermanentError,
    errors.UncertainOutcome,
    errors.OwnershipLost,
    errors.FatalConfiguration,
    errors.OperatorNeeded,
    errors.BrokenInvariant,
)
"""What the loop does with an error: each class of the tree is in exactly one group."""


def defined_exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(adapter.__path__, "adapter."):
        if info.name.rsplit(".", 1)[-1] == "__main__":
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
            ):
                found[f"{module.__name__}.{name}"] = value
    return found


DEFINED = defined_exceptions()


def test_the_walk_finds_the_exceptions_of_every_ring() -> None:
    assert "adapter.core.machine.IllegalTransition" in DEFINED
    assert "adapter.app.breaker.DeadLetterRateExceeded" in DEFINED
    assert "adapter.edges.store.sql.UnknownDeclarationError" in DEFINED
    assert "adapter.sandbox.soap.envelope.SoapFault" in DEFINED


def test_every_exception_derives_from_the_root() -> None:
    outside = sorted(
        name
        for name, cls in DEFINED.items()
        if not issubclass(cls, errors.AdapterError) and name not in NOT_IN_THE_TREE
    )
    assert not outside, f"derive these from a group of adapter.core.errors: {outside}"


def test_the_allow_list_is_not_stale() -> None:
    assert DEFINED.keys() >= NOT_IN_THE_TREE
    assert not [n for n in NOT_IN_THE_TREE if issubclass(DEFINED[n], errors.AdapterError)]


def test_every_error_is_in_exactly_one_group() -> None:
    tree = {n: c for n, c in DEFINED.items() if issubclass(c, errors.AdapterError)}
    roots = {f"adapter.core.errors.{c.__name__}" for c in (errors.AdapterError, *GROUPS)}
    ungrouped = sorted(
        name
        for name, cls in tree.items()
        if name not in roots and sum(issubclass(cls, g) for g in GROUPS) != 1
    )
    assert not ungrouped, ungrouped


def test_the_groups_are_the_children_of_the_root() -> None:
    children = {c for c in DEFINED.values() if errors.AdapterError in c.__bases__}
    assert children == set(GROUPS)


def test_the_docstring_draws_every_group() -> None:
    tree = errors.__doc__ or ""
    assert all(group.__name__ in tree for group in GROUPS)

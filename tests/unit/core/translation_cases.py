"""Helpers shared by the ``test_core_translation*.py`` modules: run a translation, read it."""

from __future__ import annotations

from datetime import date

from adapter.core.declarations import InDeclaration
from adapter.core.events import EmploymentEvent
from adapter.core.periods import KnownPeriod
from adapter.core.translation import Translation, translate
from tests.unit.core.core_factories import TODAY

D = date.fromisoformat


def run(event: EmploymentEvent, periods: list[KnownPeriod] | None = None) -> Translation:
    result = translate(event, periods or [], today=TODAY)
    assert result.ok, result.violations
    return result


def kinds(result: Translation) -> list[str]:
    return [d.kind.value for d in result.declarations]


def ins(result: Translation) -> list[InDeclaration]:
    return [d for d in result.declarations if isinstance(d, InDeclaration)]

"""From an employment event and the known periods of its employment to Dimona declarations.

``translate`` is pure: the event, what ONSS knows (``KnownPeriod``) and today's date in,
the ordered declarations (or the violations) out. ``apply_submission`` / ``apply_answer``
keep the known periods up to date as the pipeline sends declarations and reads answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from adapter.core.declarations import Declaration
from adapter.core.errors import Violation
from adapter.core.events import EmploymentEvent, EventType
from adapter.core.periods import KnownPeriod, live_periods
from adapter.core.rules import RuleCode, validate_declaration, validate_event
from adapter.core.translation.answers import apply_answer, apply_submission, resolve_period_ids
from adapter.core.translation.desired import desired_ins
from adapter.core.translation.leave import cancel_declarations, leave_declarations
from adapter.core.translation.options import TranslationOptions
from adapter.core.translation.reconcile import reconcile

__all__ = [
    "Translation",
    "TranslationOptions",
    "apply_answer",
    "apply_submission",
    "resolve_period_ids",
    "translate",
]

_DEFAULT = TranslationOptions()


@dataclass(frozen=True, slots=True)
class Translation:
    declarations: tuple[Declaration, ...] = ()
    violations: tuple[Violation, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.violations


def translate(
    event: EmploymentEvent,
    periods: Sequence[KnownPeriod],
    *,
    today: date,
    options: TranslationOptions | None = None,
) -> Translation:
    opts = options or _DEFAULT
    violations = validate_event(event, today=today, options=opts.rules)
    if violations:
        return Translation(violations=violations)
    live = live_periods(list(periods))
    declarations: tuple[Declaration, ...]
    if event.event_type in (EventType.HIRE, EventType.CHANGE):
        wanted, shape = desired_ins(event, today=today, options=opts)
        declarations = reconcile(wanted, live, shape)
    elif event.event_type is EventType.LEAVE:
        assert event.leave is not None
        if not live:
            return Translation(
                violations=(
                    Violation(
                        RuleCode.NO_KNOWN_PERIOD,
                        "leave",
                        "no Dimona period of this employment is known: there is nothing to close",
                    ),
                )
            )
        declarations = leave_declarations(event.leave, live)
    else:
        declarations = cancel_declarations(live)
    problems = tuple(
        v for d in declarations for v in validate_declaration(d, today=today, options=opts.rules)
    )
    if problems:
        return Translation(violations=problems)
    return Translation(declarations=declarations)

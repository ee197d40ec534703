"""``dimona-adapter translate``: one employment event (JSON form) to Dimona REST v2 bodies.

Exit codes: 0 the event is valid (the bodies are printed as a JSON array), 1 it breaks a
Dimona rule (the violations are printed), 2 it cannot be read (file, JSON or structure).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from adapter.core.declarations import UnresolvedPeriod
from adapter.core.errors import Violation
from adapter.core.events import EmploymentEvent
from adapter.core.periods import KnownPeriod
from adapter.core.rules import violations_from_validation_error
from adapter.core.translation import translate
from adapter.edges.dimona_rest.wire import declaration_to_body

VALID, VIOLATES, UNREADABLE = 0, 1, 2
_PERIODS = TypeAdapter(list[KnownPeriod])


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "translate",
        help="print the Dimona declarations one employment event needs",
        description="Read one EmploymentEvent in its JSON form (see docs/contracts.md) and "
        "print the exact Dimona REST v2 bodies it translates to, or the rules it breaks. "
        "Exit 0 valid, 1 rule violated, 2 unreadable.",
    )
    parser.add_argument(
        "file", nargs="?", default="-", help="the event as JSON; '-' or nothing reads stdin"
    )
    parser.add_argument(
        "--periods",
        metavar="FILE",
        help="JSON array of the employment's known periods "
        '(e.g. [{"periodId": 656309300157, "startDate": "2026-03-02", "workerType": "OTH", '
        '"jointCommittee": "XXX", "state": "ACTIVE"}])',
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="the declaration date (YYYY-MM-DD; default: today)",
    )
    parser.set_defaults(handler=run)


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    return Path(name).read_text(encoding="utf-8")


def _emit(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def _violations(violations: tuple[Violation, ...]) -> dict[str, Any]:
    return {
        "violations": [
            {"code": str(v.code), "field": v.field, "message": v.message} for v in violations
        ]
    }


def _body(declaration: Any) -> dict[str, Any]:
    try:
        return declaration_to_body(declaration)
    except UnresolvedPeriod:
        # The period's IN is still pending: show where the id will go once it is known.
        body = declaration_to_body(declaration.model_copy(update={"period_id": 0}))
        next(iter(body.values()))["periodId"] = None
        return body


def run(args: argparse.Namespace) -> int:
    try:
        event = EmploymentEvent.model_validate_json(_read(args.file))
        periods = _PERIODS.validate_json(_read(args.periods)) if args.periods else []
    except ValidationError as exc:
        violations = violations_from_validation_error(exc)
        if exc.title != EmploymentEvent.__name__:
            violations = tuple(
                Violation(
                    v.code, f"periods{v.field}" if v.field.startswith("[") else "periods", v.message
                )
                for v in violations
            )
        _emit(_violations(violations))
        return UNREADABLE
    except (OSError, UnicodeDecodeError) as exc:
        sys.stderr.write(f"dimona-adapter translate: cannot read the input: {exc}\n")
        return UNREADABLE
    today = args.today or date.today()  # noqa: DTZ011 - the CLI is the edge that owns the clock
    result = translate(event, periods, today=today)
    if result.violations:
        _emit(_violations(result.violations))
        return VIOLATES
    _emit([_body(d) for d in result.declarations])
    return VALID

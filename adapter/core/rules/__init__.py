"""The Dimona rules that can be checked before submission.

``validate_event`` checks an employment event; ``validate_declaration`` checks one
declaration as ONSS will receive it. Each broken rule is a :class:`Violation` with a stable
code (:class:`RuleCode`), the camelCase field path in the event and a plain message.
"""

from __future__ import annotations

from datetime import date

from pydantic import ValidationError
from pydantic.alias_generators import to_camel

from adapter.core import codes
from adapter.core.declarations import (
    REOPEN_END_DATE,
    CancelDeclaration,
    Declaration,
    InDeclaration,
    OutDeclaration,
    UpdateDeclaration,
)
from adapter.core.errors import Violation
from adapter.core.events import EmploymentEvent, EventType
from adapter.core.identifiers import InvalidIdentifier, parse_dimona_id
from adapter.core.masking import conceal, is_personal_field, mask_ssin
from adapter.core.rules import blocks
from adapter.core.rules.catalogue import RuleCode
from adapter.core.rules.facts import facts_from_contract, facts_from_in
from adapter.core.rules.identity import check_address, check_employer, check_worker
from adapter.core.rules.options import RuleOptions
from adapter.core.rules.period import EARLIEST_END, check_period

__all__ = [
    "RuleCode",
    "RuleOptions",
    "validate_declaration",
    "validate_event",
    "violations_from_validation_error",
]

_DEFAULT = RuleOptions()


def validate_event(
    event: EmploymentEvent, *, today: date, options: RuleOptions | None = None
) -> tuple[Violation, ...]:
    opts = options or _DEFAULT
    out = check_employer(event.employer)
    contract = event.contract
    declared = event.event_type in (EventType.HIRE, EventType.CHANGE)
    out += check_worker(
        event.worker,
        today=today,
        declared=declared,
        worker_type=contract.worker_type if contract else None,
    )
    if contract is not None:
        out += check_period(facts_from_contract(contract, opts), today=today, options=opts)
        out += blocks.check_contract_blocks(contract)
    if event.leave is not None:
        out += _check_end(event.leave.last_day, "leave.lastDay", today)
    return tuple(out)


def validate_declaration(
    declaration: Declaration, *, today: date, options: RuleOptions | None = None
) -> tuple[Violation, ...]:
    opts = options or _DEFAULT
    if isinstance(declaration, InDeclaration):
        out = check_employer(declaration.employer)
        out += check_worker(
            declaration.worker, today=today, declared=True, worker_type=declaration.worker_type
        )
        out += check_period(facts_from_in(declaration), today=today, options=opts)
        if declaration.student_place_of_work is not None:
            out += check_address(
                declaration.student_place_of_work.address,
                "contract.studentPlaceOfWork.address",
                street_max=42,
            )
        return tuple(out)
    out = _check_period_id(declaration.period_id, opts)
    if isinstance(declaration, OutDeclaration):
        out += _check_end(declaration.end_date, "leave.lastDay", today)
    elif isinstance(declaration, UpdateDeclaration):
        out += _check_update(declaration, today)
    else:
        assert isinstance(declaration, CancelDeclaration)
    return tuple(out)


def _check_period_id(period_id: int | None, options: RuleOptions) -> list[Violation]:
    if period_id is None:
        return []
    try:
        parse_dimona_id(period_id, verify_check_digits=options.verify_dimona_id_check_digits)
    except InvalidIdentifier as exc:
        return [Violation(RuleCode.PERIOD_ID_INVALID, "periodId", exc.message)]
    return []


def _check_end(end: date, field: str, today: date) -> list[Violation]:
    if end >= EARLIEST_END and end.year < today.year + 10:
        return []
    return [
        Violation(
            RuleCode.END_DATE_OUT_OF_RANGE,
            field,
            f"the end date must be between 1999-01-01 and the end of {today.year + 9}",
        )
    ]


def _check_update(update: UpdateDeclaration, today: date) -> list[Violation]:
    out: list[Violation] = []
    if update.start_date is None and update.end_date is None:
        out.append(
            Violation(
                RuleCode.UPDATE_WITHOUT_DATES,
                "contract.startDate",
                "an update carries the start date, the end date or both",
            )
        )
    if update.start_date is not None and update.worker_type == "STU":
        out.append(
            Violation(
                RuleCode.UPDATE_START_DATE_FORBIDDEN,
                "contract.startDate",
                "the start date of a student period cannot be changed: cancel and declare again",
            )
        )
    out += _check_update_fields(update)
    if update.end_date is not None and update.end_date != REOPEN_END_DATE:
        out += _check_end(update.end_date, "contract.endDate", today)
        start = update.start_date or update.period_start
        if update.end_date < start:
            out.append(
                Violation(
                    RuleCode.END_BEFORE_START,
                    "contract.endDate",
                    "the end date is before the start date",
                )
            )
        elif (
            update.end_date == start
            and update.start_time is not None
            and update.end_time is not None
            and update.end_time <= update.start_time
        ):
            out.append(
                Violation(
                    RuleCode.END_HOUR_BEFORE_START_HOUR,
                    "contract.endTime",
                    "the end time is not after the start time on the same day",
                )
            )
    return out


def _check_update_fields(update: UpdateDeclaration) -> list[Violation]:
    """Hours and planned hours of an UPDATE follow the period's worker type."""
    worker_type = update.worker_type
    if worker_type is None:
        return []
    out: list[Violation] = []
    timed = worker_type in ("EXT", "FLX")
    if not timed and (update.start_time is not None or update.end_time is not None):
        out.append(
            Violation(
                RuleCode.HOURS_FORBIDDEN,
                "contract.startTime",
                "times are only declared for occasional workers (EXT) and one-day flexi jobs",
            )
        )
    planned = worker_type in codes.PLANNED_HOURS_TYPES
    if planned and update.planned_hours is None:
        out.append(
            Violation(
                RuleCode.PLANNED_HOURS_REQUIRED,
                "contract.plannedHours",
                f"an update of a {worker_type} period repeats its planned hours",
            )
        )
    elif not planned and update.planned_hours is not None:
        out.append(
            Violation(
                RuleCode.PLANNED_HOURS_FORBIDDEN,
                "contract.plannedHours",
                "planned hours are only declared for STU, O17 and S17",
            )
        )
    elif update.planned_hours is not None and not 1 <= update.planned_hours <= 999:
        out.append(
            Violation(
                RuleCode.PLANNED_HOURS_OUT_OF_RANGE,
                "contract.plannedHours",
                "planned hours must be between 1 and 999",
            )
        )
    return out


def violations_from_validation_error(error: ValidationError) -> tuple[Violation, ...]:
    """pydantic's structural errors as violations (code ``SCHEMA``, camelCase field paths)."""
    out: list[Violation] = []
    for item in error.errors(include_url=False):
        parts = [to_camel(p) if isinstance(p, str) else f"[{p}]" for p in item["loc"]]
        field = ".".join(parts).replace(".[", "[") or "event"
        message = str(item["msg"]).removeprefix("Value error, ")
        # pydantic's messages may quote the input: never that of a personal field.
        message = conceal(message, item["input"]) if is_personal_field(field) else message
        out.append(Violation(RuleCode.SCHEMA, field, mask_ssin(message)))
    return tuple(out)

"""Rules on the period a contract asks for, checked on the contract and on each IN.

The same checks run twice: on the event's contract (``split=False``: the contract may
still span quarters or days, the translation splits it) and on every IN the translation
produces (``split=True``: one declaration, as ONSS will see it).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from adapter.core import codes
from adapter.core.errors import Violation
from adapter.core.rules.catalogue import RuleCode
from adapter.core.rules.facts import P, PeriodFacts
from adapter.core.rules.features import check_blocks, check_using_employer
from adapter.core.rules.options import RuleOptions
from adapter.core.rules.quarters import quarter_start, same_quarter, split_by_quarter

EARLIEST_START = date(1920, 1, 1)
EARLIEST_END = date(1999, 1, 1)


def quarter_pieces(f: PeriodFacts, options: RuleOptions) -> int:
    """How many INs a quarter-split contract becomes (1 when it is not split)."""
    if f.terms.end_date is None or f.terms.end_date < f.terms.start_date or f.terms.is_flexi_day:
        return 1
    if f.terms.worker_type not in options.quarter_split_types:
        return 1
    return len(split_by_quarter(f.terms.start_date, f.terms.end_date))


def check_period(f: PeriodFacts, *, today: date, options: RuleOptions) -> list[Violation]:
    worker_type = codes.WORKER_TYPES.get(f.terms.worker_type)
    if worker_type is None:
        return [
            Violation(
                RuleCode.WORKER_TYPE_UNKNOWN,
                P + "workerType",
                f"{f.terms.worker_type} is not a Dimona worker type",
            )
        ]
    out: list[Violation] = []
    if not worker_type.accepts(f.terms.start_date):
        out.append(
            Violation(
                RuleCode.WORKER_TYPE_NOT_VALID_ON_DATE,
                P + "workerType",
                f"worker type {f.terms.worker_type} ({worker_type.label}) cannot be declared "
                f"for a period starting on {f.terms.start_date.isoformat()}",
            )
        )
    out += _joint_committee(f, options)
    out += _dates(f, today, options)
    out += _hours(f, options)
    out += _planned_hours(f, options)
    out += check_using_employer(f)
    out += check_blocks(f)
    out += _too_early(f, today, options)
    return out


def _joint_committee(f: PeriodFacts, options: RuleOptions) -> list[Violation]:
    out: list[Violation] = []
    if f.actual_joint_committee is None and options.require_joint_committee:
        out.append(
            Violation(
                RuleCode.JOINT_COMMITTEE_REQUIRED,
                P + "jointCommittee",
                "the joint committee of the employment is required",
            )
        )
    if f.terms.worker_type == "EXT" and f.terms.joint_committee not in codes.EXT_JOINT_COMMITTEES:
        out.append(
            Violation(
                RuleCode.JOINT_COMMITTEE_INCOMPATIBLE,
                P + "jointCommittee",
                "occasional workers (EXT) are only declared under joint committee "
                "144, 145, 302, 320 or 322",
            )
        )
    return out


def _dates(f: PeriodFacts, today: date, options: RuleOptions) -> list[Violation]:
    out: list[Violation] = []
    horizon = today.year + 10
    if not (f.terms.start_date >= EARLIEST_START and f.terms.start_date.year < horizon):
        out.append(
            Violation(
                RuleCode.START_DATE_OUT_OF_RANGE,
                P + "startDate",
                f"the start date must be between 1920-01-01 and the end of {horizon - 1}",
            )
        )
    end = f.terms.end_date
    needs_end = (
        f.terms.worker_type in codes.END_DATE_TYPES
        or f.terms.joint_committee == codes.TEMPORARY_AGENCY
    )
    if end is None:
        if needs_end:
            out.append(
                Violation(
                    RuleCode.END_DATE_REQUIRED,
                    P + "endDate",
                    f"an end date is required for worker type {f.terms.worker_type}"
                    + (
                        " and temporary agency work"
                        if f.terms.worker_type not in codes.END_DATE_TYPES
                        else ""
                    ),
                )
            )
        return out
    if not (end >= EARLIEST_END and end.year < horizon):
        out.append(
            Violation(
                RuleCode.END_DATE_OUT_OF_RANGE,
                P + "endDate",
                f"the end date must be between 1999-01-01 and the end of {horizon - 1}",
            )
        )
    if end < f.terms.start_date:
        out.append(
            Violation(
                RuleCode.END_BEFORE_START, P + "endDate", "the end date is before the start date"
            )
        )
        return out
    if f.terms.worker_type in codes.SAME_DAY_TYPES and end != f.terms.start_date:
        out.append(
            Violation(
                RuleCode.END_DATE_MUST_EQUAL_START,
                P + "endDate",
                f"a {f.terms.worker_type} period starts and ends on the same day",
            )
        )
    out += _period_shape(f, end, options)
    return out


def _period_shape(f: PeriodFacts, end: date, options: RuleOptions) -> list[Violation]:
    out: list[Violation] = []
    if f.terms.worker_type == "FLX" and not f.terms.is_flexi_day:
        pieces = split_by_quarter(f.terms.start_date, end)
        if any(a == b for a, b in pieces):
            out.append(
                Violation(
                    RuleCode.END_DATE_MUST_FOLLOW_START,
                    P + "endDate",
                    "a flexi period without hours must last more than one day in each quarter; "
                    "give start and end times for a one-day flexi job",
                )
            )
    if (
        f.split
        and f.terms.worker_type in options.quarter_split_types
        and not f.terms.is_flexi_day
        and not same_quarter(f.terms.start_date, end)
    ):
        out.append(
            Violation(
                RuleCode.NOT_SAME_QUARTER,
                P + "endDate",
                f"a {f.terms.worker_type} period must end in the quarter it starts",
            )
        )
    return out


def _hours(f: PeriodFacts, options: RuleOptions) -> list[Violation]:
    out: list[Violation] = []
    if not f.terms.has_hours:
        for name, value in (("startTime", f.terms.start_time), ("endTime", f.terms.end_time)):
            if value is not None:
                out.append(
                    Violation(
                        RuleCode.HOURS_FORBIDDEN,
                        P + name,
                        "times are only declared for occasional workers (EXT) "
                        "and one-day flexi jobs",
                    )
                )
        return out
    if f.terms.start_time is None:
        out.append(Violation(RuleCode.HOURS_REQUIRED, P + "startTime", "a start time is required"))
    if f.terms.end_time is None and (f.terms.is_flexi_day or options.ext_end_time_required):
        out.append(Violation(RuleCode.HOURS_REQUIRED, P + "endTime", "an end time is required"))
    if f.terms.start_time is None or f.terms.end_time is None or f.terms.end_date is None:
        return out
    return out + _shift_span(f, f.terms.start_time, f.terms.end_time, f.terms.end_date)


def _shift_span(f: PeriodFacts, start_time: time, end_time: time, end: date) -> list[Violation]:
    """How far a timed period (EXT, one-day flexi) may reach past its start."""
    out: list[Violation] = []
    days = (end - f.terms.start_date).days
    if days < 0:
        return out
    overnight = end_time <= start_time
    if overnight and days == 0:
        out.append(
            Violation(
                RuleCode.END_HOUR_BEFORE_START_HOUR,
                P + "endTime",
                "the end time is not after the start time on the same day; "
                "a shift past midnight ends on the next day",
            )
        )
        return out
    if f.terms.worker_type == "EXT":
        if days > 1:
            out.append(
                Violation(
                    RuleCode.OCCASIONAL_TOO_MANY_DAYS,
                    P + "endDate",
                    "an occasional worker (EXT) period covers at most two consecutive days",
                )
            )
        elif _duration(f.terms.start_date, start_time, end, end_time) > timedelta(hours=24):
            out.append(
                Violation(
                    RuleCode.PERIOD_TOO_LONG, P + "endTime", "an EXT period lasts at most 24 hours"
                )
            )
    elif f.split and (days > 1 or (days == 1 and not overnight)):
        out.append(
            Violation(
                RuleCode.PERIOD_TOO_LONG,
                P + "endDate",
                "a one-day flexi job ends on its start day or, past midnight, the next day",
            )
        )
    elif not f.split and days >= 1 and overnight and days != 1:
        out.append(
            Violation(
                RuleCode.END_HOUR_BEFORE_START_HOUR,
                P + "endTime",
                "each day's flexi shift must end after it starts",
            )
        )
    return out


def _duration(start: date, start_time: time, end: date, end_time: time) -> timedelta:
    return datetime.combine(end, end_time) - datetime.combine(start, start_time)


def _planned_hours(f: PeriodFacts, options: RuleOptions) -> list[Violation]:
    field = P + "plannedHours"
    if f.terms.worker_type not in codes.PLANNED_HOURS_TYPES:
        if f.terms.planned_hours is not None:
            return [
                Violation(
                    RuleCode.PLANNED_HOURS_FORBIDDEN,
                    field,
                    "planned hours are only declared for STU, O17 and S17",
                )
            ]
        return []
    if f.terms.planned_hours is None:
        return [
            Violation(
                RuleCode.PLANNED_HOURS_REQUIRED,
                field,
                f"planned hours are required for worker type {f.terms.worker_type}",
            )
        ]
    hours = f.terms.planned_hours  # whole: a contract's are rounded up, as they are declared
    pieces = quarter_pieces(f, options)
    if hours < pieces or hours > options.max_planned_hours * pieces:
        span = f" per quarter ({pieces} quarters)" if pieces > 1 else ""
        return [
            Violation(
                RuleCode.PLANNED_HOURS_OUT_OF_RANGE,
                field,
                f"planned hours must be between 1 and {options.max_planned_hours}{span}",
            )
        ]
    return []


def earliest_declaration_date(worker_type: str, start: date, options: RuleOptions) -> date | None:
    """The first day ONSS accepts an IN for a period starting on ``start`` (None: no limit)."""
    if worker_type == "FLX":
        return quarter_start(start) - timedelta(
            days=options.flexi_declared_at_most_days_before_quarter
        )
    if worker_type in codes.ARTICLE_17_EARLY_LIMIT_TYPES:
        return start - timedelta(days=options.article17_declared_at_most_days_before_start)
    return None


def _too_early(f: PeriodFacts, today: date, options: RuleOptions) -> list[Violation]:
    # On a contract the translation defers early INs (``not_before``): only INs are checked.
    if not f.split:
        return []
    worker_type, start = f.terms.worker_type, f.terms.start_date
    earliest = earliest_declaration_date(worker_type, start, options)
    declared_on = max(today, f.not_before) if f.not_before else today
    if earliest is not None and declared_on < earliest:
        return [
            Violation(
                RuleCode.DECLARED_TOO_EARLY,
                P + "startDate",
                f"a {worker_type} period starting on {start.isoformat()} cannot be "
                f"declared before {earliest.isoformat()}",
            )
        ]
    return []

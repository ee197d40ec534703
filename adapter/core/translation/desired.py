"""From a contract to the IN declarations it needs: one, one per quarter, or one per day."""

from __future__ import annotations

import math
from datetime import date

from adapter.core import codes
from adapter.core.declarations import DeclaredUsingEmployer, InDeclaration
from adapter.core.events import Contract, EmploymentEvent, Worker
from adapter.core.rules.period import earliest_declaration_date
from adapter.core.rules.quarters import days_between, quarter_of, split_by_quarter
from adapter.core.translation.options import TranslationOptions

Piece = tuple[date, date | None]


class Shape:
    """How a contract maps to periods: the key that pairs a period with its replacement."""

    SINGLE = "single"
    QUARTER = "quarter"
    DAY = "day"


def shape_of(contract: Contract, options: TranslationOptions) -> str:
    if contract.worker_type == "FLX" and (contract.start_time or contract.end_time):
        return Shape.DAY
    if contract.worker_type in options.rules.quarter_split_types and contract.end_date:
        return Shape.QUARTER
    return Shape.SINGLE


def period_key(shape: str, start: date) -> object:
    if shape == Shape.DAY:
        return start
    if shape == Shape.QUARTER:
        return quarter_of(start)
    return None


def _pieces(contract: Contract, shape: str) -> tuple[Piece, ...]:
    start, end = contract.start_date, contract.end_date
    if shape == Shape.QUARTER:
        assert end is not None
        return split_by_quarter(start, end)
    if shape == Shape.DAY:
        last = end or start
        st, et = contract.start_time, contract.end_time
        overnight = st is not None and et is not None and et <= st
        if overnight and (last - start).days == 1:
            return ((start, last),)  # one shift past midnight
        return tuple((d, d) for d in days_between(start, last))
    return ((start, end),)


def split_hours(total: int, weights: list[int], cap: int = 999) -> list[int]:
    """Split ``total`` over the pieces in proportion to ``weights``, each in ``1..cap``.

    Largest remainder, ties to the earliest piece; hours above ``cap`` move to the pieces
    with the most weight that still have room. The parts sum to ``total`` exactly.
    """
    n = len(weights)
    if not n <= total <= cap * n:
        raise ValueError("the hours do not fit the pieces")
    rest = total - n
    weight_sum = sum(weights)
    exact = [rest * w / weight_sum for w in weights]
    parts = [math.floor(x) for x in exact]
    left = rest - sum(parts)
    order = sorted(range(n), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    hours = [p + 1 for p in parts]
    excess = sum(max(0, h - cap) for h in hours)
    hours = [min(h, cap) for h in hours]
    for i in sorted(range(n), key=lambda i: (-weights[i], i)):
        moved = min(excess, cap - hours[i])
        hours[i] += moved
        excess -= moved
    return hours


def declared_worker(worker: Worker, options: TranslationOptions) -> Worker:
    """With an SSIN only the SSIN is sent (D-11)."""
    if worker.ssin is not None and not options.send_identification_with_ssin:
        return Worker(ssin=worker.ssin)
    return worker


def desired_ins(
    event: EmploymentEvent, *, today: date, options: TranslationOptions
) -> tuple[tuple[InDeclaration, ...], str]:
    contract = event.contract
    assert contract is not None
    shape = shape_of(contract, options)
    pieces = _pieces(contract, shape)
    worker_type = contract.worker_type
    hours: list[int | None] = [None] * len(pieces)
    if worker_type in codes.PLANNED_HOURS_TYPES and contract.planned_hours is not None:
        weights = [((e or s) - s).days + 1 for s, e in pieces]
        hours = list(
            split_hours(math.ceil(contract.planned_hours), weights, options.rules.max_planned_hours)
        )
    user = contract.using_employer
    declared_user = (
        DeclaredUsingEmployer(
            enterprise_number=user.enterprise_number,
            name=user.name,
            address=user.address,
            joint_committee=codes.declared_user_joint_committee(user.joint_committee),
        )
        if user
        else None
    )
    timed = shape == Shape.DAY or worker_type == "EXT"
    ins = []
    for (start, end), planned in zip(pieces, hours, strict=True):
        earliest = earliest_declaration_date(worker_type, start, options.rules)
        ins.append(
            InDeclaration(
                employer=event.employer,
                worker=declared_worker(event.worker, options),
                start_date=start,
                start_time=contract.start_time if timed else None,
                end_date=end,
                end_time=contract.end_time if timed else None,
                planned_hours=planned,
                worker_type=worker_type,
                joint_committee=codes.declared_joint_committee(
                    contract.joint_committee,
                    worker_type,
                    sector_committee_types=options.rules.sector_committee_types,
                ),
                actual_joint_committee=contract.joint_committee,
                using_employer=declared_user,
                student_place_of_work=contract.student_place_of_work,
                construction_cards=contract.construction_cards,
                small_statutes=contract.small_statutes,
                not_before=earliest if earliest is not None and earliest > today else None,
            )
        )
    return tuple(ins), shape

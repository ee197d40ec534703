"""What the period rules look at, taken from an event's contract or from an IN."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from adapter.core import codes
from adapter.core.declarations import DeclaredUsingEmployer, InDeclaration
from adapter.core.events import ConstructionCards, Contract, UsingEmployer
from adapter.core.rules.options import RuleOptions

P = "contract."
"""Violations point at the contract section of the event, for INs too."""


@dataclass(frozen=True, slots=True)
class PeriodFacts:
    """What the period rules look at, whether it comes from a contract or an IN."""

    start_date: date
    start_time: time | None
    end_date: date | None
    end_time: time | None
    worker_type: str
    actual_joint_committee: str | None
    declared_joint_committee: str
    planned_hours: float | None
    using_employer: UsingEmployer | DeclaredUsingEmployer | None
    user_declared_joint_committee: str | None
    has_place_of_work: bool
    cards: ConstructionCards | None
    has_small_statutes: bool
    split: bool
    not_before: date | None = None

    @property
    def is_flexi_day(self) -> bool:
        return self.worker_type == "FLX" and (
            self.start_time is not None or self.end_time is not None
        )

    @property
    def has_hours(self) -> bool:
        return self.worker_type == "EXT" or self.is_flexi_day


def facts_from_contract(contract: Contract, options: RuleOptions) -> PeriodFacts:
    user = contract.using_employer
    return PeriodFacts(
        start_date=contract.start_date,
        start_time=contract.start_time,
        end_date=contract.end_date,
        end_time=contract.end_time,
        worker_type=contract.worker_type,
        actual_joint_committee=contract.joint_committee,
        declared_joint_committee=codes.declared_joint_committee(
            contract.joint_committee,
            contract.worker_type,
            sector_committee_types=options.sector_committee_types,
        ),
        planned_hours=contract.planned_hours,
        using_employer=user,
        user_declared_joint_committee=(
            codes.declared_user_joint_committee(user.joint_committee) if user else None
        ),
        has_place_of_work=contract.student_place_of_work is not None,
        cards=contract.construction_cards,
        has_small_statutes=contract.small_statutes is not None,
        split=False,
    )


def facts_from_in(declaration: InDeclaration) -> PeriodFacts:
    user = declaration.using_employer
    return PeriodFacts(
        start_date=declaration.start_date,
        start_time=declaration.start_time,
        end_date=declaration.end_date,
        end_time=declaration.end_time,
        worker_type=declaration.worker_type,
        actual_joint_committee=declaration.actual_joint_committee or declaration.joint_committee,
        declared_joint_committee=declaration.joint_committee,
        planned_hours=declaration.planned_hours,
        using_employer=user,
        user_declared_joint_committee=user.joint_committee if user else None,
        has_place_of_work=declaration.student_place_of_work is not None,
        cards=declaration.construction_cards,
        has_small_statutes=declaration.small_statutes is not None,
        split=True,
        not_before=declaration.not_before,
    )

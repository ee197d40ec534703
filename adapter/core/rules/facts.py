"""What the period rules look at, taken from an event's contract or from an IN."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from adapter.core import codes
from adapter.core.declarations import DeclaredUsingEmployer, InDeclaration
from adapter.core.events import ConstructionCards, Contract, UsingEmployer
from adapter.core.periods import PeriodTerms
from adapter.core.rules.options import RuleOptions

P = "contract."
"""Violations point at the contract section of the event, for INs too."""


@dataclass(frozen=True, slots=True)
class PeriodFacts:
    """What the period rules look at, whether it comes from a contract or an IN: the period's
    terms and what surrounds them."""

    terms: PeriodTerms
    """For a contract: its whole period as declared (before any split), times as sent."""
    actual_joint_committee: str | None
    using_employer: UsingEmployer | DeclaredUsingEmployer | None
    user_declared_joint_committee: str | None
    has_place_of_work: bool
    cards: ConstructionCards | None
    has_small_statutes: bool
    split: bool
    not_before: date | None = None


def facts_from_contract(contract: Contract, options: RuleOptions) -> PeriodFacts:
    user = contract.using_employer
    hours = contract.planned_hours
    terms = PeriodTerms(
        start_date=contract.start_date,
        start_time=contract.start_time,
        end_date=contract.end_date,
        end_time=contract.end_time,
        # ONSS counts whole hours; the translation rounds up the same way (desired_ins).
        planned_hours=math.ceil(hours) if hours is not None else None,
        worker_type=contract.worker_type,
        joint_committee=codes.declared_joint_committee(
            contract.joint_committee,
            contract.worker_type,
            sector_committee_types=options.sector_committee_types,
        ),
    )
    return PeriodFacts(
        terms=terms,
        actual_joint_committee=contract.joint_committee,
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
        terms=declaration.terms,
        actual_joint_committee=declaration.actual_joint_committee or declaration.joint_committee,
        using_employer=user,
        user_declared_joint_committee=user.joint_committee if user else None,
        has_place_of_work=declaration.student_place_of_work is not None,
        cards=declaration.construction_cards,
        has_small_statutes=declaration.small_statutes is not None,
        split=True,
        not_before=declaration.not_before,
    )

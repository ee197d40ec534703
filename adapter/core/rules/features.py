"""Rules on the blocks of an IN: user enterprise, place of work, C3.2A cards, small statutes."""

from __future__ import annotations

from adapter.core import codes
from adapter.core.errors import Violation
from adapter.core.identifiers import is_valid_enterprise_number
from adapter.core.rules.catalogue import RuleCode
from adapter.core.rules.facts import P, PeriodFacts


def check_using_employer(f: PeriodFacts) -> list[Violation]:
    field = P + "usingEmployer"
    user = f.using_employer
    if f.terms.joint_committee != codes.TEMPORARY_AGENCY:
        if user is not None:
            return [
                Violation(
                    RuleCode.USING_EMPLOYER_FORBIDDEN,
                    field,
                    "a user enterprise is only declared for temporary agency work "
                    "(joint committee 322)",
                )
            ]
        return []
    if user is None:
        return [
            Violation(
                RuleCode.USING_EMPLOYER_REQUIRED,
                field,
                "temporary agency work (joint committee 322) needs the user enterprise",
            )
        ]
    out: list[Violation] = []
    if user.enterprise_number and user.name:
        out.append(
            Violation(
                RuleCode.USING_EMPLOYER_AMBIGUOUS,
                field,
                "give the user enterprise's number or, when it has none, its name: not both",
            )
        )
    elif not user.enterprise_number and not user.name:
        out.append(
            Violation(
                RuleCode.USING_EMPLOYER_UNIDENTIFIED,
                field,
                "the user enterprise needs its enterprise number or, when it has none, its name",
            )
        )
    if user.enterprise_number and not is_valid_enterprise_number(user.enterprise_number):
        out.append(
            Violation(
                RuleCode.USING_EMPLOYER_ENTERPRISE_NUMBER_INVALID,
                field + ".enterpriseNumber",
                "the user enterprise number is not a valid enterprise number",
            )
        )
    if f.user_declared_joint_committee == codes.TEMPORARY_AGENCY:
        out.append(
            Violation(
                RuleCode.USING_EMPLOYER_JOINT_COMMITTEE,
                field + ".jointCommittee",
                "the user enterprise's joint committee cannot be 322",
            )
        )
    return out


def _cards_rule(f: PeriodFacts) -> str:
    own, user = f.terms.joint_committee, f.user_declared_joint_committee
    worker_type = f.terms.worker_type
    if codes.CONSTRUCTION in (own, user):
        return "required"
    if own == codes.TEMPORARY_AGENCY and user is None and worker_type == "BCW":
        return "required"
    if own == codes.TEMPORARY_AGENCY and worker_type in codes.CONSTRUCTION_OPTIONAL_322_TYPES:
        return "optional"
    return "forbidden"


def check_blocks(f: PeriodFacts) -> list[Violation]:
    out: list[Violation] = []
    if f.has_place_of_work and f.terms.worker_type != "STU":
        out.append(
            Violation(
                RuleCode.STUDENT_PLACE_OF_WORK_FORBIDDEN,
                P + "studentPlaceOfWork",
                "a place of work is only declared for students (STU)",
            )
        )
    rule = _cards_rule(f)
    cards = f.cards
    if rule == "required" and (cards is None or cards.first_month is None):
        out.append(
            Violation(
                RuleCode.CONSTRUCTION_CARDS_REQUIRED,
                P + "constructionCards",
                "construction (joint committee 124) needs the C3.2A control card numbers",
            )
        )
    elif rule == "forbidden" and cards is not None:
        out.append(
            Violation(
                RuleCode.CONSTRUCTION_CARDS_FORBIDDEN,
                P + "constructionCards",
                "C3.2A control cards are only declared for construction work",
            )
        )
    if cards is not None and cards.next_month is not None and cards.next_month == cards.first_month:
        out.append(
            Violation(
                RuleCode.CONSTRUCTION_CARD_REPEATED,
                P + "constructionCards.nextMonth",
                "the next month's C3.2A card must differ from the first month's",
            )
        )
    if f.terms.worker_type in codes.SMALL_STATUTE_TYPES and not f.has_small_statutes:
        out.append(
            Violation(
                RuleCode.SMALL_STATUTES_REQUIRED,
                P + "smallStatutes",
                f"worker type {f.terms.worker_type} needs the small-statutes information",
            )
        )
    elif f.terms.worker_type not in codes.SMALL_STATUTE_TYPES and f.has_small_statutes:
        out.append(
            Violation(
                RuleCode.SMALL_STATUTES_FORBIDDEN,
                P + "smallStatutes",
                "small-statutes information is only declared for IVT, TRI and STG",
            )
        )
    return out

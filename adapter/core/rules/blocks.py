"""Rules on the contract's nested blocks that do not depend on the worker type."""

from __future__ import annotations

from adapter.core.errors import Violation
from adapter.core.events import Contract
from adapter.core.rules.catalogue import RuleCode
from adapter.core.rules.identity import check_address


def check_contract_blocks(contract: Contract) -> list[Violation]:
    out: list[Violation] = []
    place = contract.student_place_of_work
    if place is not None:
        if len(place.name) > 96:
            out.append(
                Violation(
                    RuleCode.TEXT_TOO_LONG,
                    "contract.studentPlaceOfWork.name",
                    "the place of work's name is longer than the 96 characters Dimona accepts",
                )
            )
        out += check_address(place.address, "contract.studentPlaceOfWork.address", street_max=42)
    user = contract.using_employer
    if user is not None and user.address is not None:
        out += check_address(user.address, "contract.usingEmployer.address")
    return out

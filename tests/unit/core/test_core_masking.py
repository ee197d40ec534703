"""The masking convention shared by logs, dead letters and status events."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import AfterValidator, BaseModel, ValidationError

from adapter.core.masking import MASK, conceal, is_personal_field, mask_value
from adapter.core.rules import violations_from_validation_error


@pytest.mark.parametrize(
    ("path", "personal"),
    [
        ("worker.ssin", True),
        ("worker.familyName", True),
        ("worker.givenName", True),
        ("worker.placeOfBirth", True),
        ("contract.usingEmployer.name", True),
        ("workers[2].ssin", True),
        ("names[0]", False),
        ("worker.birthDate", False),
        ("employer.enterpriseNumber", False),
        ("contract.startDate", False),
    ],
)
def test_personal_fields(path: str, personal: bool) -> None:
    assert is_personal_field(path) is personal


def test_a_personal_value_is_shown_as_the_logs_show_it() -> None:
    assert mask_value("85.07.30-033.28") == "850730-***-**"
    assert mask_value("7503030777X") == MASK
    assert mask_value("Peeters") == MASK


def test_conceal_removes_the_value_quoted_or_bare_and_masks_ssins() -> None:
    text = "'7503030777X' is wrong, 7503030777X again, next to 85073003328"
    assert conceal(text, "7503030777X") == "'***' is wrong, *** again, next to 850730-***-**"
    # a value too short to be told from ordinary words is only removed when quoted
    assert conceal("'An' is not a valid name", "An") == "'***' is not a valid name"
    assert conceal("Input should be a valid string", 12) == "Input should be a valid string"


def _echo(value: str) -> str:
    raise ValueError(f"{value!r} is not acceptable")


Echoing = Annotated[str, AfterValidator(_echo)]


class _Worker(BaseModel):
    ssin: Echoing
    family_name: Echoing
    street: Echoing


def test_structural_violations_never_quote_a_personal_value() -> None:
    """pydantic quotes what a validator puts in its message; the violation must not."""
    with pytest.raises(ValidationError) as info:
        _Worker.model_validate(
            {"ssin": "7503030777X", "family_name": "Peeters", "street": "Rue Haute"}
        )
    messages = {v.field: v.message for v in violations_from_validation_error(info.value)}
    assert messages == {
        "ssin": "'***' is not acceptable",
        "familyName": "'***' is not acceptable",
        "street": "'Rue Haute' is not acceptable",  # not personal on its own
    }

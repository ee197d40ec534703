"""Structural errors: a validation error of the event becomes violations (field and message)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from adapter.core.events import EmploymentEvent
from adapter.core.rules import violations_from_validation_error
from tests.unit.core.core_factories import event_dict


def test_validation_error_becomes_violations() -> None:
    body = event_dict(startDate="2026-13-01")
    body["employer"] = {}
    with pytest.raises(ValidationError) as info:
        EmploymentEvent.model_validate(body)
    found = {(v.code, v.field) for v in violations_from_validation_error(info.value)}
    assert ("SCHEMA", "contract.startDate") in found
    assert ("SCHEMA", "employer") in found
    assert all(v.message for v in violations_from_validation_error(info.value))


def test_missing_section_message() -> None:
    with pytest.raises(ValidationError) as info:
        EmploymentEvent.model_validate(event_dict("LEAVE"))
    (violation,) = violations_from_validation_error(info.value)
    assert violation.field == "event"
    assert "needs a leave section" in violation.message

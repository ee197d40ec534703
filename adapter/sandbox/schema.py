"""JSON schema of a REST v2 declaration and the 400 problem issues it produces.

Names follow the v2 clients (reference §4); the shapes the reference marks [L] (usingEmployer)
are accepted as the reference writes them. Unknown fields are refused, as are nulls and empty
strings (reference §8.4 #4).
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from adapter.sandbox.fastcheck import compile_schema

_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "format": "date"}
_HOUR = {"type": "string", "pattern": r"^([01]\d|2[0-3])[0-5]\d$"}
_PERIOD_ID = {"type": "integer", "minimum": 100_000_000_000, "maximum": 999_999_999_999}


def _text(max_length: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": max_length}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    return schema


_ADDRESS = _object(
    {
        "street": _text(42),
        "houseNumber": _text(10),
        "boxNumber": _text(4),
        "postCode": _text(9),
        "municipality": _object(
            {"code": {"type": "integer", "minimum": 1, "maximum": 99999}, "name": _text(40)}
        ),
        "country": {"type": "integer", "minimum": 1, "maximum": 999},
    }
)

_EMPLOYER = _object(
    {
        "employerId": {"type": "integer", "minimum": 1, "maximum": 9_999_999_999},
        "enterpriseNumber": {"type": "string", "pattern": r"^\d{9,10}$"},
    }
) | {"anyOf": [{"required": ["employerId"]}, {"required": ["enterpriseNumber"]}]}

_WORKER = _object(
    {
        "ssin": {"type": "string", "pattern": r"^\d{11}$"},
        "familyName": _text(48),
        "givenName": _text(24),
        "birthDate": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "placeOfBirth": _text(40),
        "countryOfBirth": {"type": "integer", "minimum": 1, "maximum": 999},
        "nationality": {"type": "integer", "minimum": 1, "maximum": 999},
        "gender": {"type": "integer", "enum": [1, 2]},
        "address": _ADDRESS,
    }
)

_FEATURES = _object(
    {
        "jointCommissionNumber": {
            "type": "string",
            "pattern": r"^(XXX|\d{3}(\.\d{2}){0,2})$",
        },
        "workerType": {"type": "string", "pattern": r"^[A-Z0-9]{3}$"},
        "usingEmployer": _object(
            {
                "jointCommissionNumber": {
                    "type": "string",
                    "pattern": r"^(XXX|\d{3}(\.\d{2}){0,2})$",
                },
                "enterpriseNumber": {"type": "string", "pattern": r"^\d{9,10}$"},
                "name": _text(96),
                "address": _ADDRESS,
            },
            ["jointCommissionNumber"],
        ),
    },
    ["jointCommissionNumber", "workerType"],
)

_PLANNED_HOURS = {"type": "integer", "minimum": 1, "maximum": 999}

DECLARATION_SCHEMA: dict[str, Any] = _object(
    {
        "employer": _EMPLOYER,
        "worker": _WORKER,
        "dimonaIn": _object(
            {
                "startDate": _DATE,
                "startHour": _HOUR,
                "endDate": _DATE,
                "endHour": _HOUR,
                "plannedHoursNumber": _PLANNED_HOURS,
                "features": _FEATURES,
                "studentPlaceOfWork": _object(
                    {"name": _text(96), "address": _ADDRESS}, ["name", "address"]
                ),
            },
            ["startDate", "features"],
        ),
        "dimonaOut": _object({"periodId": _PERIOD_ID, "endDate": _DATE}, ["periodId", "endDate"]),
        "dimonaUpdate": _object(
            {
                "periodId": _PERIOD_ID,
                "startDate": _DATE,
                "startHour": _HOUR,
                "endDate": _DATE,
                "endHour": _HOUR,
                "plannedHoursNumber": _PLANNED_HOURS,
            },
            ["periodId"],
        ),
        "dimonaCancel": _object({"periodId": _PERIOD_ID}, ["periodId"]),
    }
)

_VALIDATOR = Draft202012Validator(DECLARATION_SCHEMA, format_checker=FormatChecker(["date"]))
_FAST_CHECK = compile_schema(DECLARATION_SCHEMA)
_BLOCKS = ("dimonaIn", "dimonaOut", "dimonaUpdate", "dimonaCancel")
_PREFIX = "urn:problem-type:belgif:input-validation:"


def _issue(kind: str, name: str, value: object, detail: str) -> dict[str, Any]:
    issue: dict[str, Any] = {"type": _PREFIX + kind, "in": "body", "name": name, "detail": detail}
    if value is not None and not isinstance(value, dict | list):
        issue["value"] = value
    return issue


def _from_error(error: ValidationError) -> list[dict[str, Any]]:
    path = ".".join(str(p) for p in error.absolute_path)
    instance: Any = error.instance
    if error.validator == "additionalProperties":
        schema: Any = error.schema
        extra = sorted(set(instance) - set(schema.get("properties", {})))
        return [
            _issue("unknownInput", f"{path}.{e}" if path else e, None, f"unknown field {e}")
            for e in extra
        ]
    if error.validator == "required":
        required: Any = error.validator_value
        missing = [r for r in required if r not in instance]
        return [
            _issue("schemaViolation", f"{path}.{m}" if path else m, None, f"{m} is required")
            for m in missing
        ]
    if error.validator == "anyOf" and path.endswith("employer"):
        return [_issue("schemaViolation", path, None, "employerId or enterpriseNumber is required")]
    return [_issue("schemaViolation", path or "$", instance, error.message)]


def schema_valid(body: object) -> bool:
    """jsonschema's own verdict (tests compare it with the compiled check)."""
    return bool(_VALIDATOR.is_valid(body))


def validate_declaration(body: object) -> list[dict[str, Any]]:
    """Belgif issues for every problem in ``body``; empty when it may be processed."""
    if not isinstance(body, dict):
        return [_issue("schemaViolation", "$", None, "the body must be a JSON object")]
    issues: list[dict[str, Any]] = []
    if _FAST_CHECK(body):
        blocks = [b for b in _BLOCKS if b in body]
    else:
        for error in sorted(
            _VALIDATOR.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path]
        ):
            issues.extend(_from_error(error))
        blocks = [b for b in _BLOCKS if b in body]
    if len(blocks) != 1:
        detail = "exactly one of dimonaIn, dimonaOut, dimonaUpdate, dimonaCancel is required"
        issues.append(_issue("schemaViolation", "$", None, detail))
    elif blocks == ["dimonaIn"]:
        for required in ("employer", "worker"):
            if required not in body:
                issues.append(_issue("schemaViolation", required, None, f"{required} is required"))
    return issues

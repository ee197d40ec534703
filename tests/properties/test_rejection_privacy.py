"""No personal data in clear in what a rejection publishes.

For malformed SSINs (letters, wrong length, wrong check digits, separators, a name in the SSIN
field) and names the rules refuse, neither the rejection's reason nor its violation messages,
nor any ``dlq.*`` header of the dead letter (full copy or reference), nor any field of the
``REJECTED`` status event but ``workerSsin`` (which consumers need to match the worker)
contains the raw value. The dead letter's value and original headers are the original record,
unchanged, by contract: they are not checked here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from adapter.app.intake import Intake
from adapter.app.ports import ConsumedMessage, Rejected
from adapter.app.status_events import StatusEvents
from adapter.bootstrap import STATUS_SCHEMA
from adapter.core.identifiers import is_valid_ssin
from adapter.edges.avro.codec import SingleObjectCodec
from adapter.edges.kafka.dead_letters import dead_letter_record, reference_record

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
STATUS_CODEC = SingleObjectCodec(STATUS_SCHEMA)
ADDRESS = {
    "street": "Rue Haute", "houseNumber": "45", "postCode": "1000",
    "municipality": "Bruxelles", "country": 150,
}  # fmt: skip
BASE: dict[str, Any] = {
    "eventId": "6f0c2b1e-3a4d-4c55-9d1e-2b7f8e9a0c11",
    "eventType": "HIRE",
    "occurredAt": NOW.isoformat(),
    "source": "hr-payroll",
    "employmentId": "EMP-PRIVACY",
    "employer": {"enterpriseNumber": "0412345614"},
    "contract": {"startDate": "2026-03-05", "workerType": "OTH", "jointCommittee": "200"},
}
BASE_TEXT = json.dumps(BASE)
PRIVACY = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
DIGITS = "0123456789"
PLACEHOLDER = "Qxzqxz"

ISSUE_EXAMPLES = [
    "7503030777X",  # the value of issue 11
    "75.03.03-077.7X",
    "X7503030777",
    "7503030777 X",
    "750303077",
    "7503030777",
    "750303077712",
    "75030307770",  # eleven digits, wrong check digits
    "75.03.03-077.70",
    "Jansen",  # a name in the SSIN field
    "Marie-Claire Dubois",
]


@st.composite
def malformed_ssins(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["letter", "length", "check", "separated"]))
    if kind == "letter":
        digits = draw(st.text(DIGITS, min_size=8, max_size=12))
        at = draw(st.integers(0, len(digits)))
        letter = draw(st.characters(categories=["Lu", "Ll"]))
        return digits[:at] + letter + digits[at:]
    if kind == "length":
        size = draw(st.sampled_from([8, 9, 10, 12, 13]))
        return draw(st.text(DIGITS, min_size=size, max_size=size))
    value = draw(st.text(DIGITS, min_size=11, max_size=11))
    assume(not is_valid_ssin(value))
    if kind == "check":
        return value
    separator = draw(st.sampled_from([".", "-", " ", "/"]))
    return f"{value[:2]}{separator}{value[2:4]}{separator}{value[4:6]}-{value[6:9]}.{value[9:]}"


NAME_LETTERS = st.characters(categories=["Lu", "Ll"], exclude_characters="\x00")
long_names = st.text(NAME_LETTERS, min_size=49, max_size=70)


def published_texts(rejected: Rejected) -> dict[str, str]:
    """Everything a rejection publishes for people and other systems, by where it goes."""
    texts = {"reason": rejected.reason}
    for i, violation in enumerate(rejected.violations):
        texts[f"violations[{i}]"] = violation.message
    for kind, record in (
        ("dead letter", dead_letter_record(rejected, NOW)),
        ("reference", reference_record(rejected, NOW)),
    ):
        for name, value in record[2]:
            if name.startswith("dlq.") and isinstance(value, bytes):
                texts[f"{kind} {name}"] = value.decode()
    if rejected.status is not None:
        status = STATUS_CODEC.decode(rejected.status.value)
        status.pop("workerSsin")
        texts["REJECTED status event"] = json.dumps(status, default=str, ensure_ascii=False)
    return texts


def examine(record: dict[str, Any]) -> Rejected:
    class Decoder:
        def decode(self, _payload: bytes) -> dict[str, Any]:
            decoded: dict[str, Any] = json.loads(json.dumps(record))
            return decoded

    intake = Intake(Decoder(), StatusEvents(STATUS_CODEC))
    message = ConsumedMessage("hr.employment.events", 1, 5, b"EMP-PRIVACY", b"{}")
    outcome = intake.examine(message, now=NOW, today=NOW.date())
    assert isinstance(outcome, Rejected)
    return outcome


def assert_not_published(secret: str, rejected: Rejected) -> None:
    forms = {secret, secret.strip()}
    digits = "".join(c for c in secret if c.isdigit())
    if len(digits) >= 8:
        forms.add(digits)
    for where, text in published_texts(rejected).items():
        for form in forms:
            assert form not in text, f"{form!r} published in {where}: {text}"


def test_the_issue_examples_are_never_published() -> None:
    for ssin in ISSUE_EXAMPLES:
        rejected = examine({**BASE, "worker": {"ssin": ssin}})
        assert rejected.violations, ssin
        assert [v.field for v in rejected.violations] == ["worker.ssin"]
        assert_not_published(ssin, rejected)


@PRIVACY
@given(malformed_ssins())
def test_a_malformed_ssin_is_never_published(ssin: str) -> None:
    assume(ssin not in BASE_TEXT)
    rejected = examine({**BASE, "worker": {"ssin": ssin}})
    assert rejected.violations
    assert_not_published(ssin, rejected)


@PRIVACY
@given(family=long_names, given=st.text(NAME_LETTERS, min_size=25, max_size=40))
def test_names_the_rules_refuse_are_never_published(family: str, given: str) -> None:
    assume(family not in BASE_TEXT and given not in BASE_TEXT)
    worker = {
        "familyName": family, "givenName": given, "birthDate": "1999-02-28",
        "placeOfBirth": family, "countryOfBirth": 150, "nationality": 150,
        "gender": "FEMALE", "address": ADDRESS,
    }  # fmt: skip
    rejected = examine({**BASE, "worker": worker})
    assert {v.field for v in rejected.violations} >= {"worker.familyName", "worker.givenName"}
    assert_not_published(family, rejected)
    assert_not_published(given, rejected)


@PRIVACY
@given(name=st.text(NAME_LETTERS, min_size=3, max_size=30))
def test_a_name_given_where_a_structure_is_expected_is_never_published(name: str) -> None:
    """A worker section sent as a bare name, or a name where a date is expected."""
    assume(name not in BASE_TEXT)
    for shape in (lambda n: n, lambda n: {"familyName": n, "birthDate": n, "ssin": n}):
        # A short name may be an ordinary word of the texts ("true", "valid"): not a leak.
        neutral = published_texts(examine({**BASE, "worker": shape(PLACEHOLDER)}))
        assume(not any(name in text for text in neutral.values()))
        rejected = examine({**BASE, "worker": shape(name)})
        assert rejected.violations
        assert_not_published(name, rejected)

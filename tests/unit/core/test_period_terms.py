"""A period's terms are held once (``PeriodTerms``); the JSON that holds them does not change.

The JSON literals below were written by the adapter before the terms had a class of their own
(the store keeps them: ``employments.periods_json``, ``declarations.declaration_json``); they
must still load, and dump again to the same object (keys may come in another order).
"""

from __future__ import annotations

import json
from datetime import date, time

from pydantic import TypeAdapter

from adapter.core.declarations import Declaration, InDeclaration
from adapter.core.periods import KnownPeriod, PeriodState, PeriodTerms
from adapter.core.rules.facts import facts_from_in
from adapter.core.status import DeclaredPeriod
from adapter.core.translation.answers import period_of

DECLARATION: TypeAdapter[Declaration] = TypeAdapter(Declaration)
PERIODS = TypeAdapter(tuple[KnownPeriod, ...])

OLD_IN = (
    '{"kind":"IN","employer":{"noss_registration_number":null,"enterprise_number":"0412345614"},'
    '"worker":{"ssin":"90051512391","family_name":null,"given_name":null,"birth_date":null,'
    '"place_of_birth":null,"country_of_birth":null,"nationality":null,"gender":null,'
    '"address":null},"start_date":"2026-03-02","start_time":"08:00","end_date":"2026-03-02",'
    '"end_time":"16:30","planned_hours":null,"worker_type":"EXT","joint_committee":"322",'
    '"actual_joint_committee":"322","using_employer":{"enterprise_number":"0812345603",'
    '"name":null,"address":null,"joint_committee":"XXX"},"student_place_of_work":null,'
    '"construction_cards":null,"small_statutes":null,"not_before":null}'
)
OLD_STUDENT_IN = (
    '{"kind":"IN","employer":{"noss_registration_number":null,"enterprise_number":"0412345614"},'
    '"worker":{"ssin":"90051512391","family_name":null,"given_name":null,"birth_date":null,'
    '"place_of_birth":null,"country_of_birth":null,"nationality":null,"gender":null,'
    '"address":null},"start_date":"2026-03-02","start_time":null,"end_date":"2026-03-31",'
    '"end_time":null,"planned_hours":20,"worker_type":"STU","joint_committee":"XXX",'
    '"actual_joint_committee":"302","using_employer":null,"student_place_of_work":null,'
    '"construction_cards":null,"small_statutes":null,"not_before":null}'
)
OLD_PERIODS = (
    '[{"periodId":656309300158,"startDate":"2026-03-02","startTime":"08:00",'
    '"endDate":"2026-03-02","endTime":"16:30","workerType":"EXT","jointCommittee":"322",'
    '"plannedHours":null,"state":"ACTIVE","blocksKey":"1df5ff70b49753f9"},'
    '{"startDate":"2026-01-05","workerType":"OTH","jointCommittee":"XXX"}]'
)
"""The second period is how the first releases wrote one (no state, no id, no blocks key)."""

OLD_DECLARED_PERIOD = {
    "startDate": "2026-03-02",
    "startTime": "08:00",
    "endDate": "2026-03-02",
    "endTime": "16:30",
    "workerType": "EXT",
    "declaredJointCommittee": "322",
    "actualJointCommittee": "322",
    "plannedHours": None,
    "usingEmployerEnterpriseNumber": "0812345603",
    "usingEmployerName": None,
    "usingEmployerJointCommittee": "XXX",
}


def test_old_declarations_load_and_dump_to_the_same_json() -> None:
    for old in (OLD_IN, OLD_STUDENT_IN):
        declaration = DECLARATION.validate_json(old)
        assert isinstance(declaration, InDeclaration)
        assert json.loads(DECLARATION.dump_json(declaration)) == json.loads(old)


def test_old_known_periods_load_and_dump_to_the_same_json() -> None:
    periods = PERIODS.validate_json(OLD_PERIODS)
    assert periods[0].period_id == 656309300158
    assert periods[0].start_time == time(8, 0)
    assert periods[1] == KnownPeriod(
        start_date=date(2026, 1, 5), worker_type="OTH", joint_committee="XXX"
    )
    first = json.loads(OLD_PERIODS)[0]
    assert json.loads(PERIODS.dump_json(periods[:1], by_alias=True)) == [first]


def test_the_status_event_period_keeps_its_avro_shape() -> None:
    declaration = DECLARATION.validate_json(OLD_IN)
    assert isinstance(declaration, InDeclaration)
    declared = DeclaredPeriod.from_in(declaration)
    assert declared.model_dump(mode="json", by_alias=True) == OLD_DECLARED_PERIOD
    known = DeclaredPeriod.from_known(PERIODS.validate_json(OLD_PERIODS)[0])
    assert known.model_dump(mode="json", by_alias=True) == {
        **OLD_DECLARED_PERIOD,
        "actualJointCommittee": None,
        "usingEmployerEnterpriseNumber": None,
        "usingEmployerJointCommittee": None,
    }


def test_an_in_and_the_period_it_creates_share_one_set_of_terms() -> None:
    declaration = DECLARATION.validate_json(OLD_IN)
    assert isinstance(declaration, InDeclaration)
    period = period_of(declaration, PeriodState.ACTIVE, 656309300158)
    assert period.terms == declaration.terms
    assert type(period.terms) is PeriodTerms
    assert period == PERIODS.validate_json(OLD_PERIODS)[0]
    assert facts_from_in(declaration).terms == declaration.terms


def test_terms_are_a_value() -> None:
    terms = PeriodTerms(
        start_date=date(2026, 3, 2),
        start_time=time(22, 0),
        end_date=date(2026, 3, 3),
        end_time=time(6, 0),
        worker_type="FLX",
        joint_committee="XXX",
    )
    assert terms.terms is terms
    assert terms == terms.model_copy()
    assert {terms: 1}[terms.model_copy()] == 1
    assert terms.is_flexi_day
    assert terms.has_hours
    assert not terms.is_open
    period = KnownPeriod.of(terms, state=PeriodState.PENDING, period_id=None)
    assert period.terms == terms
    assert period.term_values() == terms.term_values()

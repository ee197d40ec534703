"""Each translation path: event + known periods → ordered declarations.

Here a HIRE and what every path shares (the split of planned hours, the options); LEAVE, CHANGE
and CANCEL are in the ``test_core_translation_*.py`` modules beside this one.
"""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from adapter.core.rules import RuleCode, RuleOptions
from adapter.core.translation import TranslationOptions, translate
from adapter.core.translation.desired import split_hours
from tests.unit.core.core_factories import TODAY, hire, known
from tests.unit.core.translation_cases import D, ins, run

# ----------------------------------------------------------------------------- HIRE


@pytest.mark.parametrize(
    ("contract", "expected"),
    [
        # (contract fields, [(start, end, planned hours, declared JC)])
        ({}, [("2026-03-02", None, None, "XXX")]),
        (
            {
                "jointCommittee": "124",
                "workerType": "BCW",
                "constructionCards": {"firstMonth": "123456789012"},
            },
            [("2026-03-02", None, None, "124")],
        ),
        ({"jointCommittee": "149.01"}, [("2026-03-02", None, None, "149")]),
        ({"jointCommittee": "302"}, [("2026-03-02", None, None, "XXX")]),
        (
            {"workerType": "STU", "endDate": "2026-03-31", "plannedHours": 40},
            [("2026-03-02", "2026-03-31", 40, "XXX")],
        ),
        (
            {"workerType": "STU", "endDate": "2026-08-31", "plannedHours": 200.5},
            [
                ("2026-03-02", "2026-03-31", 34, "XXX"),
                ("2026-04-01", "2026-06-30", 99, "XXX"),
                ("2026-07-01", "2026-08-31", 68, "XXX"),
            ],
        ),
        (
            {
                "workerType": "O17",
                "startDate": "2026-03-10",
                "endDate": "2026-04-05",
                "plannedHours": 20,
            },
            [("2026-03-10", "2026-03-31", 16, "XXX"), ("2026-04-01", "2026-04-05", 4, "XXX")],
        ),
        (
            {"workerType": "FLX", "jointCommittee": "302", "endDate": "2026-05-31"},
            [("2026-03-02", "2026-03-31", None, "XXX"), ("2026-04-01", "2026-05-31", None, "XXX")],
        ),
    ],
)
def test_hire(
    contract: dict[str, Any], expected: list[tuple[str, str | None, int | None, str]]
) -> None:
    result = run(hire(**contract))
    got = [
        (
            d.start_date.isoformat(),
            d.end_date.isoformat() if d.end_date else None,
            d.planned_hours,
            d.joint_committee,
        )
        for d in ins(result)
    ]
    assert got == expected
    assert all(
        d.actual_joint_committee == contract.get("jointCommittee", "200") for d in ins(result)
    )


def test_hire_flexi_day_contract_is_one_in_per_day() -> None:
    result = run(
        hire(
            workerType="FLX",
            jointCommittee="302",
            startDate="2026-03-07",
            endDate="2026-03-09",
            startTime="18:00",
            endTime="23:30",
        )
    )
    assert [(d.start_date, d.end_date, d.start_time, d.end_time) for d in ins(result)] == [
        (D(f"2026-03-0{n}"), D(f"2026-03-0{n}"), time(18), time(23, 30)) for n in (7, 8, 9)
    ]


def test_hire_flexi_shift_past_midnight_is_one_in() -> None:
    result = run(
        hire(
            workerType="FLX",
            jointCommittee="302",
            startDate="2026-03-07",
            endDate="2026-03-08",
            startTime="22:00",
            endTime="03:00",
        )
    )
    (declaration,) = ins(result)
    assert (declaration.start_date, declaration.end_date) == (D("2026-03-07"), D("2026-03-08"))


def test_hire_flexi_far_ahead_is_deferred() -> None:
    result = run(
        hire(workerType="FLX", jointCommittee="302", startDate="2026-06-15", endDate="2026-08-31")
    )
    assert [d.not_before for d in ins(result)] == [None, D("2026-05-31")]


def test_hire_article17_far_ahead_is_deferred() -> None:
    result = run(hire(workerType="T17", startDate="2026-04-01", endDate="2026-04-01"))
    assert ins(result)[0].not_before == D("2026-03-17")


def test_hire_occasional_worker_keeps_the_sector_committee_and_hours() -> None:
    result = run(
        hire(
            workerType="EXT",
            jointCommittee="302",
            startDate="2026-03-07",
            endDate="2026-03-07",
            startTime="10:00",
            endTime="18:00",
        )
    )
    (declaration,) = ins(result)
    assert declaration.joint_committee == "302"
    assert (declaration.start_time, declaration.end_time) == (time(10), time(18))


def test_hire_temporary_agency_declares_the_user_committee() -> None:
    result = run(
        hire(
            jointCommittee="322",
            endDate="2026-03-06",
            usingEmployer={"enterpriseNumber": "0812345603", "jointCommittee": "200"},
        )
    )
    (declaration,) = ins(result)
    assert declaration.joint_committee == "322"
    assert declaration.using_employer is not None
    assert declaration.using_employer.joint_committee == "XXX"


def test_hire_with_ssin_sends_only_the_ssin() -> None:
    from tests.unit.core.core_factories import IDENTIFIED_WORKER, with_worker

    event = with_worker(hire(), {"ssin": "90051512391"} | IDENTIFIED_WORKER)
    assert ins(run(event))[0].worker.family_name is None
    options = TranslationOptions(send_identification_with_ssin=True)
    result = translate(event, [], today=TODAY, options=options)
    assert ins(result)[0].worker.family_name == "KOWALSKA"


def test_hire_breaking_a_rule_gives_violations_only() -> None:
    result = translate(hire(workerType="STU"), [], today=TODAY)
    assert result.declarations == ()
    assert {v.code for v in result.violations} == {
        RuleCode.END_DATE_REQUIRED,
        RuleCode.PLANNED_HOURS_REQUIRED,
    }


def test_hire_again_with_the_same_contract_changes_nothing() -> None:
    assert run(hire(), [known("2026-03-02")]).declarations == ()


# ----------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (10, [1], [10]),
        (3, [1, 1, 1], [1, 1, 1]),
        (201, [30, 91, 62], [34, 99, 68]),
        (2, [90, 1], [1, 1]),
    ],
)
def test_split_hours(total: int, weights: list[int], expected: list[int]) -> None:
    assert split_hours(total, weights) == expected
    assert sum(split_hours(total, weights)) == total


def test_options_reach_the_rules() -> None:
    options = TranslationOptions(rules=RuleOptions(require_joint_committee=False))
    assert translate(hire(jointCommittee=None), [], today=TODAY, options=options).ok

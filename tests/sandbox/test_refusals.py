"""Business refusals and warnings: answered as B or W with anomalies, never as HTTP errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from adapter.sandbox import admin_client
from tests.sandbox import payloads as p
from tests.sandbox.helpers import DimonaClient, codes


def _answer(client: DimonaClient, body: dict[str, Any]) -> tuple[str, list[str]]:
    status = client.declare(body)
    return status["result"], codes(status)


def _period(client: DimonaClient, body: dict[str, Any]) -> int:
    status = client.declare(body)
    assert status["result"] in ("A", "W"), status
    return int(status["period"]["id"])


def test_same_in_twice_is_a_duplicate_period(client: DimonaClient) -> None:
    _period(client, p.ordinary_in())
    assert _answer(client, p.ordinary_in()) == ("B", ["90373-333"])


def test_overlapping_in_is_refused(client: DimonaClient) -> None:
    _period(client, p.ordinary_in(start=p.d(3, 2)))
    assert _answer(client, p.ordinary_in(start=p.d(5, 1))) == ("B", ["90373-334"])


def test_refused_in_does_not_count_as_a_period(client: DimonaClient) -> None:
    _period(client, p.ordinary_in())
    _answer(client, p.ordinary_in())
    counts = admin_client.period_counts(client.sandbox.admin_url)
    assert counts == [
        {"employer": str(p.NOSS), "worker": p.SSIN, "periods": 1, "cancelled": 0, "pending": 0}
    ]


def test_unknown_period_id(client: DimonaClient) -> None:
    for body in (p.out(656309300157), p.update(656309300157, endDate=p.d(9, 1))):
        assert _answer(client, body) == ("B", ["00913-354"])


def test_locked_period_refuses_declarations(client: DimonaClient) -> None:
    period_id = _period(client, p.ordinary_in())
    admin_client.lock_period(client.sandbox.admin_url, period_id)
    assert _answer(client, p.out(period_id)) == ("B", ["00913-362"])


def test_update_may_not_close_an_open_period(client: DimonaClient) -> None:
    period_id = _period(client, p.ordinary_in())
    assert _answer(client, p.update(period_id, endDate=p.d(6, 30))) == ("B", ["00913-359"])


def test_update_without_dates(client: DimonaClient) -> None:
    period_id = _period(client, p.flexi_day())
    assert _answer(client, p.update(period_id, startHour="1900")) == ("B", ["90378-360"])


def test_removing_the_end_date_of_a_student_period_is_forbidden(client: DimonaClient) -> None:
    period_id = _period(client, p.student())
    assert _answer(client, p.update(period_id, endDate="9999-12-31")) == ("B", ["00913-368"])


def test_update_that_makes_periods_overlap(client: DimonaClient) -> None:
    first = _period(client, p.ordinary_in(start=p.d(1, 5)))
    _period(client, p.out(first, p.d(1, 31)))
    _period(client, p.ordinary_in(start=p.d(3, 1)))
    assert _answer(client, p.update(first, endDate=p.d(3, 15))) == ("B", ["90378-334"])


@pytest.mark.parametrize(
    ("committee", "worker_type"), [("XXX", "EXT"), ("XXX", "BCW"), ("124", "FLX")]
)
def test_joint_committee_incompatible_with_worker_type(
    client: DimonaClient, committee: str, worker_type: str
) -> None:
    body = p.ordinary_in()
    body["dimonaIn"]["features"] = {"jointCommissionNumber": committee, "workerType": worker_type}
    if worker_type in ("EXT", "FLX"):
        day = p.d(3, 2)
        body["dimonaIn"].update(endDate=day, startHour="0800", endHour="1600")
    assert _answer(client, body) == ("B", ["90374-349"])


def test_joint_committee_outside_the_dimona_list(client: DimonaClient) -> None:
    body = p.ordinary_in()
    body["dimonaIn"]["features"]["jointCommissionNumber"] = "200"
    assert _answer(client, body) == ("B", ["00046-008"])


def test_student_period_across_quarters(client: DimonaClient) -> None:
    body = p.student()
    body["dimonaIn"]["endDate"] = p.d(10, 15)
    assert _answer(client, body) == ("B", ["90373-421"])


def test_end_before_start(client: DimonaClient) -> None:
    assert _answer(client, p.ordinary_in(endDate=p.d(2, 1))) == ("B", ["00911-014"])


def test_student_needs_an_end_date_and_planned_hours(client: DimonaClient) -> None:
    body = p.student()
    del body["dimonaIn"]["endDate"], body["dimonaIn"]["plannedHoursNumber"]
    assert _answer(client, body) == ("B", ["00911-001", "01135-001"])


def test_hours_rules(client: DimonaClient) -> None:
    flexi = p.flexi_day()
    del flexi["dimonaIn"]["startHour"], flexi["dimonaIn"]["endHour"]
    assert _answer(client, flexi) == ("B", ["00777-001", "00778-001"])
    assert _answer(client, p.ordinary_in(startHour="0800")) == ("B", ["00777-005"])
    reversed_hours = p.flexi_day(day=p.d(3, 9))
    reversed_hours["dimonaIn"].update(startHour="2000", endHour="1000")
    assert _answer(client, reversed_hours) == ("B", ["00778-345"])
    planned = p.ordinary_in(plannedHoursNumber=10)
    assert _answer(client, planned) == ("B", ["01135-005"])


def test_occasional_worker_over_more_than_two_days(client: DimonaClient) -> None:
    body = p.ordinary_in(endDate=p.d(3, 5), startHour="0800", endHour="1600")
    body["dimonaIn"]["features"] = {"jointCommissionNumber": "302", "workerType": "EXT"}
    result, found = _answer(client, body)
    assert result == "B"
    assert "00910-459" in found


def test_invalid_identifiers(client: DimonaClient) -> None:
    assert _answer(client, p.ordinary_in(ssin="90051512390")) == ("B", ["00024-003"])
    body = p.ordinary_in()
    body["employer"] = {"employerId": 123456748}
    assert _answer(client, body) == ("B", ["00011-003"])


def test_late_declaration_is_accepted_with_a_warning(client: DimonaClient) -> None:
    last_week = (dt.date.today() - dt.timedelta(days=7)).isoformat()
    assert _answer(client, p.ordinary_in(start=last_week)) == ("W", ["90373-460"])


def test_flexi_job_next_to_an_ordinary_job_at_the_same_employer(client: DimonaClient) -> None:
    ordinary = p.ordinary_in(start=p.d(1, 5))
    ordinary["employer"] = {"enterpriseNumber": p.CBE}
    _period(client, ordinary)
    status = client.declare(p.flexi_day(day=p.d(3, 7)))
    assert (status["result"], codes(status)) == ("W", ["90017-510"])
    assert status["anomalies"][0]["severity"] == "NP"
    assert client.period(int(status["period"]["id"])).status_code == 200


def test_student_quota_is_counted_per_worker_and_year(client: DimonaClient) -> None:
    admin_client.update_settings(client.sandbox.admin_url, studentQuotaHours=200)
    _period(client, p.student(hours=150))
    second = p.student(hours=60)
    second["employer"] = {"employerId": p.NOSS}
    assert _answer(client, second) == ("W", ["90017-369"])
    other_worker = p.student(ssin=p.SSIN, hours=150)
    assert _answer(client, other_worker) == ("A", [])


def test_cancelling_a_student_period_frees_its_hours(client: DimonaClient) -> None:
    admin_client.update_settings(client.sandbox.admin_url, studentQuotaHours=200)
    period_id = _period(client, p.student(hours=150))
    _period(client, p.cancel(period_id))
    assert _answer(client, p.student(hours=150)) == ("A", [])

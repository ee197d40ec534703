"""Conformance: the payload shapes real v2 clients send (reference §9) and ONSS's answers."""

from __future__ import annotations

from adapter.sandbox import ids
from tests.sandbox import payloads as p
from tests.sandbox.helpers import DimonaClient, codes


def _accepted(client: DimonaClient, body: dict[str, object]) -> int:
    status = client.declare(body)
    assert status["result"] == "A", status
    assert "anomalies" not in status
    return int(status["period"]["id"])


def test_ordinary_in_creates_a_period_whose_id_is_the_declaration_id(
    client: DimonaClient,
) -> None:
    declaration_id = client.submit(p.ordinary_in())
    assert ids.is_dimona_id(declaration_id)
    response = client.get(declaration_id)
    assert response.status_code == 200
    view = response.json()
    assert view["href"].endswith(f"/REST/dimona/v2/declarations/{declaration_id}")
    assert view["employer"] == {"employerId": p.NOSS}
    assert view["dimonaIn"]["features"] == {"jointCommissionNumber": "XXX", "workerType": "OTH"}
    status = view["declarationStatus"]
    assert status == {
        "declarationId": declaration_id,
        "result": "A",
        "period": {
            "id": declaration_id,
            "href": status["period"]["href"],
        },
    }
    period = client.period(declaration_id).json()
    assert period["periodId"] == declaration_id
    assert period["startDate"] == p.d(3, 2)
    assert "endDate" not in period
    assert period["worker"] == {"ssin": p.SSIN}


def test_flexi_day_with_enterprise_number_keeps_its_hours(client: DimonaClient) -> None:
    period_id = _accepted(client, p.flexi_day())
    period = client.period(period_id).json()
    assert (period["startHour"], period["endHour"]) == ("1800", "2330")
    assert period["features"]["workerType"] == "FLX"


def test_student_with_place_of_work(client: DimonaClient) -> None:
    period_id = _accepted(client, p.student())
    period = client.period(period_id).json()
    assert period["plannedHoursNumber"] == 160
    assert period["studentPlaceOfWork"]["address"]["municipality"]["code"] == 44021


def test_worker_without_ssin_waits_for_identification_then_is_accepted(
    client: DimonaClient,
) -> None:
    from adapter.sandbox import admin_client

    declaration_id = client.submit(p.without_ssin())
    status = client.answer(declaration_id)
    assert status["result"] == "S"
    assert status["period"]["id"] == declaration_id
    assert client.period(declaration_id).json()["identificationPending"] is True
    admin_client.process_now(client.sandbox.admin_url, everything=True)
    assert client.answer(declaration_id)["result"] == "A"
    assert "identificationPending" not in client.period(declaration_id).json()


def test_temporary_agency_work(client: DimonaClient) -> None:
    period_id = _accepted(client, p.temp_agency())
    features = client.period(period_id).json()["features"]
    assert features["usingEmployer"]["enterpriseNumber"] == p.USER_CBE


def test_out_closes_an_open_period_and_answers_with_its_own_id(client: DimonaClient) -> None:
    period_id = _accepted(client, p.ordinary_in())
    out_id = client.submit(p.out(period_id))
    status = client.answer(out_id)
    assert status["result"] == "A"
    assert out_id != period_id
    assert status["period"]["id"] == period_id
    view = client.get(out_id).json()
    assert view["dimonaOut"] == {"periodId": period_id, "endDate": p.d(6, 30)}
    assert view["employer"] == {"employerId": p.NOSS}
    assert client.period(period_id).json()["endDate"] == p.d(6, 30)
    again = client.declare(p.out(period_id))
    assert again["result"] == "B"
    assert codes(again) == ["00913-356"]


def test_update_changes_the_hours_of_a_flexi_day(client: DimonaClient) -> None:
    period_id = _accepted(client, p.flexi_day())
    body = p.update(
        period_id, startDate=p.d(3, 7), startHour="1700", endDate=p.d(3, 7), endHour="2300"
    )
    assert client.declare(body)["result"] == "A"
    period = client.period(period_id).json()
    assert (period["startHour"], period["endHour"]) == ("1700", "2300")
    same = client.declare(body)
    assert (same["result"], codes(same)) == ("B", ["90378-444"])


def test_update_with_9999_12_31_reopens_a_closed_period(client: DimonaClient) -> None:
    period_id = _accepted(client, p.ordinary_in())
    _accepted(client, p.out(period_id))
    assert client.declare(p.update(period_id, endDate="9999-12-31"))["result"] == "A"
    assert "endDate" not in client.period(period_id).json()


def test_cancel_then_everything_on_the_period_is_refused_with_355(client: DimonaClient) -> None:
    period_id = _accepted(client, p.ordinary_in())
    assert client.declare(p.cancel(period_id))["result"] == "A"
    assert client.period(period_id).json()["cancelled"] is True
    for body in (p.cancel(period_id), p.out(period_id)):
        status = client.declare(body)
        assert (status["result"], codes(status)) == ("B", ["00913-355"])


def test_anomalies_carry_severity_and_both_labels(client: DimonaClient) -> None:
    status = client.declare(p.cancel(656309300157))
    assert status["result"] == "B"
    (anomaly,) = status["anomalies"]
    assert anomaly["errorId"] == "00913-354"
    assert anomaly["severity"] == "B"
    assert anomaly["labelFr"]
    assert anomaly["labelNl"]

"""HTTP-level refusals: 400 problem details naming each bad field, 403 without a mandate."""

from __future__ import annotations

from typing import Any

import httpx

from adapter.sandbox import admin_client
from adapter.sandbox.process import SandboxProcess
from tests.sandbox import payloads as p
from tests.sandbox.helpers import DimonaClient, make_identity


def _issues(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "urn:problem-type:belgif:badRequest"
    assert problem["status"] == 400
    return {issue["name"]: issue["type"].rsplit(":", 1)[1] for issue in problem["issues"]}


def test_each_bad_field_is_named(client: DimonaClient) -> None:
    body: dict[str, Any] = p.flexi_day()
    body["dimonaIn"]["startHour"] = "18:00"
    body["dimonaIn"]["endDate"] = "2027-02-30"
    body["worker"]["ssin"] = "9005151239"
    body["worker"]["socialSecurityId"] = "x"
    del body["dimonaIn"]["features"]["workerType"]
    issues = _issues(client.post(body))
    assert issues == {
        "dimonaIn.startHour": "schemaViolation",
        "dimonaIn.endDate": "schemaViolation",
        "dimonaIn.features.workerType": "schemaViolation",
        "worker.ssin": "schemaViolation",
        "worker.socialSecurityId": "unknownInput",
    }


def test_value_of_the_bad_field_is_echoed(client: DimonaClient) -> None:
    body = p.flexi_day()
    body["dimonaIn"]["startHour"] = "18:00"
    (issue,) = client.post(body).json()["issues"]
    assert issue["in"] == "body"
    assert issue["value"] == "18:00"


def test_nulls_and_empty_strings_are_refused(client: DimonaClient) -> None:
    body = p.without_ssin()
    body["worker"]["givenName"] = ""
    body["dimonaIn"]["endDate"] = None
    issues = _issues(client.post(body))
    assert set(issues) == {"worker.givenName", "dimonaIn.endDate"}


def test_exactly_one_action_block(client: DimonaClient) -> None:
    both = {**p.ordinary_in(), **p.cancel(656309300157)}
    assert _issues(client.post(both)) == {"$": "schemaViolation"}
    assert _issues(client.post({"employer": {"employerId": p.NOSS}})) == {"$": "schemaViolation"}


def test_in_needs_employer_and_worker(client: DimonaClient) -> None:
    body = p.ordinary_in()
    del body["worker"]
    body["employer"] = {}
    issues = _issues(client.post(body))
    assert issues == {"worker": "schemaViolation", "employer": "schemaViolation"}


def test_body_that_is_not_json(client: DimonaClient) -> None:
    response = client.http.post(
        f"{client.sandbox.api_base_url}/declarations",
        content=b"{not json",
        headers={**client.headers, "Content-Type": "application/json"},
    )
    assert _issues(response) == {"$": "schemaViolation"}


def test_bad_declaration_id_in_path(client: DimonaClient) -> None:
    response = client.http.get(
        f"{client.sandbox.api_base_url}/declarations/abc", headers=client.headers
    )
    assert _issues(response) == {"declarationId": "schemaViolation"}


def test_unknown_declaration_is_404(client: DimonaClient) -> None:
    response = client.get(656309300157)
    assert response.status_code == 404
    assert response.json()["type"] == "urn:problem-type:belgif:resourceNotFound"


def test_client_without_mandate_for_the_employer_gets_403(fresh: SandboxProcess) -> None:
    identity = make_identity("self_service_expeditor_restricted")
    admin_client.register_client(
        fresh.admin_url, identity.client_id, identity.certificate_pem, employers=[p.CBE]
    )
    restricted = DimonaClient(fresh, identity)
    response = restricted.post(p.ordinary_in())
    assert response.status_code == 403
    assert response.json()["type"] == "urn:problem-type:belgif:missingPermission"
    own = restricted.submit(p.flexi_day())
    assert restricted.answer(own)["result"] == "A"
    restricted.close()


def test_mandate_is_checked_on_the_period_for_out_update_cancel(
    fresh: SandboxProcess, client: DimonaClient
) -> None:
    period_id = int(client.declare(p.ordinary_in())["period"]["id"])
    identity = make_identity("self_service_expeditor_other")
    admin_client.register_client(
        fresh.admin_url, identity.client_id, identity.certificate_pem, employers=["999999999"]
    )
    other = DimonaClient(fresh, identity)
    assert other.post(p.cancel(period_id)).status_code == 403
    assert other.get(period_id).status_code == 403
    assert other.period(period_id).status_code == 403
    other.close()


def test_enterprise_number_registered_without_its_leading_zero(fresh: SandboxProcess) -> None:
    identity = make_identity("self_service_expeditor_nozero")
    admin_client.register_client(
        fresh.admin_url, identity.client_id, identity.certificate_pem, employers=["412345614"]
    )
    client = DimonaClient(fresh, identity)
    assert client.post(p.flexi_day()).status_code == 201
    client.close()


def test_unknown_route_and_wrong_method_are_problems(client: DimonaClient) -> None:
    base = client.sandbox.api_base_url
    missing = client.http.get(f"{base}/dailyRegistrations/1", headers=client.headers)
    assert missing.status_code == 404
    assert missing.json()["type"] == "urn:problem-type:belgif:resourceNotFound"
    wrong = client.http.delete(f"{base}/declarations/656309300157", headers=client.headers)
    assert wrong.status_code == 405
    assert wrong.json()["type"] == "urn:problem-type:belgif:methodNotAllowed"

"""Scenario hooks: forced answers for a given worker."""

from __future__ import annotations

import time

import httpx
import pytest

from adapter.sandbox import admin_client
from adapter.sandbox.process import SandboxProcess
from tests.sandbox import payloads as p
from tests.sandbox.helpers import DimonaClient, Identity, codes


def test_forced_s_resolves_to_a_after_the_given_time(client: DimonaClient) -> None:
    admin_client.add_scenario(
        client.sandbox.admin_url, "S", ssin=p.SSIN, resolve_after_seconds=0.3, resolve_to="A"
    )
    declaration_id = client.submit(p.ordinary_in())
    assert client.answer(declaration_id)["result"] == "S"
    deadline = time.monotonic() + 10
    while client.answer(declaration_id)["result"] == "S":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert client.answer(declaration_id)["result"] == "A"
    assert client.period(declaration_id).status_code == 200


def test_forced_s_can_resolve_to_b(client: DimonaClient) -> None:
    admin_client.add_scenario(
        client.sandbox.admin_url, "S", ssin=p.SSIN, resolve_to="B", resolve_anomalies=["90017-151"]
    )
    declaration_id = client.submit(p.ordinary_in())
    assert client.answer(declaration_id)["result"] == "S"
    admin_client.process_now(client.sandbox.admin_url, everything=True)
    status = client.answer(declaration_id)
    assert (status["result"], codes(status)) == ("B", ["90017-151"])
    assert "period" not in status
    assert client.period(declaration_id).status_code == 404
    assert admin_client.period_counts(client.sandbox.admin_url)[0]["periods"] == 0


def test_forced_w_510_creates_the_period(client: DimonaClient) -> None:
    admin_client.add_scenario(client.sandbox.admin_url, "W", ssin=p.SSIN, anomalies=["90017-510"])
    status = client.declare(p.flexi_day())
    assert (status["result"], codes(status)) == ("W", ["90017-510"])
    assert status["anomalies"][0]["severity"] == "NP"
    assert status["anomalies"][0]["labelNl"] == "Toegangsvoorwaarden flexi-job niet vervuld"
    assert client.period(int(status["period"]["id"])).status_code == 200


def test_forced_b_349_creates_nothing(client: DimonaClient) -> None:
    admin_client.add_scenario(client.sandbox.admin_url, "B", ssin=p.SSIN, anomalies=["90374-349"])
    status = client.declare(p.ordinary_in())
    assert (status["result"], codes(status)) == ("B", ["90374-349"])
    assert admin_client.period_counts(client.sandbox.admin_url) == []


def test_match_by_family_name_for_workers_without_ssin(client: DimonaClient) -> None:
    admin_client.add_scenario(client.sandbox.admin_url, "B", family_name="kowalska",
                              anomalies=["90017-151"])  # fmt: skip
    assert client.declare(p.without_ssin())["result"] == "B"
    assert client.declare(p.without_ssin("NOWAK"))["result"] == "S"


def test_kind_filter_and_remaining_uses(client: DimonaClient) -> None:
    admin_client.add_scenario(
        client.sandbox.admin_url, "B", ssin=p.SSIN, kind="OUT", anomalies=["00913-356"], remaining=1
    )
    period_id = int(client.declare(p.ordinary_in())["period"]["id"])
    assert client.declare(p.out(period_id))["result"] == "B"
    assert client.declare(p.out(period_id))["result"] == "A"
    assert httpx.get(f"{client.sandbox.admin_url}/scenarios").json() == []


def test_processing_delay_per_scenario(client: DimonaClient) -> None:
    admin_client.add_scenario(
        client.sandbox.admin_url, "A", ssin=p.SSIN, processing_delay_seconds=3600
    )
    declaration_id = client.submit(p.ordinary_in())
    assert client.get(declaration_id).status_code == 404
    admin_client.process_now(client.sandbox.admin_url, everything=True)
    assert client.answer(declaration_id)["result"] == "A"


def test_scenarios_can_be_listed_and_deleted(fresh: SandboxProcess) -> None:
    created = admin_client.add_scenario(fresh.admin_url, "W", ssin=p.SSIN, anomalies=["90373-460"])
    listed = httpx.get(f"{fresh.admin_url}/scenarios").json()
    assert listed == [created]
    response = httpx.delete(f"{fresh.admin_url}/scenarios/{created['id']}")
    assert response.status_code == 204
    assert httpx.get(f"{fresh.admin_url}/scenarios").json() == []


@pytest.mark.parametrize(
    "bad",
    [
        {"match": {}, "result": "A"},
        {"match": {"ssin": p.SSIN, "familyName": "X"}, "result": "A"},
        {"match": {"ssin": p.SSIN}, "result": "X"},
        {"match": {"ssin": p.SSIN, "kind": "LEAVE"}, "result": "A"},
        {"match": {"ssin": p.SSIN}, "result": "S", "resolveTo": "S"},
        {"match": {"ssin": p.SSIN}, "result": "B", "anomalies": "90017-510"},
    ],
)
def test_invalid_scenarios_are_refused(fresh: SandboxProcess, bad: dict[str, object]) -> None:
    assert httpx.post(f"{fresh.admin_url}/scenarios", json=bad).status_code == 400


def test_scenarios_file_at_start_up(identity: Identity) -> None:
    clients = [{"clientId": identity.client_id, "certificatePem": identity.certificate_pem}]
    scenarios = [{"match": {"ssin": p.SSIN}, "result": "W", "anomalies": ["90017-369"]}]
    with SandboxProcess(clients=clients, scenarios=scenarios, processing_delay=0) as sandbox:
        client = DimonaClient(sandbox, identity)
        assert codes(client.declare(p.ordinary_in())) == ["90017-369"]
        client.close()


def test_unidentified_worker_resolves_after_the_identification_delay(
    client: DimonaClient,
) -> None:
    admin_client.update_settings(client.sandbox.admin_url, identificationDelay=0.2)
    declaration_id = client.submit(p.without_ssin())
    deadline = time.monotonic() + 10
    while client.answer(declaration_id)["result"] == "S":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert client.answer(declaration_id)["result"] == "A"

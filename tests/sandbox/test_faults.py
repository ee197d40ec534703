"""Every fault the sandbox can inject, at run time through /admin/faults and at start-up."""

from __future__ import annotations

import random

import httpx
import pytest

from adapter.sandbox import admin_client
from adapter.sandbox.faults import FaultError, FaultSettings, Latency
from adapter.sandbox.process import SandboxProcess
from tests.sandbox import payloads as p
from tests.sandbox.helpers import DimonaClient, Identity, token_form


def test_latency_distributions_are_non_negative_and_seeded() -> None:
    rng = random.Random(1)
    specs = [
        {"fixedMs": 50},
        {"distribution": "uniform", "minMs": 10, "maxMs": 20},
        {"distribution": "normal", "meanMs": 50, "stdMs": 100},
        {"distribution": "exponential", "meanMs": 30},
        {"distribution": "lognormal", "medianMs": 40, "sigma": 0.5},
    ]
    for spec in specs:
        latency = Latency.parse(spec)
        samples = [latency.sample_seconds(rng) for _ in range(200)]
        assert all(s >= 0 for s in samples)
        assert latency.to_wire() == spec
    assert Latency.parse({"fixedMs": 50}).sample_seconds(rng) == 0.05
    uniform = Latency.parse({"distribution": "uniform", "minMs": 10, "maxMs": 20})
    assert all(0.01 <= uniform.sample_seconds(rng) <= 0.02 for _ in range(100))


@pytest.mark.parametrize(
    "bad",
    [
        {"latency": {"nowhere": 5}},
        {"errors": {"submit": {"418": 0.5}}},
        {"resets": {"submit": 1.5}},
        {"script": {"get": ["explode"]}},
        {"lostResponseMode": "maybe"},
        {"surprise": True},
    ],
)
def test_invalid_fault_settings_are_refused(bad: dict[str, object], fresh: SandboxProcess) -> None:
    with pytest.raises(FaultError):
        FaultSettings.parse(bad)
    assert httpx.post(f"{fresh.admin_url}/faults", json=bad).status_code == 400


def test_latency_is_configurable_per_endpoint(client: DimonaClient) -> None:
    current = admin_client.set_faults(
        client.sandbox.admin_url,
        latency={
            "submit": {"fixedMs": 5},
            "get": {"distribution": "uniform", "minMs": 1, "maxMs": 3},
        },
    )
    assert current["latency"]["submit"] == {"fixedMs": 5}
    assert client.declare(p.ordinary_in())["result"] == "A"


@pytest.mark.parametrize("status", ["500", "503", "429"])
def test_error_rates(client: DimonaClient, status: str) -> None:
    admin_client.set_faults(
        client.sandbox.admin_url, errors={"submit": {status: 1.0}}, retryAfterSeconds=7
    )
    response = client.post(p.ordinary_in())
    assert response.status_code == int(status)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == int(status)
    if status in ("503", "429"):
        assert response.headers["retry-after"] == "7"
    assert admin_client.state(client.sandbox.admin_url)["declarations"] == 0


def test_script_gives_a_deterministic_sequence(client: DimonaClient) -> None:
    admin_client.set_faults(client.sandbox.admin_url, script={"submit": ["503", "429", "ok"]})
    statuses = [client.post(p.ordinary_in()).status_code for _ in range(4)]
    assert statuses == [503, 429, 201, 201]


def test_connection_reset(client: DimonaClient) -> None:
    admin_client.set_faults(client.sandbox.admin_url, resets={"get": 1.0})
    declaration_id = client.submit(p.ordinary_in())
    with pytest.raises(httpx.TransportError):
        client.get(declaration_id)
    admin_client.clear_faults(client.sandbox.admin_url)
    assert client.get(declaration_id).status_code == 200


@pytest.mark.parametrize("mode", ["reset", "500"])
def test_response_lost_after_the_declaration_was_recorded(client: DimonaClient, mode: str) -> None:
    client.headers  # noqa: B018 - fetch the token before the fault is armed
    admin_client.set_faults(
        client.sandbox.admin_url, script={"submit": ["lost"]}, lostResponseMode=mode
    )
    if mode == "reset":
        with pytest.raises(httpx.TransportError):
            client.post(p.ordinary_in())
    else:
        assert client.post(p.ordinary_in()).status_code == 500
    found = client.search("declarations", {"worker": {"ssin": p.SSIN}}).json()
    assert found["total"] == 1
    assert found["items"][0]["declarationStatus"]["result"] == "A"
    retried = client.declare(p.ordinary_in())
    assert retried["result"] == "B"
    assert retried["anomalies"][0]["errorId"] == "90373-333"


def test_slow_processing(client: DimonaClient) -> None:
    admin_client.set_faults(
        client.sandbox.admin_url, slowProcessing={"rate": 1.0, "extraSeconds": 3600}
    )
    declaration_id = client.submit(p.ordinary_in())
    assert client.get(declaration_id).status_code == 404
    admin_client.process_now(client.sandbox.admin_url, everything=True)
    assert client.get(declaration_id).status_code == 200


def test_token_endpoint_outage(fresh: SandboxProcess, identity: Identity) -> None:
    admin_client.set_faults(fresh.admin_url, tokenOutage=True, retryAfterSeconds=3)
    response = httpx.post(fresh.token_url, data=token_form(identity.assertion(fresh.token_url)))
    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"
    assert response.headers["retry-after"] == "3"
    admin_client.set_faults(fresh.admin_url, tokenOutage=False)
    response = httpx.post(fresh.token_url, data=token_form(identity.assertion(fresh.token_url)))
    assert response.status_code == 200


def test_put_replaces_and_delete_restores_start_up_faults(identity: Identity) -> None:
    clients = [{"clientId": identity.client_id, "certificatePem": identity.certificate_pem}]
    with SandboxProcess(clients=clients, latency_ms=1, processing_delay=0) as sandbox:
        started = httpx.get(f"{sandbox.admin_url}/faults").json()
        assert started["latency"] == {"default": {"fixedMs": 1.0}}
        merged = admin_client.set_faults(sandbox.admin_url, errors={"get": {"500": 0.5}})
        assert merged["latency"] == started["latency"]
        replaced = admin_client.set_faults(sandbox.admin_url, replace=True, tokenOutage=True)
        assert "latency" not in replaced
        assert admin_client.clear_faults(sandbox.admin_url) == started


def test_faults_file_at_start_up(identity: Identity) -> None:
    clients = [{"clientId": identity.client_id, "certificatePem": identity.certificate_pem}]
    faults = {"script": {"submit": ["503"]}, "seed": 3}
    with SandboxProcess(clients=clients, faults=faults, processing_delay=0) as sandbox:
        client = DimonaClient(sandbox, identity)
        assert client.post(p.ordinary_in()).status_code == 503
        assert client.post(p.ordinary_in()).status_code == 201
        client.close()


def test_admin_and_health_are_never_faulted(fresh: SandboxProcess) -> None:
    admin_client.set_faults(fresh.admin_url, errors={"default": {"500": 1.0}})
    assert httpx.get(f"{fresh.admin_url}/health").status_code == 200
    assert httpx.get(fresh.metrics_url).status_code == 200


def test_seeded_draws_repeat(client: DimonaClient) -> None:
    client.headers  # noqa: B018 - fetch the token first
    runs = []
    for _ in range(2):
        admin_client.set_faults(
            client.sandbox.admin_url, replace=True, errors={"get": {"503": 0.5}}, seed=7
        )
        runs.append([client.get(656309300157).status_code for _ in range(12)])
    assert runs[0] == runs[1]
    assert set(runs[0]) == {404, 503}

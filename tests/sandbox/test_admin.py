"""Admin API, persistence across restarts, metrics and the subprocess wrapper."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from adapter.sandbox import admin_client
from adapter.sandbox.__main__ import main
from adapter.sandbox.process import SandboxProcess, SandboxStartError
from tests.sandbox import payloads as p
from tests.sandbox.helpers import DimonaClient, Identity, make_identity


def test_health(fresh: SandboxProcess) -> None:
    response = httpx.get(f"{fresh.admin_url}/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_register_client_validates_the_certificate(fresh: SandboxProcess) -> None:
    body = {"clientId": "x", "certificatePem": "not a pem", "employers": None}
    assert httpx.post(f"{fresh.admin_url}/clients", json=body).status_code == 400
    assert httpx.post(f"{fresh.admin_url}/clients", json={"clientId": "x"}).status_code == 400
    identity = make_identity("self_service_expeditor_42")
    created = admin_client.register_client(
        fresh.admin_url, identity.client_id, identity.certificate_pem, employers=[str(p.NOSS)]
    )
    assert created == {"clientId": identity.client_id, "employers": [str(p.NOSS)]}
    listed = httpx.get(f"{fresh.admin_url}/clients").json()
    assert {"clientId": identity.client_id, "employers": [str(p.NOSS)]} in listed


def test_a_bare_public_key_is_accepted(fresh: SandboxProcess) -> None:
    from cryptography.hazmat.primitives import serialization

    identity = make_identity("self_service_expeditor_pubkey")
    public = identity.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    admin_client.register_client(fresh.admin_url, identity.client_id, public.decode())
    client = DimonaClient(fresh, identity)
    assert client.declare(p.ordinary_in())["result"] == "A"
    client.close()


def test_period_counts_and_reset(client: DimonaClient) -> None:
    admin = client.sandbox.admin_url
    period_id = int(client.declare(p.ordinary_in())["period"]["id"])
    client.declare(p.ordinary_in(start=p.d(9, 1)))  # overlaps: refused
    client.declare(p.flexi_day(ssin="04022924678"))
    client.declare(p.cancel(period_id))
    client.declare(p.ordinary_in(start=p.d(10, 1)))
    counts = admin_client.period_counts(admin)
    assert counts == [
        {"employer": "0412345614", "worker": "04022924678", "periods": 1, "cancelled": 0,
         "pending": 0},
        {"employer": str(p.NOSS), "worker": p.SSIN, "periods": 1, "cancelled": 1, "pending": 0},
    ]  # fmt: skip
    summary = admin_client.state(admin, full=True)
    assert summary["declarations"] == 5
    assert summary["declarationsByResult"] == {"A": 4, "B": 1}
    assert len(summary["periodRecords"]) == 3
    record = httpx.get(f"{admin}/declarations/{period_id}").json()
    assert record["kind"] == "IN"
    assert record["client_id"] == client.identity.client_id
    admin_client.reset(admin)
    assert admin_client.period_counts(admin) == []
    assert client.declare(p.ordinary_in())["result"] == "A"  # the client is still registered


def test_metrics_count_what_was_served(client: DimonaClient) -> None:
    client.declare(p.ordinary_in())
    client.get(656309300157)
    text = httpx.get(client.sandbox.metrics_url).text
    assert 'sandbox_http_requests_total{endpoint="submit",method="POST",status="201"}' in text
    assert 'endpoint="get",method="GET",status="404"' in text
    assert 'sandbox_declarations_processed_total{kind="IN",result="A"}' in text
    assert 'sandbox_tokens_total{outcome="issued"}' in text
    assert 'sandbox_periods{status="active"}' in text


def test_sqlite_state_survives_a_restart(tmp_path: Path, identity: Identity) -> None:
    state = tmp_path / "sandbox.sqlite"
    clients = [{"clientId": identity.client_id, "certificatePem": identity.certificate_pem}]
    with SandboxProcess(clients=clients, state=state, processing_delay=0) as sandbox:
        client = DimonaClient(sandbox, identity)
        period_id = int(client.declare(p.ordinary_in())["period"]["id"])
        client.close()
    with SandboxProcess(state=state, processing_delay=0) as sandbox:
        client = DimonaClient(sandbox, identity)  # the client registration was kept too
        assert client.period(period_id).json()["periodId"] == period_id
        assert client.answer(period_id)["result"] == "A"
        out_id = client.submit(p.out(period_id))
        assert out_id > period_id
        assert client.answer(out_id)["result"] == "A"
        assert client.declare(p.ordinary_in())["result"] == "B"  # duplicate still detected
        client.close()


def test_declaration_pending_at_shutdown_is_processed_after_restart(
    tmp_path: Path, identity: Identity
) -> None:
    state = tmp_path / "sandbox.sqlite"
    clients = [{"clientId": identity.client_id, "certificatePem": identity.certificate_pem}]
    with SandboxProcess(clients=clients, state=state, processing_delay=3600) as sandbox:
        client = DimonaClient(sandbox, identity)
        declaration_id = client.submit(p.ordinary_in())
        client.close()
    with SandboxProcess(state=state, processing_delay=0) as sandbox:
        admin_client.process_now(sandbox.admin_url, everything=True)
        client = DimonaClient(sandbox, identity)
        assert client.answer(declaration_id)["result"] == "A"
        client.close()


def test_start_error_carries_the_output() -> None:
    sandbox = SandboxProcess(extra_args=["--processing-delay", "not-a-number"], start_timeout=10)
    with pytest.raises(SandboxStartError, match="processing-delay"):
        sandbox.start()
    sandbox.close()


def test_stop_terminates_the_child() -> None:
    sandbox = SandboxProcess().start()
    process = sandbox.process
    assert process is not None
    assert sandbox.stop() == 0
    assert process.poll() is not None
    sandbox.close()


def test_bad_clients_file_exits_with_2(tmp_path: Path) -> None:
    path = tmp_path / "clients.json"
    path.write_text(json.dumps({"not": "a list"}))
    assert main(["--clients-file", str(path), "--port", "0"]) == 2


def test_urls(sandbox: SandboxProcess) -> None:
    assert sandbox.token_url == f"{sandbox.root_url}/REST/oauth/v5/token"
    assert sandbox.api_base_url == f"{sandbox.root_url}/REST/dimona/v2"
    assert sandbox.soap_url == f"{sandbox.root_url}/SOAP/dimona"
    assert sandbox.admin_url == f"{sandbox.root_url}/admin"

"""The minimal path the rest of the project relies on: token, POST IN, 404 then 200 with A."""

from __future__ import annotations

import httpx

from adapter.sandbox import admin_client
from adapter.sandbox.process import SandboxProcess
from tests.sandbox.helpers import DimonaClient, make_identity

ORDINARY_IN = {
    "employer": {"employerId": 123456749},
    "worker": {"ssin": "90051512391"},
    "dimonaIn": {
        "startDate": "2099-03-02",
        "features": {"jointCommissionNumber": "XXX", "workerType": "OTH"},
    },
}


def test_minimal_path_with_processing_delay() -> None:
    identity = make_identity("self_service_expeditor_1")
    with SandboxProcess(processing_delay=0.5) as sandbox:
        assert httpx.get(f"{sandbox.admin_url}/health").json() == {"status": "ok"}
        admin_client.register_client(
            sandbox.admin_url, identity.client_id, identity.certificate_pem
        )
        client = DimonaClient(sandbox, identity)
        response = client.post(ORDINARY_IN)
        assert response.status_code == 201
        location = response.headers["Location"]
        assert location.startswith(f"{sandbox.api_base_url}/declarations/")
        declaration_id = int(location.rsplit("/", 1)[1])
        assert client.get(declaration_id).status_code == 404
        status = client.answer(declaration_id)
        assert status["result"] == "A"
        assert status["declarationId"] == declaration_id
        assert status["period"]["id"] == declaration_id
        client.close()

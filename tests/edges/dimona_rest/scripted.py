"""Scripted answers of the fake ONSS, and the body the client tests submit."""

from __future__ import annotations

import httpx

IN_BODY = {
    "employer": {"employerId": 123456749},
    "worker": {"ssin": "90051512391"},
    "dimonaIn": {
        "startDate": "2026-03-02",
        "features": {"jointCommissionNumber": "XXX", "workerType": "OTH"},
    },
}


def created(location: str) -> httpx.Response:
    return httpx.Response(201, headers={"Location": location})


def respond(response: httpx.Response):  # type: ignore[no-untyped-def]
    return lambda request: response


def fail(exc_type: type[httpx.TransportError]):  # type: ignore[no-untyped-def]
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type("simulated", request=request)

    return handler

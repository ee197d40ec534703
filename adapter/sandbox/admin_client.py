"""Small synchronous helpers for the sandbox admin API (tests, chaos suite, demo)."""

from __future__ import annotations

from typing import Any

import httpx

_TIMEOUT = 10.0


def _check(response: httpx.Response) -> Any:
    response.raise_for_status()
    return response.json() if response.content else None


def health(admin_url: str) -> bool:
    try:
        return httpx.get(f"{admin_url}/health", timeout=_TIMEOUT).status_code == 200
    except httpx.TransportError:
        return False


def register_client(
    admin_url: str, client_id: str, certificate_pem: str, employers: list[str] | None = None
) -> dict[str, Any]:
    body = {"clientId": client_id, "certificatePem": certificate_pem, "employers": employers}
    result: dict[str, Any] = _check(httpx.post(f"{admin_url}/clients", json=body, timeout=_TIMEOUT))
    return result


def set_faults(admin_url: str, replace: bool = False, **settings: Any) -> dict[str, Any]:
    """Merge (default) or replace fault settings, e.g. ``set_faults(url, tokenOutage=True)``.

    Keyword names are the wire names: latency, errors, resets, lostResponses, lostResponseMode,
    script, retryAfterSeconds, slowProcessing, tokenOutage, seed.
    """
    method = "PUT" if replace else "POST"
    response = httpx.request(method, f"{admin_url}/faults", json=settings, timeout=_TIMEOUT)
    result: dict[str, Any] = _check(response)
    return result


def clear_faults(admin_url: str) -> dict[str, Any]:
    """Back to the faults the sandbox started with."""
    result: dict[str, Any] = _check(httpx.delete(f"{admin_url}/faults", timeout=_TIMEOUT))
    return result


def add_scenario(
    admin_url: str,
    result: str,
    *,
    ssin: str | None = None,
    family_name: str | None = None,
    kind: str | None = None,
    anomalies: list[str] | None = None,
    resolve_after_seconds: float | None = None,
    resolve_to: str = "A",
    resolve_anomalies: list[str] | None = None,
    processing_delay_seconds: float | None = None,
    remaining: int | None = None,
) -> dict[str, Any]:
    match: dict[str, Any] = {"ssin": ssin, "familyName": family_name, "kind": kind}
    body: dict[str, Any] = {
        "match": {k: v for k, v in match.items() if v is not None},
        "result": result,
        "anomalies": anomalies or [],
        "resolveTo": resolve_to,
        "resolveAnomalies": resolve_anomalies or [],
    }
    if resolve_after_seconds is not None:
        body["resolveAfterSeconds"] = resolve_after_seconds
    if processing_delay_seconds is not None:
        body["processingDelaySeconds"] = processing_delay_seconds
    if remaining is not None:
        body["remaining"] = remaining
    created: dict[str, Any] = _check(
        httpx.post(f"{admin_url}/scenarios", json=body, timeout=_TIMEOUT)
    )
    return created


def clear_scenarios(admin_url: str) -> None:
    _check(httpx.delete(f"{admin_url}/scenarios", timeout=_TIMEOUT))


def reset(admin_url: str, *, clients: bool = False) -> dict[str, Any]:
    """Forget declarations, periods, scenarios and run-time faults (and clients if asked)."""
    body = {"clients": clients}
    result: dict[str, Any] = _check(httpx.post(f"{admin_url}/reset", json=body, timeout=_TIMEOUT))
    return result


def period_counts(admin_url: str) -> list[dict[str, Any]]:
    """Per employer and worker: ``periods`` (active or pending), ``cancelled``, ``pending``."""
    result: list[dict[str, Any]] = _check(httpx.get(f"{admin_url}/period-counts", timeout=_TIMEOUT))
    return result


def state(admin_url: str, *, full: bool = False) -> dict[str, Any]:
    params = {"full": "1"} if full else {}
    response = httpx.get(f"{admin_url}/state", params=params, timeout=_TIMEOUT)
    result: dict[str, Any] = _check(response)
    return result


def update_settings(admin_url: str, **settings: Any) -> dict[str, Any]:
    """processingDelay, identificationDelay, studentQuotaHours, tokenTtl, audiences."""
    response = httpx.patch(f"{admin_url}/settings", json=settings, timeout=_TIMEOUT)
    result: dict[str, Any] = _check(response)
    return result


def process_now(admin_url: str, *, everything: bool = False) -> int:
    """Process what is due (or everything pending, resolving S answers too)."""
    response = httpx.post(f"{admin_url}/process", json={"all": everything}, timeout=_TIMEOUT)
    return int(_check(response)["processed"])


def lock_period(admin_url: str, period_id: int, locked: bool = True) -> dict[str, Any]:
    response = httpx.post(
        f"{admin_url}/periods/{period_id}/lock", json={"locked": locked}, timeout=_TIMEOUT
    )
    result: dict[str, Any] = _check(response)
    return result

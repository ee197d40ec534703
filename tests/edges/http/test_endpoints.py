"""The ops server over loopback: /livez, /readyz, /metrics with the real Prometheus registry."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from adapter.app.metrics import NoMetrics, count_by_age, poll_age_bucket
from adapter.app.ports import Metrics
from adapter.edges.http.health import Health
from adapter.edges.http.prometheus import (
    PrometheusMetrics,
    kafka_stats_callback,
    lag_from_statistics,
)
from adapter.edges.http.server import OpsServer


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def serving(health: Health, metrics: PrometheusMetrics) -> AsyncIterator[httpx.AsyncClient]:
    """The server on a free loopback port and a client pointed at it."""
    async with OpsServer(health, metrics, host="127.0.0.1", port=0) as server:
        base = f"http://127.0.0.1:{server.port}"
        async with httpx.AsyncClient(base_url=base) as http:
            yield http


async def test_livez_follows_the_heartbeat() -> None:
    clock = ManualClock()
    health = Health(liveness_window_s=30, clock=clock)
    async with serving(health, PrometheusMetrics()) as http:
        assert (await http.get("/livez")).status_code == 200
        clock.now += 31
        stale = await http.get("/livez")
        assert stale.status_code == 503
        assert stale.json()["ok"] is False
        health.heartbeat()
        assert (await http.get("/livez")).status_code == 200


async def test_readyz_needs_partitions_and_store() -> None:
    store_up = True

    async def store_check() -> bool:
        if not store_up:
            raise OSError("connection refused")
        return True

    clock = ManualClock()
    health = Health(store_check=store_check, readiness_cache_s=1.0, clock=clock)
    async with serving(health, PrometheusMetrics()) as http:
        first = await http.get("/readyz")
        assert first.status_code == 503
        assert first.json()["checks"]["partitions"] == "none assigned"
        health.partitions_assigned(True)
        assert (await http.get("/readyz")).status_code == 200
        store_up = False
        clock.now += 1.0  # past the window in which the last store check is reused
        down = await http.get("/readyz")
        assert down.status_code == 503
        assert down.json()["checks"]["store"] == "unreachable"
        # the store being down does not make the process "dead"
        assert (await http.get("/livez")).status_code == 200
        store_up = True
        clock.now += 1.0
        assert (await http.get("/readyz")).status_code == 200
        health.stopping()  # not cached: draining shows at once
        draining = await http.get("/readyz")
        assert draining.status_code == 503
        assert draining.json()["checks"]["shutdown"] == "draining"


async def test_metrics_are_exposed_with_their_names() -> None:
    metrics = PrometheusMetrics()
    metrics.event_consumed(3)
    metrics.event_rejected("SCHEMA_MISMATCH")
    metrics.dead_letter("SCHEMA_MISMATCH")
    metrics.declaration_result("IN", "ACCEPTED")
    metrics.transition("SUBMITTED")
    metrics.onss_request("submit", 201, 0.12)
    metrics.onss_request("token", "ConnectError", 5.0)
    metrics.handled(0.01)
    metrics.set_in_flight(7)
    metrics.set_outbox_backlog(2)
    metrics.pending_polls(count_by_age([5.0, 3600.0 * 30]))
    metrics.set_consumer_lag(3, 42)
    metrics.set_partitions_assigned(4)
    async with serving(Health(), metrics) as http:
        response = await http.get("/metrics")
        unknown = await http.get("/nope")
        post = await http.post("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for line in (
        'dimona_adapter_events_consumed_total{partition="3"} 1.0',
        'dimona_adapter_events_rejected_total{reason="SCHEMA_MISMATCH"} 1.0',
        'dimona_adapter_dead_letters_total{reason="SCHEMA_MISMATCH"} 1.0',
        'dimona_adapter_declarations_total{kind="IN",result="ACCEPTED"} 1.0',
        'dimona_adapter_declaration_transitions_total{state="SUBMITTED"} 1.0',
        'dimona_adapter_onss_request_duration_seconds_count{endpoint="submit",status="201"} 1.0',
        'dimona_adapter_onss_request_duration_seconds_count{endpoint="token",status="ConnectError"}'
        " 1.0",
        "dimona_adapter_message_handling_duration_seconds_count 1.0",
        "dimona_adapter_employments_in_flight 7.0",
        "dimona_adapter_outbox_backlog 2.0",
        'dimona_adapter_pending_polls{age="lt_1m"} 1.0',
        'dimona_adapter_pending_polls{age="lt_7d"} 1.0',
        'dimona_adapter_pending_polls{age="lt_6h"} 0.0',
        'dimona_adapter_consumer_lag{partition="3"} 42.0',
        "dimona_adapter_partitions_assigned 4.0",
    ):
        assert line in text, line
    assert "dimona_adapter_build_info{" in text
    assert unknown.status_code == 404
    assert post.status_code == 405


async def test_process_and_gc_collectors_are_exposed_and_no_created_series() -> None:
    metrics = PrometheusMetrics()
    metrics.event_consumed(1)
    metrics.onss_request("submit", 201, 0.05)
    text = metrics.render().decode()
    for name in (
        "process_resident_memory_bytes",
        "process_cpu_seconds_total",
        "process_open_fds",
        "python_gc_collections_total",
        "python_info",
    ):
        assert f"\n{name}" in text, name
    assert "_created" not in text


async def test_each_instance_has_its_own_registry() -> None:
    one, two = PrometheusMetrics(), PrometheusMetrics()
    one.event_consumed(0)
    assert b'partition="0"' in one.render()
    assert b'partition="0"' not in two.render()


async def test_a_garbage_request_does_not_kill_the_server() -> None:
    async with OpsServer(Health(), PrometheusMetrics(), host="127.0.0.1", port=0) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"NONSENSE\r\n\r\n")
        await writer.drain()
        answer = await reader.read()
        writer.close()
        await writer.wait_closed()
        assert answer.startswith(b"HTTP/1.1 404")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as http:
            assert (await http.get("/livez")).status_code == 200


def _methods(protocol: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(protocol).items()
        if callable(member) and not name.startswith("_")
    }


def test_both_metrics_implement_every_method_of_the_port() -> None:
    port = _methods(Metrics)
    assert "event_consumed" in port
    assert "set_partitions_assigned" in port
    for implementation in (NoMetrics, PrometheusMetrics):
        methods = _methods(implementation)
        assert {n: s for n, s in methods.items() if n in port} == port, implementation.__name__
    silent = NoMetrics()
    silent.event_consumed(0)
    silent.pending_polls({"lt_1m": 0})
    assert silent.set_consumer_lag(0, 0) is None  # accepted and forgotten, never raises


def test_poll_age_buckets() -> None:
    assert poll_age_bucket(0) == "lt_1m"
    assert poll_age_bucket(59.9) == "lt_1m"
    assert poll_age_bucket(60) == "lt_20m"
    assert poll_age_bucket(8 * 24 * 3600) == "ge_7d"
    counts = count_by_age([1, 2, 8 * 24 * 3600])
    assert counts["lt_1m"] == 2
    assert counts["ge_7d"] == 1
    assert counts["lt_1d"] == 0


STATS = """{"topics": {"hr.employment.events": {"partitions": {
  "0": {"consumer_lag": 12}, "1": {"consumer_lag": -1}, "-1": {"consumer_lag": 5}}},
  "other": {"partitions": {"0": {"consumer_lag": 99}}}}}"""


def test_consumer_lag_from_librdkafka_statistics() -> None:
    assert lag_from_statistics(STATS, "hr.employment.events") == {0: 12}
    metrics = PrometheusMetrics()
    callback = kafka_stats_callback(metrics, "hr.employment.events")
    callback(STATS)
    callback("not json")  # logged, not raised
    assert b'dimona_adapter_consumer_lag{partition="0"} 12.0' in metrics.render()


async def test_health_implements_the_app_port() -> None:
    from adapter.app.metrics import NoHealth
    from adapter.app.ports import HealthReport

    port = _methods(HealthReport)
    assert set(port) == {"heartbeat", "partitions_assigned", "stopping", "degraded"}
    for implementation in (Health, NoHealth):
        assert {n: s for n, s in _methods(implementation).items() if n in port} == port
    # what the runner reports reaches the probes
    clock = ManualClock()
    health = Health(liveness_window_s=30, clock=clock)
    clock.now += 31
    assert health.live().ok is False
    health.heartbeat()
    assert health.live().ok is True
    assert (await health.ready()).checks["partitions"] == "none assigned"
    health.partitions_assigned(True)
    assert (await health.ready()).ok is True
    health.degraded("intake", "StoreUnavailableError: retrying")
    degraded = await health.ready()
    assert degraded.ok is False
    assert degraded.checks["intake"] == "StoreUnavailableError: retrying"
    health.degraded("intake", None)
    assert (await health.ready()).ok is True
    health.stopping()
    stopped = await health.ready()
    assert stopped.ok is False
    assert stopped.checks["shutdown"] == "draining"
    assert health.live().ok is True  # draining is not dead
    silent = NoHealth()
    silent.heartbeat()
    silent.partitions_assigned(True)
    assert silent.stopping() is None

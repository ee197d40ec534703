"""The one composition root: Settings in, a running adapter out.

Nothing else constructs edges. Tests and the demo call ``build_adapter`` with their own
Settings (pointing at the embedded broker and the sandbox).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from adapter.app.backoff import retry_delay
from adapter.app.driver import DeclarationDriver, DriverConfig
from adapter.app.executor import Executor
from adapter.app.intake import Intake
from adapter.app.onss_circuit import CircuitConfig, OnssCircuit
from adapter.app.relay import OutboxRelay
from adapter.app.runner import Runner, RunnerConfig
from adapter.app.status_events import StatusEvents
from adapter.app.telemetry import Telemetry
from adapter.core.errors import FatalConfiguration, TransientError
from adapter.edges.avro.codec import SingleObjectCodec
from adapter.edges.avro.registry import SchemaRegistryCodec
from adapter.edges.clock import SystemClock
from adapter.edges.dimona_rest.client import DimonaRestClient
from adapter.edges.dimona_rest.token import TokenProvider
from adapter.edges.dimona_soap.client import DimonaSoapClient
from adapter.edges.http.ops import Operations, operations, start_up_probes
from adapter.edges.http.prometheus import PrometheusMetrics, kafka_stats_callback
from adapter.edges.kafka.consumer import KafkaEventSource
from adapter.edges.kafka.producer import (
    IdempotentProducer,
    KafkaDeadLetterSink,
    KafkaStatusPublisher,
)
from adapter.edges.kafka.topics import ensure_topics
from adapter.edges.store.engine import StoreUnavailableError
from adapter.edges.store.factory import open_async_store
from adapter.edges.store.metrics import register_store_counts
from adapter.edges.store.roles import AsyncSqlStore
from adapter.gc_tuning import freeze_start_up_objects
from adapter.logging import log_handled
from adapter.settings import Settings

logger = logging.getLogger(__name__)

EVENT_SCHEMA = "employment_event"
STATUS_SCHEMA = "declaration_status_changed"
_REGISTRY_RETRY_CAP_S = 30.0

ExecutorFactory = Callable[[DeclarationDriver], Executor]
"""How the employment actors are scheduled: ``Executor`` unless a caller brings its own."""


def record_codec(
    settings: Settings, family: str, topic: str
) -> SingleObjectCodec | SchemaRegistryCodec:
    """The framing of ``encoding.format``: single-object (default) or Confluent registry."""
    encoding = settings.encoding
    if encoding.format == "single-object":
        return SingleObjectCodec(
            family, accept_legacy_fingerprint=encoding.accept_legacy_fingerprint
        )
    if not encoding.schema_registry_url:
        msg = "encoding.format=confluent needs encoding.schema_registry_url"
        raise FatalConfiguration(msg)
    return SchemaRegistryCodec(
        family,
        registry_url=encoding.schema_registry_url,
        subject=f"{topic}-value",
        timeout_s=encoding.schema_registry_timeout_s,
    )


async def register_writer(
    codec: SingleObjectCodec | SchemaRegistryCodec, stopping: asyncio.Event | None = None
) -> bool:
    """The registry writer id, resolved once before anything encodes (``encode`` stays
    synchronous and never calls the registry); a registry outage at start-up is waited out.
    False when ``stopping`` was set meanwhile (SIGTERM during the wait)."""
    if not isinstance(codec, SchemaRegistryCodec):
        return True
    for attempt in itertools.count(1):
        try:
            await codec.register_writer()
        except TransientError as exc:
            delay = min(retry_delay(attempt, exc.retry_after), _REGISTRY_RETRY_CAP_S)
            if await _wait_at_start_up("schema registry", exc, attempt, delay, stopping):
                return False
        else:
            return True
    raise AssertionError("unreachable")  # pragma: no cover


def dimona_gateway(
    settings: Settings, metrics: PrometheusMetrics
) -> DimonaRestClient | DimonaSoapClient:
    """The channel to ONSS of ``pipeline.channel``: REST v2 (default) or SOAP."""
    if settings.pipeline.channel == "rest":
        return DimonaRestClient.from_config(settings.dimona, on_request=metrics.onss_request)
    tokens = TokenProvider.from_config(settings.dimona, on_request=metrics.onss_request)
    return DimonaSoapClient(
        endpoint=settings.soap.endpoint_for(settings.dimona.base_url),
        token_provider=tokens,
        owns_token_provider=True,
    )


@dataclass(frozen=True, slots=True)
class Adapter:
    runner: Runner
    store: AsyncSqlStore
    gateway: DimonaRestClient | DimonaSoapClient
    producer: IdempotentProducer


async def open_migrated_store(
    settings: Settings, stopping: asyncio.Event | None = None, *, cap_s: float = 30.0
) -> AsyncSqlStore | None:
    """The store, migrated; while the database cannot be reached, wait and try again (with a
    growing backoff, logged) rather than fail the start. None if stopped meanwhile.

    SQLite is served inline on the loop, PostgreSQL on its own thread (``open_async_store``)."""
    password = settings.store.password.get_secret_value() if settings.store.password else None
    attempt = 0
    async with contextlib.AsyncExitStack() as waiting:
        probes: Operations | None = None
        while True:
            attempt += 1
            try:
                store = await asyncio.to_thread(
                    open_async_store, settings.store.url, password=password
                )
                try:
                    await store.migrate()
                except BaseException:
                    store.close()
                    raise
            except StoreUnavailableError as exc:
                if probes is None:  # the kubelet must still see a live, not-ready pod
                    probes = await waiting.enter_async_context(_start_up_probes(settings))
                probes.health.degraded("startup", "store unavailable: waiting")
                probes.health.heartbeat()
                delay = retry_delay(attempt, None, cap=cap_s)
                if await _wait_at_start_up("store", exc, attempt, delay, stopping):
                    return None
                continue
            return store


async def _wait_at_start_up(
    what: str, error: Exception, attempt: int, delay: float, stopping: asyncio.Event | None
) -> bool:
    """Log why start-up waits, then wait ``delay`` seconds; True when stopped meanwhile."""
    logger.warning(
        "dependency unavailable at start-up, waiting",
        extra={
            "dependency": what,
            "error": str(error),
            "attempt": attempt,
            "retry_in_s": round(delay, 3),
        },
    )
    if stopping is None:
        await asyncio.sleep(delay)
        return False
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=delay)
    return stopping.is_set()


def _start_up_probes(settings: Settings) -> contextlib.AbstractAsyncContextManager[Operations]:
    http = settings.http
    return start_up_probes(
        host=http.host,
        port=http.port,
        liveness_window_s=http.liveness_window_s,
        idle_timeout_s=http.idle_timeout_s,
        max_connections=http.max_connections,
    )


async def relay_store_for(
    settings: Settings, store: AsyncSqlStore, stopping: asyncio.Event | None
) -> AsyncSqlStore:
    """The outbox relay's store. On PostgreSQL a connection of its own: on the store's one
    thread its reads waited behind the actors' groups of writes, and status events reached
    the topic seconds after their state change (docs/performance.md, scale-out). SQLite is
    served inline on the loop: no queue to wait behind, the same store."""
    if not store.on_its_own_thread:
        return store
    own = await open_migrated_store(settings, stopping)
    return store if own is None else own


@asynccontextmanager
async def build_adapter(
    settings: Settings,
    *,
    driver_config: DriverConfig | None = None,
    stopping: asyncio.Event | None = None,
    make_executor: ExecutorFactory = Executor,
) -> AsyncIterator[Adapter | None]:
    """The wired adapter; None when ``stopping`` was set while the store was still down."""
    kafka = settings.kafka
    client_config = kafka.client_config()
    if kafka.create_topics:
        topics = (kafka.input_topic, kafka.status_topic, kafka.dead_letter_topic)
        ensure_topics(client_config, topics, partitions=kafka.topic_partitions)
    store = await open_migrated_store(settings, stopping)
    if store is None:
        yield None
        return
    clock = SystemClock()
    metrics = PrometheusMetrics()
    register_store_counts(metrics.registry, store.counts)
    status_codec = record_codec(settings, STATUS_SCHEMA, kafka.status_topic)
    if not await register_writer(status_codec, stopping):
        store.close()
        yield None
        return
    statuses = StatusEvents(status_codec)
    producer = IdempotentProducer(client_config, max_record_bytes=kafka.max_record_bytes)
    consumer_config: dict[str, object] = {
        **client_config,
        "group.id": kafka.group_id,
        "session.timeout.ms": kafka.session_timeout_ms,
    }
    if kafka.statistics_interval_ms > 0:  # consumer lag for the metrics
        consumer_config["statistics.interval.ms"] = kafka.statistics_interval_ms
        consumer_config["stats_cb"] = kafka_stats_callback(metrics, kafka.input_topic)
    source = KafkaEventSource(consumer_config, kafka.input_topic)
    gateway = dimona_gateway(settings, metrics)
    telemetry = Telemetry(metrics=metrics, log_handled=log_handled)
    relay_store = await relay_store_for(settings, store, stopping)
    relay = OutboxRelay(
        relay_store,
        KafkaStatusPublisher(producer, kafka.status_topic),
        partitions=lambda: source.assigned_partitions,
        batches_in_flight=settings.pipeline.relay_batches_in_flight,
    )
    driver = DeclarationDriver(
        inbox=store,
        ledger=store,
        gateway=gateway,
        statuses=statuses,
        clock=clock,
        config=driver_config
        or DriverConfig(
            poll_schedule=settings.polling,
            reconcile_window_s=settings.pipeline.reconcile_window_s,
            reconcile_interval_s=settings.pipeline.reconcile_interval_s,
            regime_fallback=settings.policy.redeclare_lost_special_regime,
            retry_backoff_cap_s=settings.pipeline.retry_backoff_cap_s,
            retry_after_cap_s=settings.pipeline.retry_after_cap_s,
        ),
        on_outbox=relay.nudge,
        telemetry=telemetry,
        circuit=OnssCircuit(
            time.monotonic,
            CircuitConfig(
                threshold=settings.pipeline.onss_circuit_threshold,
                cap_s=settings.pipeline.onss_circuit_cap_s,
                retry_after_cap_s=settings.pipeline.retry_after_cap_s,
            ),
        ),
    )
    executor = make_executor(driver)
    event_codec = record_codec(settings, EVENT_SCHEMA, kafka.input_topic)
    runner = Runner(
        source=source,
        intake=Intake(event_codec, statuses),
        inbox=store,
        outbox=store,
        executor=executor,
        relay=relay,
        dead_letters=KafkaDeadLetterSink(producer, kafka.dead_letter_topic),
        clock=clock,
        config=RunnerConfig(
            max_employments_in_flight=settings.max_events_in_flight,
            drain_budget_s=settings.drain_budget_s,
            dead_letter_ratio_limit=settings.pipeline.dead_letter_ratio_limit,
            dead_letter_window=settings.pipeline.dead_letter_window,
            rescan_interval_s=settings.pipeline.rescan_interval_s,
        ),
    )
    try:
        async with (
            gateway,
            operations(
                host=settings.http.host,
                port=settings.http.port,
                store=store,
                partitions=lambda: source.assigned_partitions,
                liveness_window_s=settings.http.liveness_window_s,
                idle_timeout_s=settings.http.idle_timeout_s,
                max_connections=settings.http.max_connections,
                readiness_cache_s=settings.http.readiness_cache_s,
                metrics=metrics,
            ) as ops,
        ):
            runner.use_telemetry(
                Telemetry(metrics=metrics, health=ops.health, log_handled=log_handled)
            )
            yield Adapter(runner, store, gateway, producer)
    finally:
        await asyncio.get_running_loop().run_in_executor(None, producer.close)
        if relay_store is not store:
            relay_store.close()
        store.close()
        await status_codec.aclose()
        await event_codec.aclose()


async def run_until_stopped(
    settings: Settings,
    stopping: asyncio.Event,
    *,
    driver_config: DriverConfig | None = None,
    make_executor: ExecutorFactory = Executor,
) -> None:
    async with build_adapter(
        settings, driver_config=driver_config, stopping=stopping, make_executor=make_executor
    ) as adapter:
        if adapter is not None:
            if settings.pipeline.gc_freeze:
                freeze_start_up_objects()
            await adapter.runner.run(stopping)

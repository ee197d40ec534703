"""The one composition root: Settings in, a running adapter out.

Nothing else constructs edges. Tests and the demo call ``build_adapter`` with their own
Settings (pointing at the embedded broker and the sandbox).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial

from adapter.app.async_store import AsyncStore
from adapter.app.driver import DeclarationDriver, DriverConfig
from adapter.app.executor import Executor
from adapter.app.intake import Intake
from adapter.app.relay import OutboxRelay
from adapter.app.runner import Runner, RunnerConfig
from adapter.app.status_events import StatusEvents
from adapter.app.telemetry import Telemetry
from adapter.core.errors import FatalConfiguration
from adapter.edges.avro.codec import SingleObjectCodec
from adapter.edges.avro.registry import SchemaRegistryCodec
from adapter.edges.clock import SystemClock
from adapter.edges.dimona_rest.client import DimonaRestClient
from adapter.edges.dimona_rest.token import TokenProvider
from adapter.edges.dimona_rest.wire import declaration_to_body
from adapter.edges.dimona_soap.client import DimonaSoapClient
from adapter.edges.http.ops import operations
from adapter.edges.http.prometheus import PrometheusMetrics, kafka_stats_callback
from adapter.edges.kafka.consumer import KafkaEventSource
from adapter.edges.kafka.producer import (
    IdempotentProducer,
    KafkaDeadLetterSink,
    KafkaStatusPublisher,
)
from adapter.edges.kafka.topics import ensure_topics
from adapter.edges.store.factory import open_store
from adapter.logging import log_handled
from adapter.settings import Settings

EVENT_SCHEMA = "employment_event"
STATUS_SCHEMA = "declaration_status_changed"


def record_codec(
    settings: Settings, family: str, topic: str
) -> SingleObjectCodec | SchemaRegistryCodec:
    """The framing of ``encoding.format``: single-object (default) or Confluent registry."""
    encoding = settings.encoding
    if encoding.format == "single-object":
        return SingleObjectCodec(family)
    if not encoding.schema_registry_url:
        msg = "encoding.format=confluent needs encoding.schema_registry_url"
        raise FatalConfiguration(msg)
    return SchemaRegistryCodec(
        family, registry_url=encoding.schema_registry_url, subject=f"{topic}-value"
    )


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
    store: AsyncStore
    gateway: DimonaRestClient | DimonaSoapClient
    producer: IdempotentProducer


@asynccontextmanager
async def build_adapter(
    settings: Settings, *, driver_config: DriverConfig | None = None
) -> AsyncIterator[Adapter]:
    kafka = settings.kafka
    client_config = kafka.client_config()
    if kafka.create_topics:
        topics = (kafka.input_topic, kafka.status_topic, kafka.dead_letter_topic)
        ensure_topics(client_config, topics, partitions=kafka.topic_partitions)
    password = settings.store.password.get_secret_value() if settings.store.password else None
    sync_store = open_store(settings.store.url, password=password)
    sync_store.migrate()
    store = AsyncStore(sync_store)
    clock = SystemClock()
    metrics = PrometheusMetrics()
    statuses = StatusEvents(record_codec(settings, STATUS_SCHEMA, kafka.status_topic))
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
    relay = OutboxRelay(
        store,
        KafkaStatusPublisher(producer, kafka.status_topic),
        partitions=lambda: source.assigned_partitions,
    )
    driver = DeclarationDriver(
        store=store,
        gateway=gateway,
        statuses=statuses,
        clock=clock,
        render_body=partial(declaration_to_body),
        config=driver_config
        or DriverConfig(
            poll_schedule=settings.polling,
            reconcile_window_s=settings.pipeline.reconcile_window_s,
            reconcile_interval_s=settings.pipeline.reconcile_interval_s,
            regime_fallback=settings.policy.redeclare_lost_special_regime,
        ),
        on_outbox=relay.nudge,
        telemetry=telemetry,
    )
    executor = Executor(driver, one_per_partition=settings.pipeline.mode == "plain")
    runner = Runner(
        source=source,
        intake=Intake(record_codec(settings, EVENT_SCHEMA, kafka.input_topic), statuses),
        store=store,
        executor=executor,
        relay=relay,
        dead_letters=KafkaDeadLetterSink(producer, kafka.dead_letter_topic),
        clock=clock,
        config=RunnerConfig(
            max_employments_in_flight=settings.max_events_in_flight,
            drain_budget_s=settings.drain_budget_s,
            dead_letter_ratio_limit=settings.pipeline.dead_letter_ratio_limit,
            dead_letter_window=settings.pipeline.dead_letter_window,
        ),
    )
    try:
        async with (
            gateway,
            operations(
                host=settings.http.host,
                port=settings.http.port,
                store=sync_store,
                partitions=lambda: source.assigned_partitions,
                liveness_window_s=settings.http.liveness_window_s,
                metrics=metrics,
            ) as ops,
        ):
            runner.use_telemetry(
                Telemetry(metrics=metrics, health=ops.health, log_handled=log_handled)
            )
            yield Adapter(runner, store, gateway, producer)
    finally:
        await asyncio.get_running_loop().run_in_executor(None, producer.close)
        store.close()


async def run_until_stopped(
    settings: Settings, stopping: asyncio.Event, *, driver_config: DriverConfig | None = None
) -> None:
    async with build_adapter(settings, driver_config=driver_config) as adapter:
        await adapter.runner.run(stopping)

"""Configuration: the only module that reads the environment.

Every setting has the prefix ``DIMONA_ADAPTER_`` and nested groups use ``__``, for example
``DIMONA_ADAPTER_KAFKA__BOOTSTRAP_SERVERS`` or ``DIMONA_ADAPTER_DIMONA__CLIENT_ID``.
Secrets are ``SecretStr`` and never printed. See docs/configuration.md.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapter.core.polling import PollSchedule
from adapter.edges.dimona_rest.config import DimonaRestConfig, HttpUrl

ENV_PREFIX = "DIMONA_ADAPTER_"


class _Group(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KafkaSettings(_Group):
    """Where events come from and where status events and dead letters go."""

    bootstrap_servers: str = "127.0.0.1:9092"
    group_id: str = "dimona-adapter"
    input_topic: str = "hr.employment.events"
    status_topic: str = "dimona.declaration.status"
    dead_letter_topic: str = "hr.employment.events.dlq"
    max_record_bytes: int = Field(
        default=1_048_588,
        ge=1_024,
        description="largest inbound record (the topic's max.message.bytes); "
        "the dead-letter producer is sized for it plus 64 KiB of headers",
    )
    session_timeout_ms: int = Field(default=45_000, ge=1_000)
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    create_topics: bool = Field(
        default=False, description="create missing topics at start-up (demo and tests)"
    )
    topic_partitions: int = Field(default=12, ge=1)
    statistics_interval_ms: int = Field(
        default=15_000, ge=0, description="librdkafka statistics (consumer lag metric); 0 = off"
    )

    def client_config(self) -> dict[str, str | int | float | bool]:
        """The librdkafka settings shared by consumers, producers and admin clients."""
        config: dict[str, str | int | float | bool] = {
            "bootstrap.servers": self.bootstrap_servers,
            "security.protocol": self.security_protocol,
            # Idle connections closed by the broker are normal; librdkafka logs them as errors.
            "log.connection.close": False,
        }
        if self.sasl_mechanism:
            config["sasl.mechanism"] = self.sasl_mechanism
        if self.sasl_username:
            config["sasl.username"] = self.sasl_username
        if self.sasl_password:
            config["sasl.password"] = self.sasl_password.get_secret_value()
        return config


class EncodingSettings(_Group):
    """How records are framed on the topics."""

    format: Literal["single-object", "confluent"] = "single-object"
    schema_registry_url: HttpUrl | None = None
    # Issue 11: see docs/contracts.md, "Framing".
    accept_legacy_fingerprint: bool = Field(
        default=True,
        description="also read single-object records framed with the byte-reversed "
        "fingerprint of earlier releases (migration, one release)",
    )
    schema_registry_timeout_s: float = Field(
        default=5.0, gt=0, description="timeout of each Schema Registry request"
    )


class SoapSettings(_Group):
    """The Dimona SOAP channel (consultation by criteria; docs/soap.md)."""

    endpoint: HttpUrl | None = Field(
        default=None,
        description="SOAP endpoint; default: the REST root with /SOAP/dimona "
        "(https://host/REST/dimona/v2 -> https://host/SOAP/dimona)",
    )

    def endpoint_for(self, rest_base_url: str) -> str:
        if self.endpoint:
            return self.endpoint
        root = rest_base_url.rstrip("/").removesuffix("/REST/dimona/v2")
        return f"{root}/SOAP/dimona"


class StoreSettings(_Group):
    """The inbox/outbox store: SQLite (embedded default) or PostgreSQL (production)."""

    url: str = "sqlite:///dimona-adapter.sqlite3"
    password: SecretStr | None = None


class HttpSettings(_Group):
    """The health and metrics server."""

    host: str = "0.0.0.0"  # noqa: S104 - probes come from the kubelet, outside the pod
    port: int = Field(default=8080, ge=0, le=65535)
    liveness_window_s: float = Field(
        default=60.0,
        gt=0,
        description="/livez fails when the main loop has not ticked for this long",
    )
    idle_timeout_s: float = Field(
        default=5.0,
        gt=0,
        description="a connection that sends no complete request (or takes no answer) for this "
        "long is closed",
    )
    max_connections: int = Field(
        default=100, ge=1, description="connections beyond this many at once get 503 and close"
    )
    readiness_cache_s: float = Field(
        default=1.0,
        ge=0,
        description="/readyz reuses its store check for this long (0 = one query per probe)",
    )


class PolicySettings(_Group):
    """Behaviour choices where the Dimona reference is unsure (docs/decisions.md)."""

    redeclare_lost_special_regime: bool = Field(
        default=False,
        description="on W 90017-510 or 90017-369, cancel and re-declare as OTH (as laravel-dimona)",
    )
    gender_codes: Literal["1-2", "0-1"] = "1-2"


class PipelineSettings(_Group):
    """How the pipeline schedules work (docs/architecture.md)."""

    reconcile_window_s: float = Field(
        default=120.0,
        gt=0,
        description="how long to look for a declaration of unknown outcome before re-posting it",
    )
    reconcile_interval_s: float = Field(default=5.0, gt=0)
    channel: Literal["rest", "soap"] = Field(
        default="rest",
        description="how declarations are submitted, polled and reconciled: REST v2 (default) "
        "or the SOAP service (docs/soap.md)",
    )
    dead_letter_ratio_limit: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="stop consuming when more than this share of recent records is dead-lettered",
    )
    dead_letter_window: int = Field(
        default=200, ge=10, description="how many recent records the dead-letter ratio looks at"
    )
    retry_backoff_cap_s: float = Field(
        default=300.0,
        gt=0,
        description="longest wait of one declaration between two failed ONSS calls "
        "(exponential backoff with jitter up to this)",
    )
    retry_after_cap_s: float = Field(
        default=300.0, ge=0, description="ONSS's Retry-After is honoured up to this many seconds"
    )
    onss_circuit_threshold: int = Field(
        default=5,
        ge=1,
        description="consecutive ONSS failures (all declarations together) after which every "
        "call waits: a failing ONSS slows every actor",
    )
    onss_circuit_cap_s: float = Field(
        default=60.0, gt=0, description="longest shared pause while ONSS keeps failing"
    )
    rescan_interval_s: float = Field(
        default=30.0,
        gt=0,
        description="how often the open work of the owned partitions is looked up again",
    )
    relay_batches_in_flight: int = Field(
        default=4,
        ge=1,
        description="status-event batches handed to the producer before the first is "
        "acknowledged; 1 keeps the topic in outbox order even when a delivery fails, at the "
        "price of bursts when the process is busy (adapter/app/relay.py)",
    )
    gc_freeze: bool = Field(
        default=True,
        description="after start-up, move every object created so far out of the garbage "
        "collector's sight and collect the young generation less often (docs/performance.md)",
    )


class Settings(BaseSettings):
    """The effective configuration of one adapter process."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", frozen=True, extra="ignore"
    )

    kafka: KafkaSettings = KafkaSettings()
    encoding: EncodingSettings = EncodingSettings()
    dimona: DimonaRestConfig = DimonaRestConfig()
    soap: SoapSettings = SoapSettings()
    polling: PollSchedule = PollSchedule()
    store: StoreSettings = StoreSettings()
    http: HttpSettings = HttpSettings()
    policy: PolicySettings = PolicySettings()
    pipeline: PipelineSettings = PipelineSettings()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    max_events_in_flight: int = Field(default=1_000, ge=1)  # docs/performance.md: 100k backlog
    drain_budget_s: float = Field(default=20.0, gt=0)

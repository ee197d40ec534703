"""``dimona-adapter config check`` against the real sandbox and the session's broker."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from adapter.cli import main
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.keys import create_key_pair
from adapter.edges.kafka.ladder import BrokerHandle
from adapter.edges.kafka.topics import ensure_topics
from adapter.edges.store.factory import open_store
from adapter.settings import KafkaSettings, Settings, StoreSettings
from tests.commands.settings_env import use_settings

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def _settings(tmp_path: Path, broker: BrokerHandle, onss: DimonaRestConfig) -> Settings:
    suffix = uuid.uuid4().hex[:8]
    kafka = KafkaSettings(
        bootstrap_servers=broker.bootstrap_servers,
        input_topic=f"in.{suffix}",
        status_topic=f"status.{suffix}",
        dead_letter_topic=f"dlq.{suffix}",
        sasl_password="very-secret-kafka",
    )
    store = StoreSettings(url=f"sqlite:///{tmp_path / 'store.sqlite3'}")
    return Settings(kafka=kafka, dimona=onss, store=store)


def _check(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main(["config", "check", "--json", "--timeout", "5"])
    return code, json.loads(capsys.readouterr().out)


def test_everything_in_order(
    tmp_path: Path,
    broker: BrokerHandle,
    onss_config: DimonaRestConfig,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = _settings(tmp_path, broker, onss_config)
    kafka = settings.kafka
    ensure_topics(
        kafka.client_config(),
        (kafka.input_topic, kafka.status_topic, kafka.dead_letter_topic),
        partitions=2,
    )
    store = open_store(settings.store.url)
    store.migrate()
    store.close()
    use_settings(settings, monkeypatch)

    code, report = _check(capsys)

    checks = {c["name"]: c for c in report["checks"]}  # type: ignore[attr-defined]
    assert code == 0, checks
    assert set(checks) == {
        "kafka broker",
        "input topic",
        "status topic",
        "dead-letter topic",
        "onss key pair",
        "onss token",
        "store",
    }
    assert "2 partitions" in checks["input topic"]["detail"]
    assert "very-secret-kafka" not in json.dumps(report)
    assert report["configuration"]["kafka"]["sasl_password"] == "**********"  # type: ignore[index]


def test_each_failure_is_reported_with_its_cause(
    tmp_path: Path,
    broker: BrokerHandle,
    onss_config: DimonaRestConfig,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # topics absent, certificate of another key, store never migrated
    other = create_key_pair(tmp_path / "other", "someone-else")
    onss = onss_config.model_copy(update={"certificate_path": other.certificate})
    settings = _settings(tmp_path, broker, onss)
    open_store(settings.store.url).close()  # the file exists, the schema does not
    use_settings(settings, monkeypatch)
    monkeypatch.setenv("DIMONA_ADAPTER_LOG_LEVL", "DEBUG")

    code, report = _check(capsys)

    checks = {c["name"]: c for c in report["checks"]}  # type: ignore[attr-defined]
    assert code == 1
    assert checks["kafka broker"]["ok"] is True
    assert checks["input topic"]["ok"] is False
    assert "missing" in checks["input topic"]["detail"]
    assert checks["onss key pair"]["ok"] is False
    assert "does not match" in checks["onss key pair"]["detail"]
    assert checks["store"]["ok"] is False
    assert "schema 0" in checks["store"]["detail"]
    assert report["unknownVariables"] == ["DIMONA_ADAPTER_LOG_LEVL"]


def test_unreachable_services_and_unknown_client(
    tmp_path: Path,
    onss_config: DimonaRestConfig,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    onss = onss_config.model_copy(update={"client_id": "never-registered"})
    settings = Settings(
        kafka=KafkaSettings(bootstrap_servers="127.0.0.1:1"),
        dimona=onss,
        store=StoreSettings(url=f"sqlite:///{tmp_path / 'absent.sqlite3'}"),
    )
    use_settings(settings, monkeypatch)
    code = main(["config", "check", "--timeout", "1"])
    out = capsys.readouterr().out
    assert code == 1
    assert "[FAIL] kafka broker: 127.0.0.1:1 unreachable" in out
    assert "[FAIL] onss token" in out
    assert "[FAIL] store" in out
    assert "does not exist" in out
    assert "[  ok] onss key pair" in out


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DIMONA_ADAPTER_DIMONA__BASE_URL", "services.socialsecurity.be/REST/dimona/v2"),
        ("DIMONA_ADAPTER_DIMONA__TOKEN_URL", "ftp://services.socialsecurity.be/token"),
        ("DIMONA_ADAPTER_SOAP__ENDPOINT", "https:///SOAP/dimona"),
        ("DIMONA_ADAPTER_ENCODING__SCHEMA_REGISTRY_URL", "registry:8081"),
    ],
)
def test_a_url_that_is_not_an_http_url_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str
) -> None:
    """Issue 11, point 8: a base URL without a scheme passed ``config check`` (exit 0) and
    ``run`` then looped forever on requests that could never be sent."""
    monkeypatch.setenv(variable, value)
    assert main(["config", "check"]) == 3
    err = capsys.readouterr().err
    assert variable in err
    assert value not in err  # a URL may carry credentials: never echoed


def test_skips_and_invalid_configuration(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DIMONA_ADAPTER_HTTP__PORT", "not-a-port")
    assert main(["config", "check"]) == 3
    assert "DIMONA_ADAPTER_HTTP__PORT" in capsys.readouterr().err
    monkeypatch.delenv("DIMONA_ADAPTER_HTTP__PORT")
    # a typo inside a group is an error (the groups forbid unknown keys)
    monkeypatch.setenv("DIMONA_ADAPTER_KAFKA__BOOTSTRAP_SERVER", "kafka:9092")
    assert main(["config", "check"]) == 3
    assert "DIMONA_ADAPTER_KAFKA__BOOTSTRAP_SERVER: Extra inputs" in capsys.readouterr().err
    monkeypatch.delenv("DIMONA_ADAPTER_KAFKA__BOOTSTRAP_SERVER")
    code = main(
        ["config", "check", *[f"--skip={name}" for name in ("kafka", "keys", "onss", "store")]]
    )
    assert code == 0
    assert "all checks passed" in capsys.readouterr().out

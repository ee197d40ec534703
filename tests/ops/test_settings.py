"""Settings: one prefix, nested groups with ``__``, secrets never shown."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from adapter.commands.config_check import effective_configuration, unknown_variables
from adapter.settings import Settings


def test_defaults_need_no_environment() -> None:
    settings = Settings()
    assert settings.kafka.input_topic == "hr.employment.events"
    assert settings.http.port == 8080
    assert settings.drain_budget_s == 20.0


def test_nested_groups_and_json_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIMONA_ADAPTER_KAFKA__BOOTSTRAP_SERVERS", "k1:9092,k2:9092")
    monkeypatch.setenv("DIMONA_ADAPTER_DIMONA__MAX_IN_FLIGHT", "12")
    monkeypatch.setenv("DIMONA_ADAPTER_POLLING__TIERS", '[{"until": 10, "interval": 1}]')
    monkeypatch.setenv("DIMONA_ADAPTER_HTTP__LIVENESS_WINDOW_S", "15")
    settings = Settings()
    assert settings.kafka.bootstrap_servers == "k1:9092,k2:9092"
    assert settings.dimona.max_in_flight == 12
    assert settings.polling.tiers[0].until == 10
    assert settings.http.liveness_window_s == 15


def test_secrets_are_masked_everywhere_they_could_be_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DIMONA_ADAPTER_STORE__PASSWORD", "pg-secret")
    monkeypatch.setenv("DIMONA_ADAPTER_KAFKA__SASL_PASSWORD", "sasl-secret")
    monkeypatch.setenv("DIMONA_ADAPTER_DIMONA__PKCS12_PASSWORD", "p12-secret")
    settings = Settings()
    assert settings.store.password is not None
    assert settings.store.password.get_secret_value() == "pg-secret"
    shown = repr(settings) + str(effective_configuration(settings))
    for secret in ("pg-secret", "sasl-secret", "p12-secret"):
        assert secret not in shown


def test_invalid_values_and_typos(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIMONA_ADAPTER_LOG_LEVEL", "LOUD")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.delenv("DIMONA_ADAPTER_LOG_LEVEL")
    monkeypatch.setenv("DIMONA_ADAPTER_STORE__URLL", "x")
    with pytest.raises(ValidationError):
        Settings()  # unknown key inside a group
    monkeypatch.delenv("DIMONA_ADAPTER_STORE__URLL")
    environ = {"DIMONA_ADAPTER_DRAIN_BUDGET": "5", "DIMONA_ADAPTER_POLLING__TIERS": "[]"}
    assert unknown_variables(environ, Settings()) == ["DIMONA_ADAPTER_DRAIN_BUDGET"]


def test_every_setting_is_in_the_configuration_reference() -> None:
    from pathlib import Path

    from tests.ops.fields import settings_fields

    reference = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text(
        encoding="utf-8"
    )
    for field in settings_fields():
        variable = "DIMONA_ADAPTER_" + field.replace(".", "__").upper()
        assert f"`{variable}`" in reference, f"{variable} is missing from docs/configuration.md"


def test_commands_name_the_bad_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from adapter.cli import main

    monkeypatch.setenv("DIMONA_ADAPTER_STORE__URLL", "x")
    assert main(["history", "--employment", "E"]) == 3
    assert main(["consult", "--ssin", "85073003328", "--source", "local"]) == 3
    err = capsys.readouterr().err
    assert err.count("DIMONA_ADAPTER_STORE__URLL: Extra inputs are not permitted") == 2

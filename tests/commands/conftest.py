"""Fixtures of the operations tests: a real sandbox, registered keys, Settings as environment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr

from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.keys import create_key_pair
from adapter.sandbox.process import SandboxProcess
from adapter.settings import ENV_PREFIX, Settings


@pytest.fixture(scope="session")
def ops_sandbox() -> Iterator[SandboxProcess]:
    with SandboxProcess(processing_delay=0) as process:
        yield process


@pytest.fixture
def onss_config(tmp_path: Path, ops_sandbox: SandboxProcess) -> DimonaRestConfig:
    from adapter.sandbox.admin_client import register_client

    client_id = f"self_service_chaman_{tmp_path.name[-12:]}"
    keys = create_key_pair(tmp_path / "keys", client_id)
    register_client(ops_sandbox.admin_url, client_id, keys.certificate.read_text(encoding="ascii"))
    return DimonaRestConfig(
        base_url=ops_sandbox.api_base_url,
        token_url=ops_sandbox.token_url,
        client_id=client_id,
        private_key_path=keys.private_key,
        certificate_path=keys.certificate,
    )


def _env_value(value: Any) -> str:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    if isinstance(value, tuple | list | dict):
        return json.dumps(
            value, default=lambda v: v.model_dump(mode="json") if isinstance(v, BaseModel) else v
        )
    return str(value)


def use_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Put ``settings`` in the environment, the way an operator would configure the adapter."""
    for group_name in Settings.model_fields:
        value = getattr(settings, group_name)
        if isinstance(value, BaseModel):
            for name in type(value).model_fields:
                item = getattr(value, name)
                if item is not None:
                    key = f"{ENV_PREFIX}{group_name}__{name}".upper()
                    monkeypatch.setenv(key, _env_value(item))
        else:
            monkeypatch.setenv(f"{ENV_PREFIX}{group_name}".upper(), _env_value(value))


def settings_fields(model: type[BaseModel] = Settings, prefix: str = "") -> Iterator[str]:
    """Dotted paths of the leaf fields (a nested BaseModel group is walked)."""
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from settings_fields(annotation, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"

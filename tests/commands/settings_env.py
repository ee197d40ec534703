"""Settings as an operator writes them: one ``DIMONA_ADAPTER_*`` environment variable per field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr

from adapter.settings import ENV_PREFIX, Settings


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

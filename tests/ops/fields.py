"""The leaf fields of ``Settings``, as dotted paths (each is one ``DIMONA_ADAPTER_*`` variable)."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from adapter.settings import Settings


def settings_fields(model: type[BaseModel] = Settings, prefix: str = "") -> Iterator[str]:
    """Dotted paths of the leaf fields (a nested BaseModel group is walked)."""
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from settings_fields(annotation, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"

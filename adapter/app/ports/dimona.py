"""The ONSS port: what the pipeline needs from Dimona, whatever the channel."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

from adapter.core.results import DeclarationAnswer


class DimonaGateway(Protocol):
    """What the pipeline needs from ONSS, whatever the channel."""

    async def submit(self, body: Mapping[str, Any]) -> int: ...

    async def get_answer(self, declaration_id: int) -> DeclarationAnswer | None: ...

    def search_declarations(self, criteria: Mapping[str, Any]) -> AsyncIterator[dict[str, Any]]: ...

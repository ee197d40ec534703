"""The ONSS port: what the pipeline needs from Dimona, whatever the channel.

It speaks core declarations and answers. Each channel (``edges/dimona_rest``,
``edges/dimona_soap``) renders its own wire format from the declaration and owns the matching of
reconciliation, since only it knows what ONSS echoes back.
"""

from __future__ import annotations

from typing import Protocol

from adapter.core.declarations import Declaration
from adapter.core.results import DeclarationAnswer


class DimonaGateway(Protocol):
    """What the pipeline needs from ONSS, whatever the channel.

    Errors are those of the core tree: ``TransientError`` (nothing recorded, try later),
    ``PermanentError`` (this request can never succeed), ``UncertainOutcome`` (a submission may
    have been recorded: reconcile before submitting again).
    """

    async def submit(self, declaration: Declaration) -> int:
        """Send one declaration; the declaration id ONSS gave it.

        Every period id must be resolved (``core.translation.resolve_period_ids``): a follow-up
        without one raises the core's ``UnresolvedPeriod`` before any request.
        """
        ...

    async def get_answer(self, declaration_id: int) -> DeclarationAnswer | None:
        """ONSS's answer, or None while the declaration is not processed."""
        ...

    async def find_recorded(
        self, declaration: Declaration, *, exclude: frozenset[int]
    ) -> int | None:
        """The id of a declaration ONSS recorded for ``declaration`` (none of ``exclude``).

        None when ONSS lists no such declaration; ONSS lists a declaration only once it has
        processed it, so the caller looks again for a while before submitting anew.
        """
        ...

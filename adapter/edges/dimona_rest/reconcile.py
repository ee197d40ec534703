"""Reconciliation over REST: did ONSS record a declaration whose POST had an unknown outcome?

We search the declarations ONSS holds for the same employer and worker (or the same period,
for a follow-up) and look for one whose action block (``dimonaIn``, ``dimonaOut``...) contains
ours and whose id we do not already know. Only when none is found may the pipeline submit the
declaration again. The matching reads REST v2 JSON, so it lives here, beside the wire format.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

ACTION_BLOCKS = ("dimonaIn", "dimonaOut", "dimonaUpdate", "dimonaCancel")

Search = Callable[[Mapping[str, Any]], AsyncIterator[dict[str, Any]]]
"""``DimonaRestClient.search_declarations``: REST v2 declaration items, page after page."""


def search_criteria(body: Mapping[str, Any]) -> dict[str, Any]:
    """Narrow the search to the employer and worker of the declaration when it names them."""
    criteria: dict[str, Any] = {}
    if "employer" in body:
        criteria["employer"] = body["employer"]
    worker = body.get("worker")
    if isinstance(worker, Mapping) and "ssin" in worker:
        criteria["worker"] = {"ssin": worker["ssin"]}
    for block in ACTION_BLOCKS[1:]:
        action = body.get(block)
        if isinstance(action, Mapping) and "periodId" in action:
            criteria["periodId"] = action["periodId"]
    return criteria


def _contains(candidate: Any, wanted: Any) -> bool:
    if isinstance(wanted, Mapping):
        return isinstance(candidate, Mapping) and all(
            _contains(candidate.get(key), value) for key, value in wanted.items()
        )
    return bool(candidate == wanted)


WORKER_IDENTITY = ("familyName", "givenName", "birthDate")
"""What names a worker declared without an SSIN (the search cannot select on it)."""


def same_worker(item: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    """The item is of the worker of ``body``.

    A follow-up names no worker (its period does, and the search selects on it). An IN with
    an SSIN is searched by that SSIN. An IN without SSIN is searched by employer only: the
    chaos suite saw its reconciliation adopt another worker's IN of the same day and features
    (the worker then never declared, and its LEAVE closed the other's period). So the item must
    carry the same identity (family name, given name, birth date); an item that does not show
    it is not adopted: a second POST, refused by ONSS if it was a duplicate, is the lesser harm.
    """
    wanted = body.get("worker")
    if not isinstance(wanted, Mapping):
        return True
    found = item.get("worker")
    if wanted.get("ssin"):
        # Searched by this SSIN: an item that shows no worker is of the worker searched for.
        return not isinstance(found, Mapping) or found.get("ssin") in (None, wanted["ssin"])
    if not isinstance(found, Mapping):
        return False
    named = [key for key in WORKER_IDENTITY if wanted.get(key) is not None]
    return bool(named) and all(str(found.get(key)) == str(wanted[key]) for key in named)


def matches(item: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    """The item describes the same declaration: same action block content, same worker."""
    for block in ACTION_BLOCKS:
        if block in body:
            return _contains(item.get(block), body[block]) and same_worker(item, body)
    return False


def declaration_id_of(item: Mapping[str, Any]) -> int | None:
    status = item.get("declarationStatus")
    if isinstance(status, Mapping) and status.get("declarationId") is not None:
        return int(status["declarationId"])
    value = item.get("declarationId")
    return None if value is None else int(value)


async def find_recorded(
    search: Search, body: Mapping[str, Any], *, exclude: frozenset[int]
) -> int | None:
    """The id of the declaration ONSS recorded for ``body``, or None."""
    async for item in search(search_criteria(body)):
        declaration_id = declaration_id_of(item)
        if declaration_id is not None and declaration_id not in exclude and matches(item, body):
            return declaration_id
    return None

"""Read ONSS's GET /declarations/{id} answer into the channel-neutral ``DeclarationAnswer``.

The v2 anomaly shape is not published (reference §5.3): we accept ``errorId`` or ``code`` (or
any ``ZZZZZ-NNN`` string inside the item), severities ``B``/``NP`` in several spellings, and
labels as ``labelFr``/``labelNl``, ``descriptionFr``/``descriptionNl`` or ``label: {fr, nl}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from adapter.core.results import (
    ANOMALY_CODE,
    Anomaly,
    AnomalySeverity,
    DeclarationAnswer,
    DimonaResult,
)
from adapter.edges.dimona_rest.errors import DimonaTransientError

_EXACT_CODE = re.compile(r"^\d{5}-\d{3}$")
_SEVERITIES = {
    "B": AnomalySeverity.BLOCKING,
    "BLOCKING": AnomalySeverity.BLOCKING,
    "BLOQUANT": AnomalySeverity.BLOCKING,
    "BLOKKEREND": AnomalySeverity.BLOCKING,
    "NP": AnomalySeverity.NON_BLOCKING,
    "W": AnomalySeverity.NON_BLOCKING,
    "WARNING": AnomalySeverity.NON_BLOCKING,
    "NON_BLOCKING": AnomalySeverity.NON_BLOCKING,
    "NONBLOCKING": AnomalySeverity.NON_BLOCKING,
}
_ACTION_BLOCKS = ("dimonaIn", "dimonaOut", "dimonaUpdate", "dimonaCancel")
_RESULTS = {result.value: result for result in DimonaResult}
_LABEL_KEYS = {
    language: tuple(
        f"{prefix}{language.capitalize()}" for prefix in ("label", "description", "libelle")
    )
    for language in ("fr", "nl")
}
# JSON objects arrive as dicts: ``isinstance`` tries ``dict`` first and reaches the slower ABC
# check only for other mappings (tests, tools).
_MAPPING = (dict, Mapping)


class UnreadableAnswer(DimonaTransientError):  # noqa: N818
    """A 200 answer we cannot read. Kept transient: polling goes on and alerts in time."""


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, _MAPPING):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _code(item: Mapping[str, Any]) -> str | None:
    for key in ("errorId", "code", "anomalyId", "id"):
        value = item.get(key)
        if isinstance(value, str) and _EXACT_CODE.match(value.strip()):
            return value.strip()
    for text in _strings(item):
        found = ANOMALY_CODE.search(text)
        if found:
            return found.group(0)
    return None


def _label(item: Mapping[str, Any], language: str) -> str | None:
    for key in _LABEL_KEYS[language]:
        value = item.get(key)
        if isinstance(value, str) and value:
            return value
    for key in ("label", "labels", "description"):
        nested = item.get(key)
        if isinstance(nested, _MAPPING) and isinstance(nested.get(language), str):
            return str(nested[language])
    return None


def parse_anomaly(item: object) -> Anomaly | None:
    """One anomaly from whatever shape ONSS uses; ``None`` when no code can be found."""
    if isinstance(item, str):
        found = ANOMALY_CODE.search(item)
        return Anomaly(code=found.group(0)) if found else None
    if not isinstance(item, _MAPPING):
        return None
    code = _code(item)
    if code is None:
        return None
    severity = None
    for key in ("severity", "gravity", "anomalyType", "type"):
        value = item.get(key)
        if isinstance(value, str) and value.strip().upper() in _SEVERITIES:
            severity = _SEVERITIES[value.strip().upper()]
            break
    return Anomaly(
        code=code, severity=severity, label_fr=_label(item, "fr"), label_nl=_label(item, "nl")
    )


def _anomaly_items(status: Mapping[str, Any]) -> list[object]:
    items: list[object] = []
    for key in ("anomalies", "anomaliesCollection", "informations", "informationsCollection"):
        value = status.get(key)
        if isinstance(value, list):
            items.extend(value)
        elif isinstance(value, _MAPPING):
            # v1 style: {"anomaly": [...]} or a single anomaly object
            inner = next((v for v in value.values() if isinstance(v, list)), None)
            items.extend(inner if inner is not None else [value])
    return items


def _period_id(body: Mapping[str, Any], status: Mapping[str, Any]) -> int | None:
    period = status.get("period")
    if isinstance(period, _MAPPING) and (found := _as_int(period.get("id"))) is not None:
        return found
    for key in ("periodId", "dimonaPeriodId"):
        if (found := _as_int(status.get(key))) is not None:
            return found
    for block in _ACTION_BLOCKS:
        action = body.get(block)
        if isinstance(action, _MAPPING) and (found := _as_int(action.get("periodId"))) is not None:
            return found
    return None


def parse_declaration_answer(body: object, *, declaration_id: int) -> DeclarationAnswer:
    """The answer of a processed declaration (a 200 on GET /declarations/{id})."""
    if not isinstance(body, _MAPPING):
        raise UnreadableAnswer("declaration answer is not a JSON object", endpoint="get_answer")
    status = body.get("declarationStatus")
    if not isinstance(status, _MAPPING):
        status = body  # tolerate a flat answer
    raw_result = status.get("result")
    result = _RESULTS.get(str(raw_result).strip().upper())
    if result is None:
        raise UnreadableAnswer(
            f"declaration answer without a known result ({str(raw_result)[:10]!r})",
            endpoint="get_answer",
        )
    anomalies: list[Anomaly] = []
    seen: set[str] = set()
    for item in _anomaly_items(status):
        anomaly = parse_anomaly(item)
        if anomaly is not None and anomaly.code not in seen:
            seen.add(anomaly.code)
            anomalies.append(anomaly)
    return DeclarationAnswer(
        declaration_id=_as_int(status.get("declarationId")) or declaration_id,
        result=result,
        period_id=_period_id(body, status),
        anomalies=tuple(anomalies),
    )

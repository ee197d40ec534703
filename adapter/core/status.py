"""The outbound contract: ``DeclarationStatusChanged``, one event per state change of a declaration.

Mirrors ``schemas/declaration_status_changed.v1.avsc`` (snake_case attributes, camelCase
aliases). Also holds the dead-letter header names, the third published contract.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from adapter.core.declarations import DeclarationKind, DeclaredUsingEmployer, InDeclaration
from adapter.core.errors import Violation
from adapter.core.events import TimeOfDay, UuidText, to_plain
from adapter.core.periods import KnownPeriod, PeriodTerms
from adapter.core.results import Anomaly, DimonaResult


class DeclarationStatus(StrEnum):
    RECEIVED = "RECEIVED"
    """The event was accepted by the adapter; the declaration waits to be submitted."""
    REJECTED = "REJECTED"
    """The event broke a rule before submission; nothing was sent to ONSS."""
    SUBMITTED = "SUBMITTED"
    """ONSS acknowledged the declaration (it has a declaration id) but has not processed it."""
    ACCEPTED = "ACCEPTED"
    ACCEPTED_WITH_WARNINGS = "ACCEPTED_WITH_WARNINGS"
    REFUSED = "REFUSED"
    WAITING_IDENTIFICATION = "WAITING_IDENTIFICATION"
    FAILED = "FAILED"
    """The adapter gave up (permanent HTTP error, a prerequisite refused, polling exhausted)."""

    @property
    def is_final(self) -> bool:
        return self in _FINAL


_FINAL = frozenset(
    {
        DeclarationStatus.REJECTED,
        DeclarationStatus.ACCEPTED,
        DeclarationStatus.ACCEPTED_WITH_WARNINGS,
        DeclarationStatus.REFUSED,
        DeclarationStatus.FAILED,
    }
)

_BY_RESULT = {
    DimonaResult.ACCEPTED: DeclarationStatus.ACCEPTED,
    DimonaResult.ACCEPTED_WITH_WARNING: DeclarationStatus.ACCEPTED_WITH_WARNINGS,
    DimonaResult.REFUSED: DeclarationStatus.REFUSED,
    DimonaResult.WAITING_IDENTIFICATION: DeclarationStatus.WAITING_IDENTIFICATION,
}


def status_for_result(result: DimonaResult) -> DeclarationStatus:
    return _BY_RESULT[result]


class _StatusModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid"
    )


class StatusAnomaly(_StatusModel):
    code: str
    severity: str | None = None
    label_fr: str | None = None
    label_nl: str | None = None

    @classmethod
    def from_anomaly(cls, anomaly: Anomaly) -> StatusAnomaly:
        return cls(
            code=anomaly.code,
            severity=anomaly.severity.value if anomaly.severity else None,
            label_fr=anomaly.label_fr,
            label_nl=anomaly.label_nl,
        )


class StatusViolation(_StatusModel):
    """A rule the event broke (status REJECTED)."""

    code: str
    field: str
    message: str

    @classmethod
    def from_violation(cls, violation: Violation) -> StatusViolation:
        return cls(code=violation.code, field=violation.field, message=violation.message)


class DeclaredPeriod(_StatusModel):
    """The period as declared to ONSS (after translation).

    The Avro record of a period's terms (:class:`PeriodTerms`): flat and named for readers of
    the status topic, so built by :meth:`of` rather than inheriting the terms.
    """

    start_date: date
    start_time: TimeOfDay | None = None
    end_date: date | None = None
    end_time: TimeOfDay | None = None
    worker_type: str
    declared_joint_committee: str | None = None
    actual_joint_committee: str | None = None
    planned_hours: int | None = None
    using_employer_enterprise_number: str | None = None
    using_employer_name: str | None = None
    using_employer_joint_committee: str | None = None

    @classmethod
    def of(
        cls,
        terms: PeriodTerms,
        *,
        actual_joint_committee: str | None = None,
        using_employer: DeclaredUsingEmployer | None = None,
    ) -> DeclaredPeriod:
        """The Avro shape of a period's terms (committees and user enterprise named here)."""
        user = using_employer
        return cls(
            start_date=terms.start_date,
            start_time=terms.start_time,
            end_date=terms.end_date,
            end_time=terms.end_time,
            worker_type=terms.worker_type,
            declared_joint_committee=terms.joint_committee,
            actual_joint_committee=actual_joint_committee,
            planned_hours=terms.planned_hours,
            using_employer_enterprise_number=user.enterprise_number if user else None,
            using_employer_name=user.name if user else None,
            using_employer_joint_committee=user.joint_committee if user else None,
        )

    @classmethod
    def from_in(cls, declaration: InDeclaration) -> DeclaredPeriod:
        return cls.of(
            declaration,
            actual_joint_committee=declaration.actual_joint_committee,
            using_employer=declaration.using_employer,
        )

    @classmethod
    def from_known(
        cls, period: KnownPeriod, *, actual_joint_committee: str | None = None
    ) -> DeclaredPeriod:
        """The period after an OUT, UPDATE or CANCEL (the user enterprise is not kept)."""
        return cls.of(period, actual_joint_committee=actual_joint_committee)


SPECIAL_REGIME_WORKER_TYPES = frozenset({"STU", "FLX", "EXT", "O17", "S17", "T17"})
"""Worker types whose reduced contributions depend on a timely, accepted Dimona."""


class StatusFlags(_StatusModel):
    late_declaration: bool = False
    """Anomaly ``…-460``: declared after the deadline."""
    flexi_conditions_not_met: bool = False
    """Anomaly ``90017-510``."""
    quota_exceeded: bool = False
    """Anomaly ``…-369`` (student or article 17 quota)."""
    special_regime_lost: bool = False
    """The reduced-contribution regime does not apply (510, 369, or 460 on a special type)."""
    already_cancelled: bool = False
    """A refused CANCEL with ``00913-355``: the period was cancelled already."""


def flags_from_anomalies(codes: Iterable[str], *, worker_type: str | None = None) -> StatusFlags:
    """Derive the flags from anomaly codes (``ZZZZZ-NNN``) of an ONSS answer."""
    late, flexi, quota, lost, cancelled = derive_flags(codes, worker_type=worker_type)
    return StatusFlags(
        late_declaration=late,
        flexi_conditions_not_met=flexi,
        quota_exceeded=quota,
        special_regime_lost=lost,
        already_cancelled=cancelled,
    )


def derive_flags(
    codes: Iterable[str], *, worker_type: str | None = None
) -> tuple[bool, bool, bool, bool, bool]:
    """The values of :class:`StatusFlags`, in its order, for anomaly codes of an answer."""
    all_codes = set(codes)
    suffixes = {code.rsplit("-", 1)[-1] for code in all_codes}
    late = "460" in suffixes
    flexi = "90017-510" in all_codes
    quota = "369" in suffixes
    special_type = worker_type is None or worker_type in SPECIAL_REGIME_WORKER_TYPES
    lost = flexi or quota or (late and special_type)
    return late, flexi, quota, lost, "00913-355" in all_codes


STATUS_EVENT_NAMESPACE = uuid.UUID("6c3f4b9e-2d1a-5e7f-9a41-0d7b2c8e5f13")


_NAMESPACED = hashlib.sha1(STATUS_EVENT_NAMESPACE.bytes, usedforsecurity=False)
_VARIANT = "89ab89ab89ab89ab"  # the RFC 4122 variant (10xx) of each hex digit, by index


def stable_event_id(*parts: object) -> str:
    """A deterministic UUID (v5) for a status event, so replays publish the same id.

    ``str(uuid.uuid5(STATUS_EVENT_NAMESPACE, "|".join(map(str, parts))))``, with the hash
    of the namespace taken once and the text formatted without a ``UUID`` object.
    """
    digest = _NAMESPACED.copy()
    digest.update("|".join(map(str, parts)).encode())
    h = digest.hexdigest()
    variant = _VARIANT[int(h[16], 16)]
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


class DeclarationStatusChanged(_StatusModel):
    status_event_id: UuidText
    employment_id: str
    source_event_ids: tuple[str, ...]
    declaration_ref: str | None = None
    """The adapter's own id of the declaration, stable before ONSS gives it an id."""
    declaration_kind: DeclarationKind | None = None
    declaration_id: int | None = None
    period_id: int | None = None
    status: DeclarationStatus
    previous_status: DeclarationStatus | None = None
    result_code: DimonaResult | None = None
    anomalies: tuple[StatusAnomaly, ...] = ()
    violations: tuple[StatusViolation, ...] = ()
    reason: str | None = None
    declared_period: DeclaredPeriod | None = None
    flags: StatusFlags = StatusFlags()
    employer_noss_registration_number: str | None = None
    employer_enterprise_number: str | None = None
    worker_ssin: str | None = None
    occurred_at: AwareDatetime
    submitted_at: AwareDatetime | None = None
    processed_at: AwareDatetime | None = None

    def to_avro_record(self) -> dict[str, Any]:
        """A dict fastavro can write with ``declaration_status_changed.v1.avsc``."""
        record: dict[str, Any] = to_plain(self.model_dump(mode="python", by_alias=True))
        return record

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class DeadLetterHeader(StrEnum):
    """Kafka header names on a dead-lettered record (values are UTF-8 strings).

    The record's key, value and headers are the original ones, unchanged, with these headers
    after them (an original header carrying one of these names is dropped). A record too
    large to be copied back is replaced by a reference (``TRUNCATED``).
    """

    REASON_CODE = "dlq.reason.code"
    """A :class:`adapter.core.reasons.DeadLetterReason`."""
    MESSAGE = "dlq.reason.message"
    """A human-readable message, never personal data in clear."""
    VIOLATIONS = "dlq.violations"
    """JSON array of ``{"code", "field", "message"}`` (``SCHEMA_MISMATCH``, ``RULE_VIOLATION``)."""
    SOURCE_TOPIC = "dlq.source.topic"
    SOURCE_PARTITION = "dlq.source.partition"
    SOURCE_OFFSET = "dlq.source.offset"
    SOURCE_TIMESTAMP = "dlq.source.timestamp"
    """Milliseconds since the epoch of the original record."""
    FAILED_AT = "dlq.failed.at"
    """ISO 8601 instant at which the adapter gave up on the record."""
    EVENT_ID = "dlq.event.id"
    """The ``eventId`` when the record could be decoded that far."""
    TRUNCATED = "dlq.truncated"
    """``true`` on a reference: the value, the original headers and a key over 1 KiB are left
    off, the message and violations shortened; the original is at ``dlq.source.*``."""
    ORIGINAL_SIZE = "dlq.original.size"
    """On a reference: bytes of the original key, value and headers."""

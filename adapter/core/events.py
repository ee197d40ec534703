"""The inbound contract: ``EmploymentEvent``, what an HR system tells us about one employment.

Mirrors ``schemas/employment_event.v1.avsc``. Attributes are snake_case, the wire/JSON
names camelCase aliases. ``model_validate`` accepts both the JSON form (dates
``YYYY-MM-DD``, times ``HH:MM``, timestamps ISO 8601) and the dict fastavro returns
(dates as ``date``, timestamps as aware ``datetime``, times as ``"HH:MM"`` strings).

Structural problems (a missing section, a malformed value) raise pydantic's
``ValidationError``; Dimona business rules live in :mod:`adapter.core.rules`.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)
from pydantic.alias_generators import to_camel

from adapter.core.identifiers import normalise_digits

_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


def parse_hhmm(value: object) -> time:
    """``"HH:MM"`` (24 h) to ``time``; a ``time`` passes through (seconds must be zero)."""
    if isinstance(value, time):
        if value.second or value.microsecond or value.tzinfo is not None:
            raise ValueError("a time of day is given as HH:MM")
        return value
    if isinstance(value, str) and (m := _HHMM.fullmatch(value)):
        return time(int(m.group(1)), int(m.group(2)))
    raise ValueError("a time of day is given as HH:MM (00:00 to 23:59)")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_iso_date(value: object) -> object:
    """Only ``YYYY-MM-DD`` strings (JSON) or ``date`` objects (Avro); not timestamps."""
    if isinstance(value, datetime):
        raise ValueError("a date is given as YYYY-MM-DD, without a time")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value  # pydantic checks that the day exists
    raise ValueError("a date is given as YYYY-MM-DD")


def format_hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def _digits(value: object) -> object:
    if isinstance(value, str | int) and not isinstance(value, bool):
        return normalise_digits(value)
    return value


def _enterprise_digits(value: object) -> object:
    digits = _digits(value)
    if isinstance(digits, str) and len(digits) == 9:
        return "0" + digits  # ONSS and some HR systems drop the leading zero
    return digits


def _uuid(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        return str(uuid.UUID(value))
    return value


IsoDate = Annotated[date, BeforeValidator(parse_iso_date)]
"""A calendar date: ``YYYY-MM-DD`` in JSON, Avro ``date`` (a ``date`` object) in records."""

TimeOfDay = Annotated[time, BeforeValidator(parse_hhmm), PlainSerializer(format_hhmm)]
"""A time of day, ``HH:MM`` on the wire and in Avro (a string)."""

SsinDigits = Annotated[str, BeforeValidator(_digits), Field(pattern=r"^\d{11}$")]
EnterpriseDigits = Annotated[str, BeforeValidator(_enterprise_digits), Field(pattern=r"^\d{10}$")]
NossDigits = Annotated[str, BeforeValidator(_digits), Field(pattern=r"^\d{6,10}$")]
JointCommittee = Annotated[str, Field(pattern=r"^(\d{3}(\.\d{2}){0,2}|XXX)$")]
NisCode = Annotated[int, Field(ge=1, le=99999)]
Text = Annotated[str, Field(min_length=1)]
UuidText = Annotated[str, BeforeValidator(_uuid)]
"""A UUID kept as its canonical lower-case string (fastavro reads ``uuid`` as ``UUID``)."""


class CoreModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid"
    )


class EventType(StrEnum):
    HIRE = "HIRE"
    LEAVE = "LEAVE"
    CHANGE = "CHANGE"
    CANCEL = "CANCEL"


class Gender(StrEnum):
    MALE = "MALE"
    FEMALE = "FEMALE"


class EmploymentNature(StrEnum):
    EMPLOYEE = "EMPLOYEE"
    WORKER = "WORKER"


class SmallStatuteWorkerStatus(StrEnum):
    F1 = "F1"
    F2 = "F2"


class Address(CoreModel):
    street: Text
    house_number: Text
    box_number: str | None = None
    post_code: Text
    municipality: Text
    municipality_code: NisCode | None = None
    country: NisCode


class Employer(CoreModel):
    noss_registration_number: NossDigits | None = None
    enterprise_number: EnterpriseDigits | None = None

    @model_validator(mode="after")
    def _one_identifier(self) -> Employer:
        if self.noss_registration_number is None and self.enterprise_number is None:
            raise ValueError("the employer needs a nossRegistrationNumber or an enterpriseNumber")
        return self


class Worker(CoreModel):
    ssin: SsinDigits | None = None
    family_name: str | None = None
    given_name: str | None = None
    birth_date: IsoDate | None = None
    place_of_birth: str | None = None
    country_of_birth: NisCode | None = None
    nationality: NisCode | None = None
    gender: Gender | None = None
    address: Address | None = None


class UsingEmployer(CoreModel):
    """The user enterprise of a temporary agency worker (joint committee 322)."""

    enterprise_number: EnterpriseDigits | None = None
    name: str | None = None
    address: Address | None = None
    joint_committee: JointCommittee | None = None


class PlaceOfWork(CoreModel):
    name: Text
    address: Address


class ConstructionCards(CoreModel):
    first_month: Annotated[str, Field(pattern=r"^\d{12}$")] | None = None
    next_month: Annotated[str, Field(pattern=r"^\d{12}$")] | None = None


class SmallStatutes(CoreModel):
    employment_nature: EmploymentNature
    activity_with_risk: str | None = None
    worker_status: SmallStatuteWorkerStatus


class Contract(CoreModel):
    """The full state of the contract (for CHANGE too: never a delta)."""

    start_date: IsoDate
    start_time: TimeOfDay | None = None
    end_date: IsoDate | None = None
    end_time: TimeOfDay | None = None
    worker_type: Annotated[str, Field(pattern=r"^[A-Z0-9]{3}$")]
    joint_committee: JointCommittee | None = None
    planned_hours: Annotated[float, Field(ge=0, le=100_000)] | None = None
    using_employer: UsingEmployer | None = None
    student_place_of_work: PlaceOfWork | None = None
    construction_cards: ConstructionCards | None = None
    small_statutes: SmallStatutes | None = None


class Leave(CoreModel):
    last_day: IsoDate
    last_time: TimeOfDay | None = None


_SECTIONS: dict[EventType, tuple[bool, bool]] = {
    # event type: (contract expected, leave expected)
    EventType.HIRE: (True, False),
    EventType.CHANGE: (True, False),
    EventType.LEAVE: (False, True),
    EventType.CANCEL: (False, False),
}


class EmploymentEvent(CoreModel):
    event_id: UuidText
    event_type: EventType
    occurred_at: AwareDatetime
    source: Text
    employment_id: Text
    employer: Employer
    worker: Worker
    contract: Contract | None = None
    leave: Leave | None = None

    @model_validator(mode="after")
    def _sections_match_type(self) -> EmploymentEvent:
        wants_contract, wants_leave = _SECTIONS[self.event_type]
        for name, wanted, present in (
            ("contract", wants_contract, self.contract is not None),
            ("leave", wants_leave, self.leave is not None),
        ):
            if wanted and not present:
                raise ValueError(f"a {self.event_type} event needs a {name} section")
            if present and not wanted:
                raise ValueError(f"a {self.event_type} event carries no {name} section")
        return self

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON form (camelCase, nulls omitted)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def to_avro_record(self) -> dict[str, Any]:
        """A dict fastavro can write with ``employment_event.v1.avsc``."""
        record: dict[str, Any] = to_plain(self.model_dump(mode="python", by_alias=True))
        return record


def to_plain(value: Any) -> Any:
    """Enums to their values, tuples to lists: what fastavro expects."""
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, StrEnum):
        return value.value
    return value

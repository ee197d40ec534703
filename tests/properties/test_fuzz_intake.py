"""Fuzzing the intake: whatever bytes or records arrive, ``Intake.examine`` answers Accepted or
Rejected (never raises), every rejection carries a reason code and a message, and what is
accepted translates without an exception.

Inputs: random bytes, random bytes behind a valid single-object header, valid records with bytes
flipped, cut or appended, and mutated JSON forms (fields dropped, wrong types, out-of-range
dates, bad check digits, huge and unicode strings) fed through a decoder that returns them as is.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from adapter.app.intake import Accepted, Intake
from adapter.app.ports import ConsumedMessage, Rejected
from adapter.app.status_events import StatusEvents
from adapter.bootstrap import EVENT_SCHEMA, STATUS_SCHEMA
from adapter.core.events import EmploymentEvent
from adapter.core.identifiers import make_ssin
from adapter.core.periods import KnownPeriod
from adapter.core.translation import translate
from adapter.edges.avro.codec import SingleObjectCodec

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
TODAY = NOW.date()
START = TODAY + timedelta(days=3)
CODEC = SingleObjectCodec(EVENT_SCHEMA)
HEADER = CODEC.encode(EmploymentEvent.model_validate({
    "eventId": str(uuid.UUID(int=1)), "eventType": "CANCEL", "occurredAt": NOW.isoformat(),
    "source": "x", "employmentId": "x", "employer": {"enterpriseNumber": "0412345614"},
    "worker": {"ssin": "90051512391"},
}).to_avro_record())[:10]  # fmt: skip
REASON_CODES = {"EMPTY", "UNDECODABLE", "SCHEMA_MISMATCH", "RULE_VIOLATION", "KEY_MISMATCH"}
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)

ADDRESS = {
    "street": "Rue Haute", "houseNumber": "45", "postCode": "1000",
    "municipality": "Bruxelles", "country": 150,
}  # fmt: skip


def seed_events() -> list[dict[str, Any]]:
    """Valid events of every type and several contract shapes (JSON form)."""

    def base(kind: str, employment: str, **sections: Any) -> dict[str, Any]:
        return {
            "eventId": str(uuid.UUID(int=len(employment) + hash(kind) % 1000)),
            "eventType": kind,
            "occurredAt": NOW.isoformat(),
            "source": "fuzz",
            "employmentId": employment,
            "employer": {"nossRegistrationNumber": "123456749"},
            "worker": {"ssin": make_ssin(date(1990, 5, 15), 3)},
            **sections,
        }

    contract = {"startDate": START.isoformat(), "workerType": "OTH", "jointCommittee": "200"}
    flexi = {
        "startDate": START.isoformat(), "endDate": START.isoformat(), "workerType": "FLX",
        "jointCommittee": "302", "startTime": "18:00", "endTime": "23:30",
    }  # fmt: skip
    student = {
        "startDate": START.isoformat(), "endDate": (START + timedelta(days=20)).isoformat(),
        "workerType": "STU", "jointCommittee": "302", "plannedHours": 60,
        "studentPlaceOfWork": {"name": "Café", "address": ADDRESS},
    }  # fmt: skip
    no_ssin = base("HIRE", "E-NOSSIN", contract=contract)
    no_ssin["worker"] = {
        "familyName": "Dupont", "givenName": "Zoé", "birthDate": "1999-02-28",
        "gender": "FEMALE", "nationality": 150, "address": ADDRESS,
    }  # fmt: skip
    return [
        base("HIRE", "E-1", contract=contract),
        base("HIRE", "E-FLX", contract=flexi),
        base("HIRE", "E-STU", contract=student),
        base("CHANGE", "E-CHG", contract={**contract, "endDate": "2026-12-31"}),
        base("LEAVE", "E-2", leave={"lastDay": (START + timedelta(days=30)).isoformat()}),
        base("CANCEL", "E-3"),
        no_ssin,
    ]


SEEDS = seed_events()
SEED_BYTES = [CODEC.encode(EmploymentEvent.model_validate(e).to_avro_record()) for e in SEEDS]


class PassThroughDecoder:
    """A decoder that hands the record over unchanged (stands for any record source)."""

    def __init__(self, record: Any) -> None:
        self._record = record

    async def prepare(self, payloads: Sequence[bytes | None]) -> None:
        """Nothing to resolve."""

    def decode(self, payload: bytes) -> Any:
        return copy.deepcopy(self._record)


def examine(
    value: bytes | None, intake: Intake | None = None, decoder: Any = CODEC
) -> Accepted | Rejected:
    intake = intake or Intake(CODEC, StatusEvents(SingleObjectCodec(STATUS_SCHEMA)))
    message = ConsumedMessage("hr.employment.events", 2, 41, key_for(value, decoder), value)
    outcome = intake.examine(message, now=NOW, today=TODAY)
    assert isinstance(outcome, Accepted | Rejected)
    event(outcome.reason_code if isinstance(outcome, Rejected) else "accepted")
    if isinstance(outcome, Rejected):
        assert outcome.reason_code in REASON_CODES, outcome.reason_code
        assert outcome.reason.strip()
        if outcome.reason_code in {"SCHEMA_MISMATCH", "RULE_VIOLATION"}:
            assert outcome.violations
            assert all(v.code and v.field and v.message for v in outcome.violations)
    else:
        assert translates(outcome.event)
    return outcome


def key_for(value: bytes | None, decoder: Any) -> bytes:
    """The employment id as the key, as the contract wants (b"k" when there is none)."""
    try:
        employment = decoder.decode(value).get("employmentId")
    except Exception:  # noqa: BLE001 - undecodable input has no employment to key by
        return b"k"
    return employment.encode() if isinstance(employment, str) else b"k"


def translates(event: EmploymentEvent) -> bool:
    """An accepted event translates (or explains why not) without raising."""
    open_period = KnownPeriod.model_validate(
        {
            "periodId": 656310000123,
            "startDate": START.isoformat(),
            "workerType": "OTH",
            "jointCommittee": "200",
        }
    )
    for periods in ((), (open_period,)):
        translate(event, periods, today=TODAY)
    return True


# -- bytes ---------------------------------------------------------------------------------------
@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_are_rejected_as_undecodable(value: bytes) -> None:
    outcome = examine(value)
    assert isinstance(outcome, Rejected)


@FUZZ
@given(st.binary(max_size=400))
def test_random_body_behind_a_valid_header_never_raises(body: bytes) -> None:
    examine(HEADER + body)


@st.composite
def damaged_records(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEED_BYTES)))
    for _ in range(draw(st.integers(1, 6))):
        operation = draw(st.sampled_from(["flip", "cut", "append", "insert", "delete"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if operation == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif operation == "cut":
            del data[at:]
        elif operation == "append":
            data += draw(st.binary(min_size=1, max_size=40))
        elif operation == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif data:
            del data[at : at + draw(st.integers(1, 8))]
    return bytes(data)


@FUZZ
@given(damaged_records())
def test_damaged_avro_records_never_raise(value: bytes) -> None:
    examine(value)


def test_tombstone_is_rejected() -> None:
    intake = Intake(CODEC, StatusEvents(SingleObjectCodec(STATUS_SCHEMA)))
    outcome = intake.examine(ConsumedMessage("t", 0, 0, None, None), now=NOW, today=TODAY)
    assert isinstance(outcome, Rejected)
    assert outcome.reason_code == "EMPTY"


# -- records -------------------------------------------------------------------------------------
ODD_TEXT = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20),
    st.just("x" * 40_000),
    st.just("é\u0301\u200b\U0001f600\x00"),
)
WRONG = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), ODD_TEXT,
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.dates().map(date.isoformat), st.dates(), st.datetimes(), st.sampled_from(
        ["0000-00-00", "9999-12-31", "0001-01-01", "2026-02-30", "24:00", "99:99", "12:5",
         "90051512300", "0412345615", "123456748", "XXX", "999.99.99", "FLX", "", " "]
    ),
)  # fmt: skip


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            out += paths(item, (*prefix, key))
    return out


@st.composite
def mutated_events(draw: st.DrawFn) -> Any:
    event: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from(paths(event)))
        parent = event
        for key in where[:-1]:
            parent = parent[key]
        if not isinstance(parent, dict):
            continue
        operation = draw(st.sampled_from(["drop", "replace", "add"]))
        if operation == "drop":
            parent.pop(where[-1], None)
        elif operation == "replace":
            parent[where[-1]] = draw(WRONG)
        else:
            parent[draw(st.text(min_size=1, max_size=8))] = draw(WRONG)
    return event


@FUZZ
@given(mutated_events())
def test_mutated_json_records_are_examined_without_raising(record: Any) -> None:
    decoder = PassThroughDecoder(record)
    examine(b"\x00", Intake(decoder, StatusEvents(SingleObjectCodec(STATUS_SCHEMA))), decoder)


@FUZZ
@given(st.dictionaries(st.sampled_from(sorted(SEEDS[0])), WRONG, max_size=9))
def test_a_record_of_wrong_values_is_rejected(record: dict[str, Any]) -> None:
    """The decoder port promises a dict (``SingleObjectCodec`` checks it); anything in it goes."""
    intake = Intake(PassThroughDecoder(record), StatusEvents(SingleObjectCodec(STATUS_SCHEMA)))
    assert isinstance(examine(b"\x00", intake), Rejected)


SEED_RECORDS = [EmploymentEvent.model_validate(e).to_avro_record() for e in SEEDS]
ODD_STRINGS = st.one_of(
    ODD_TEXT,
    st.sampled_from(["90051512300", "0412345615", "123456748", "2026-02-30", "24:00", "ABCD",
                     "999", "XXX", "OTH", "STU", "FLX", "1", "-1", "00000000000"]),
)  # fmt: skip
INT32, INT64 = 2**31 - 1, 2**63 - 1


def named_types(schema: Any, found: dict[str, Any] | None = None) -> dict[str, Any]:
    """The records and enums of an Avro schema by name (later fields refer to them by name)."""
    found = {} if found is None else found
    if isinstance(schema, list):
        for branch in schema:
            named_types(branch, found)
    elif isinstance(schema, dict):
        if "name" in schema and schema.get("type") in ("record", "enum"):
            found[schema["name"]] = schema
        for field in schema.get("fields", ()):
            named_types(field["type"], found)
    return found


WRITER_SCHEMA = CODEC.writer.raw
NAMED = named_types(WRITER_SCHEMA)


def branches(avro_type: Any) -> list[Any]:
    members = avro_type if isinstance(avro_type, list) else [avro_type]
    return [NAMED.get(m, m) if isinstance(m, str) else m for m in members]


def type_at(path: tuple[Any, ...]) -> Any:
    """The schema of the value at ``path`` of a record."""
    current: Any = WRITER_SCHEMA
    for key in path:
        (record,) = [b for b in branches(current) if isinstance(b, dict) and "fields" in b]
        (current,) = [f["type"] for f in record["fields"] if f["name"] == key]
    return current


def writable_values(avro_type: Any) -> list[st.SearchStrategy[Any]]:
    """Odd values the Avro writer takes for this type (a record's fields are mutated apart)."""
    options: list[st.SearchStrategy[Any]] = []
    for branch in branches(avro_type):
        name = branch.get("type") if isinstance(branch, dict) else branch
        logical = branch.get("logicalType") if isinstance(branch, dict) else None
        if name == "null":
            options.append(st.none())
        elif name == "string":
            options.append(ODD_STRINGS)
        elif name == "enum":
            options.append(st.sampled_from(branch["symbols"]))
        elif name == "int":
            options.append(st.dates() if logical == "date" else st.integers(-INT32 - 1, INT32))
        elif name == "long" and logical == "timestamp-millis":
            options.append(st.datetimes(timezones=st.just(UTC)))
        elif name == "long":
            options.append(st.integers(-INT64 - 1, INT64))
        elif name in ("float", "double"):
            options.append(st.floats(allow_nan=True, allow_infinity=True))
        elif name == "boolean":
            options.append(st.booleans())
    return options


@st.composite
def same_type_mutations(draw: st.DrawFn) -> dict[str, Any]:
    """An Avro record with values replaced by odd ones the schema allows (optional ones
    dropped to null, enums any symbol): what a buggy producer with the right schema can send."""
    record: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(SEED_RECORDS)))
    for _ in range(draw(st.integers(1, 5))):
        where = draw(st.sampled_from(paths(record)))
        parent = record
        for key in where[:-1]:
            parent = parent[key]
        if not isinstance(parent, dict):
            continue  # an earlier mutation set a record on the way to null
        options = writable_values(type_at(where))
        if options:  # a required record stays; its own fields are mutated instead
            parent[where[-1]] = draw(st.one_of(options))
    return record


@FUZZ
@given(same_type_mutations())
def test_odd_values_through_the_real_avro_decoder_never_raise(record: dict[str, Any]) -> None:
    examine(CODEC.encode(record))  # the strategy builds only records the writer takes


def test_the_schema_walk_knows_every_field_of_the_seeds() -> None:
    for record in SEED_RECORDS:
        for where in paths(record):
            assert type_at(where) is not None
    assert writable_values(type_at(("employer",))) == []
    assert writable_values(type_at(("contract",)))  # null: the contract is optional


# -- valid but odd -------------------------------------------------------------------------------
@st.composite
def odd_valid_events(draw: st.DrawFn) -> dict[str, Any]:
    event: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    name = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]),
                   min_size=1, max_size=200)  # fmt: skip
    event["employmentId"] = draw(name)
    event["source"] = draw(name)
    event["eventId"] = str(draw(st.uuids()))
    event["occurredAt"] = draw(
        st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1),
                     timezones=st.just(UTC))
    ).isoformat()  # fmt: skip
    contract = event.get("contract")
    if contract is not None:
        start = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(9998, 12, 31)))
        contract["startDate"] = start.isoformat()
        if "endDate" in contract or draw(st.booleans()):
            end = draw(st.dates(min_value=start, max_value=date(9999, 12, 31)))
            contract["endDate"] = end.isoformat()
    if "leave" in event:
        event["leave"]["lastDay"] = draw(st.dates(min_value=date(1990, 1, 1))).isoformat()
    if "familyName" in event["worker"]:
        event["worker"]["familyName"] = draw(name)
        event["worker"]["givenName"] = draw(name)
    return event


@FUZZ
@given(odd_valid_events())
def test_valid_but_odd_events_are_examined_and_translated_without_raising(
    record: dict[str, Any],
) -> None:
    event = EmploymentEvent.model_validate(record)
    examine(CODEC.encode(event.to_avro_record()))

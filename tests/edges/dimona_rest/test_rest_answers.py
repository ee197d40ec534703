from __future__ import annotations

from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapter.core.results import AnomalySeverity, DimonaResult
from adapter.edges.dimona_rest.answers import (
    UnreadableAnswer,
    parse_anomaly,
    parse_declaration_answer,
)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"errorId": "90017-510", "labelFr": "F", "labelNl": "N"}, ("90017-510", None, "F", "N")),
        ({"code": "00913-355", "severity": "BLOCKING"},
         ("00913-355", AnomalySeverity.BLOCKING, None, None)),
        ({"code": "x", "descriptionFr": "voir 90373-460", "descriptionNl": "n", "type": "W"},
         ("90373-460", AnomalySeverity.NON_BLOCKING, "voir 90373-460", "n")),
        ({"anomaly": {"id": "00024-347"}, "label": {"fr": "f", "nl": "n"}, "gravity": "np"},
         ("00024-347", AnomalySeverity.NON_BLOCKING, "f", "n")),
        ("90017-369", ("90017-369", None, None, None)),
    ],
)  # fmt: skip
def test_anomaly_shapes(item: object, expected: tuple[object, ...]) -> None:
    anomaly = parse_anomaly(item)
    assert anomaly is not None
    assert (anomaly.code, anomaly.severity, anomaly.label_fr, anomaly.label_nl) == expected


@pytest.mark.parametrize("item", [{"labelFr": "no code"}, "nothing", 42, None, {"code": "1-2"}])
def test_items_without_a_code_are_skipped(item: object) -> None:
    assert parse_anomaly(item) is None


def test_flat_and_v1_style_answers() -> None:
    flat = parse_declaration_answer(
        {"result": "w", "periodId": "656309300157", "anomaliesCollection": {"anomaly": [
            {"errorId": "90017-510"}, {"errorId": "90017-510"}, {"errorId": "00910-459"}]}},
        declaration_id=7,
    )  # fmt: skip
    assert flat.declaration_id == 7
    assert flat.result is DimonaResult.ACCEPTED_WITH_WARNING
    assert flat.period_id == 656309300157
    assert [a.code for a in flat.anomalies] == ["90017-510", "00910-459"]
    update = parse_declaration_answer(
        {"dimonaUpdate": {"periodId": 11}, "declarationStatus": {"result": "A", "period": {}}},
        declaration_id=8,
    )
    assert update.period_id == 11
    assert update.has_anomaly("x") is False


@pytest.mark.parametrize(
    "body", [None, [], {"declarationStatus": {}}, {"declarationStatus": {"result": True}}]
)
def test_unreadable_answers(body: object) -> None:
    with pytest.raises(UnreadableAnswer):
        parse_declaration_answer(body, declaration_id=1)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12)
    | st.sampled_from(["A", "W", "B", "S", "90017-510", "errorId", "result"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(["declarationStatus", "result", "anomalies", "period", "id", "errorId",
                         "code", "severity", "labelFr", "periodId", "dimonaOut", "x"]),
        children,
        max_size=5,
    ),
    max_leaves=20,
)  # fmt: skip


@given(JSON)
def test_any_json_is_either_read_or_refused_as_unreadable(body: object) -> None:
    try:
        answer = parse_declaration_answer(body, declaration_id=1)
    except UnreadableAnswer:
        return
    assert answer.result in set(DimonaResult)
    for anomaly in answer.anomalies:
        assert anomaly.code


def _frozen(value: object) -> object:
    """The same JSON with every object a read-only mapping (not a dict)."""
    if isinstance(value, dict):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_frozen(v) for v in value]
    return value


def test_any_mapping_reads_as_a_dict() -> None:
    body = {
        "dimonaOut": {"periodId": "77"},
        "declarationStatus": {
            "declarationId": 5,
            "result": " w ",
            "anomaliesCollection": {"anomaly": [{"x": {"y": "see 00913-355"}, "gravity": "B"}]},
            "informations": [{"code": "90017-510", "label": {"fr": "f", "nl": "n"}}],
        },
    }
    answer = parse_declaration_answer(body, declaration_id=1)
    assert parse_declaration_answer(_frozen(body), declaration_id=1) == answer
    assert (answer.result, answer.period_id) == (DimonaResult.ACCEPTED_WITH_WARNING, 77)
    assert [(a.code, a.severity, a.label_fr) for a in answer.anomalies] == [
        ("00913-355", AnomalySeverity.BLOCKING, None),
        ("90017-510", None, "f"),
    ]

"""``dimona-adapter translate``: bodies, violations and exit codes."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import pytest

from adapter.commands.translate import add_parser, run
from tests.unit.core.core_factories import event_dict


def invoke(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    event: dict[str, Any] | str,
    periods: list[dict[str, Any]] | str | None = None,
) -> tuple[int, Any]:
    source = tmp_path / "event.json"
    source.write_text(event if isinstance(event, str) else json.dumps(event), encoding="utf-8")
    argv = [str(source), "--today", "2026-03-01"]
    if periods is not None:
        periods_file = tmp_path / "periods.json"
        periods_file.write_text(
            periods if isinstance(periods, str) else json.dumps(periods), encoding="utf-8"
        )
        argv += ["--periods", str(periods_file)]
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    args = parser.parse_args(["translate", *argv])
    code = args.handler(args)
    out = capsys.readouterr().out
    return code, json.loads(out) if out else None


def test_valid_hire_prints_the_bodies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = invoke(tmp_path, capsys, event_dict())
    assert code == 0
    assert out == [
        {
            "employer": {"enterpriseNumber": "0412345614"},
            "worker": {"ssin": "90051512391"},
            "dimonaIn": {
                "startDate": "2026-03-02",
                "features": {"jointCommissionNumber": "XXX", "workerType": "OTH"},
            },
        }
    ]


def test_leave_with_periods(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    event = event_dict("LEAVE") | {"leave": {"lastDay": "2026-06-30"}}
    periods = [
        {
            "periodId": 656309300157,
            "startDate": "2026-03-02",
            "workerType": "OTH",
            "jointCommittee": "XXX",
            "state": "ACTIVE",
        }
    ]
    code, out = invoke(tmp_path, capsys, event, periods)
    assert (code, out) == (0, [{"dimonaOut": {"periodId": 656309300157, "endDate": "2026-06-30"}}])


def test_pending_period_prints_a_null_period_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = event_dict("CANCEL")
    periods = [
        {
            "startDate": "2026-03-02",
            "workerType": "OTH",
            "jointCommittee": "XXX",
            "state": "PENDING",
        }
    ]
    code, out = invoke(tmp_path, capsys, event, periods)
    assert (code, out) == (0, [{"dimonaCancel": {"periodId": None}}])


def test_rule_violation_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = invoke(tmp_path, capsys, event_dict(workerType="STU"))
    assert code == 1
    assert {v["code"] for v in out["violations"]} == {"END_DATE_REQUIRED", "PLANNED_HOURS_REQUIRED"}
    assert all(v["field"].startswith("contract.") and v["message"] for v in out["violations"])


@pytest.mark.parametrize(
    ("event", "periods", "field"),
    [
        ("{not json", None, "event"),
        (event_dict(startDate="2026-02-30"), None, "contract.startDate"),
        (event_dict(), '[{"startDate": "x"}]', "periods[0].startDate"),
    ],
)
def test_unreadable_input_exits_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    event: dict[str, Any] | str,
    periods: str | None,
    field: str,
) -> None:
    code, out = invoke(tmp_path, capsys, event, periods)
    assert code == 2
    assert field in {v["field"] for v in out["violations"]}


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(file="/does/not/exist.json", periods=None, today=None)
    assert run(args) == 2
    assert "cannot read" in capsys.readouterr().err


def test_reads_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(event_dict("CANCEL"))))
    args = argparse.Namespace(file="-", periods=None, today=None)
    assert run(args) == 0
    assert json.loads(capsys.readouterr().out) == []

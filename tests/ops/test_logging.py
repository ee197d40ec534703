"""Logs: the masking processor (captured with structlog.testing), the canonical line, and the
full pipeline (stdlib and structlog records rendered as JSON with nothing personal in clear)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from structlog.testing import capture_logs

from adapter.logging import (
    HANDLED_EVENT,
    MASK,
    configure_logging,
    log_handled,
    mask_personal_data,
    mask_ssin,
)

SSIN = "85073003328"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def test_mask_ssin_in_any_spelling() -> None:
    for spelled in ("85073003328", "85.07.30-033.28", "85 07 30 033 28", "850730-033-28"):
        assert mask_ssin(f"worker {spelled} hired") == "worker 850730-***-** hired"
    # longer digit runs (declaration ids, 12 digits) are not SSINs
    assert mask_ssin("declaration 656309300157") == "declaration 656309300157"


def test_processor_masks_ssins_and_names_everywhere() -> None:
    with capture_logs(processors=[mask_personal_data]) as logs:
        structlog.get_logger().info(
            f"rejected event of {SSIN}",
            body={"worker": {"ssin": SSIN, "familyName": "Peeters", "givenName": "An"}},
            names=["x", {"name": "Jansen"}],
            WorkerName="Janssens",
            note=("tuple", SSIN),
        )
    [entry] = logs
    text = json.dumps(entry)
    assert SSIN not in text
    for name in ("Peeters", 'An"', "Jansen", "Janssens"):
        assert name not in text
    assert entry["event"] == "rejected event of 850730-***-**"
    assert entry["body"]["worker"] == {
        "ssin": "850730-***-**",
        "familyName": MASK,
        "givenName": MASK,
    }
    assert entry["WorkerName"] == MASK


def test_canonical_line_carries_the_ids(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="adapter.handled")
    with capture_logs(processors=[mask_personal_data]) as logs:
        log_handled(
            topic="hr.employment.events",
            partition=2,
            offset=41,
            outcome="accepted",
            duration_s=0.0123,
            event_id="0d7c6f43-94f5-4c08-9a4e-51d7d3b3f7a1",
            employment_id="emp-1",
            declaration_id=656309300157,
            transition="SUBMITTED->ACCEPTED",
        )
        log_handled(
            topic="hr.employment.events",
            partition=2,
            offset=42,
            outcome="rejected",
            duration_s=0.001,
            reason=f"bad ssin {SSIN}",
        )
    accepted, rejected = logs
    assert accepted["event"] == HANDLED_EVENT
    assert accepted["log_level"] == "info"
    assert {k: accepted[k] for k in ("topic", "partition", "offset", "duration_ms")} == {
        "topic": "hr.employment.events",
        "partition": 2,
        "offset": 41,
        "duration_ms": 12.3,
    }
    assert accepted["declaration_id"] == 656309300157
    assert accepted["transition"] == "SUBMITTED->ACCEPTED"
    assert rejected["log_level"] == "warning"
    assert "declaration_id" not in rejected
    assert SSIN not in rejected["reason"]


def test_a_canonical_line_below_the_level_is_not_built(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="adapter.handled")
    with capture_logs(processors=[mask_personal_data]) as logs:
        log_handled(topic="t", partition=0, offset=1, outcome="accepted", duration_s=0.5)
        log_handled(topic="t", partition=0, offset=2, outcome="dead_lettered", duration_s=0.5)
    assert [(line["offset"], line["log_level"]) for line in logs] == [(2, "warning")]


def test_structlog_lines_below_the_level_stop_at_the_first_processor(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("WARNING", "json")
    structlog.get_logger("adapter.test").info("quiet", ssin=SSIN)
    structlog.get_logger("adapter.test").warning("loud")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["event"] for line in lines] == ["loud"]


def test_json_pipeline_masks_stdlib_and_structlog(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json")
    logging.getLogger("adapter.test").warning("ONSS refused %s", SSIN)
    structlog.get_logger("adapter.test").info("hired", worker={"ssin": SSIN, "givenName": "An"})
    log_handled(topic="t", partition=0, offset=1, outcome="accepted", duration_s=0.5)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["event"] for line in lines] == [
        "ONSS refused 850730-***-**",
        "hired",
        HANDLED_EVENT,
    ]
    assert lines[1]["worker"] == {"ssin": "850730-***-**", "givenName": MASK}
    assert all(line["timestamp"].endswith("Z") for line in lines)
    assert lines[2]["level"] == "info"


def test_console_format_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "console")
    structlog.get_logger("adapter.test").info("hello", ssin=SSIN)
    err = capsys.readouterr().err
    assert "hello" in err
    assert SSIN not in err
    assert not err.lstrip().startswith("{")

"""One small seeded chaos run (the CI slice of `make chaos`): the adapter is SIGKILLed at random
moments, its broker connection is cut, the sandbox fails, slows down, loses responses and its
tokens expire every 5 s; afterwards every invariant holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapter.chaos.environment import ChaosEnvironment
from adapter.chaos.runner import ChaosRun, RunConfig

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

SEED = 20261128


@pytest.mark.timeout(180)
def test_a_seeded_chaos_run_keeps_every_invariant(tmp_path: Path) -> None:
    config = RunConfig(seed=SEED, events=100, time_limit_s=85.0, chaos_s=25.0, waves=6)
    with ChaosEnvironment() as env:
        result = ChaosRun(env, config, tmp_path).run()

    assert result.kills >= 1
    failures = [f"{v.name}: {v.detail}" for v in result.verdicts if not v.ok]
    logs = result.log_path.read_text(errors="replace")[-3000:] if result.log_path else ""
    assert not failures, "\n".join(failures) + "\n" + logs

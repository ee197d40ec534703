"""Run the adapter under py-spy (sampling, no code change) and summarise the stacks.

``py-spy record --pid`` cannot attach on this machine ("Failed to find python version"), so
the profiled adapter is spawned by py-spy itself: ``py-spy record -- python -m adapter run``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from adapter.bench import procstat
from adapter.demo_harness import settings_env
from adapter.settings import Settings


@contextmanager
def profiled_adapter(settings: Settings, output: Path, *, rate: int = 67) -> Iterator[int]:
    """Yield the pid of ``python -m adapter run`` sampled by py-spy into ``output`` (raw)."""
    binary = shutil.which("py-spy")
    if binary is None:
        msg = "py-spy not found: uv sync --all-groups"
        raise RuntimeError(msg)
    env = {**os.environ, **settings_env(settings), "DIMONA_ADAPTER_LOG_FORMAT": "json",
           "DIMONA_ADAPTER_HTTP__PORT": "0"}  # fmt: skip
    spy = subprocess.Popen(  # noqa: S603 - fixed argv
        [binary, "record", "--rate", str(rate), "--format", "raw", "--nonblocking",
         "--output", str(output), "--", sys.executable, "-m", "adapter", "run"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        pid = None
        for _ in range(200):
            pid = procstat.find_descendant("-m adapter run", root=spy.pid)
            if pid is not None:
                break
            time.sleep(0.05)
        if pid is None:
            msg = "py-spy did not start the adapter"
            raise RuntimeError(msg)
        yield pid
        os.kill(pid, signal.SIGTERM)
        spy.wait(timeout=60)
    finally:
        if spy.poll() is None:
            spy.kill()
            spy.wait(timeout=10)


def _frame(frame: str) -> str:
    """``function (path/module.py:line)`` -> ``function (module.py)``."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.split(':')[0].rsplit('/', 1)[-1]})" if where else name


def summarise(raw: Path, *, top: int = 30) -> dict[str, list[tuple[str, float]]]:
    """Share of busy samples by leaf function (self) and by any frame on the stack."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame(f) for f in stack.split(";")]
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    if total == 0:
        return {"self": [], "inclusive": []}
    return {
        "self": [(f, round(100 * c / total, 1)) for f, c in own.most_common(top)],
        "inclusive": [(f, round(100 * c / total, 1)) for f, c in inclusive.most_common(top)],
    }

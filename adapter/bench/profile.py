"""Sample the adapter process with py-spy while a run lasts; summarise the stacks."""

from __future__ import annotations

import shutil
import signal
import subprocess
from collections import Counter
from pathlib import Path


class Profiler:
    """``py-spy record --format raw`` (collapsed stacks) on a pid, stopped with SIGINT."""

    def __init__(self, pid: int, output: Path, *, rate: int = 67) -> None:
        self._pid, self._output, self._rate = pid, output, rate
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("py-spy")
        if binary is None:
            msg = "py-spy not found: uv sync --group dev"
            raise RuntimeError(msg)
        self._process = subprocess.Popen(  # noqa: S603 - fixed argv
            [binary, "record", "--pid", str(self._pid), "--rate", str(self._rate),
             "--format", "raw", "--nonblocking", "--threads", "--output", str(self._output)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.send_signal(signal.SIGINT)
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)
        self._process = None


def _frames(stack: str) -> list[str]:
    return [f.split(" (")[0] + " (" + f.split(" (")[1].split(":")[0] + ")" if " (" in f else f
            for f in stack.split(";")]  # fmt: skip


def summarise(raw: Path, *, top: int = 25) -> dict[str, list[tuple[str, float]]]:
    """Share of samples by leaf function (self) and by any frame on the stack (inclusive)."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = _frames(stack)
        if any("idle" in f for f in frames[-1:]):
            continue
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

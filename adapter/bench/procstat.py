"""CPU and memory of one process, read from /proc (Linux), and finding our children."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Sample:
    cpu_s: float
    rss_mb: float
    peak_rss_mb: float


def sample(pid: int) -> Sample:
    """utime + stime of every thread of ``pid``, its RSS and its peak RSS (VmHWM)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / _TICKS
    rss = peak = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
        elif line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    return Sample(cpu, rss, peak)


def find_descendant(marker: str, *, root: int | None = None) -> int | None:
    """The pid of a descendant of ``root`` (default: us) whose command line holds ``marker``."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            commands[int(entry.name)] = (
                (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            )
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    ours = {root or os.getpid()}
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in ours and pid not in ours:
                ours.add(pid)
                changed = True
    ours.discard(root or os.getpid())
    for pid in sorted(ours):
        command = commands.get(pid, "")
        if marker in command and "py-spy" not in command:
            return pid
    return None


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()

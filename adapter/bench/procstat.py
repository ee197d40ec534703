"""CPU and memory of one process, read from /proc (Linux), and finding our children."""

from __future__ import annotations

import os
import resource
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
    found = find_descendants(marker, root=root)
    return found[0] if found else None


def find_descendants(marker: str, *, root: int | None = None) -> list[int]:
    """The pids of the descendants of ``root`` (default: us) whose command line holds
    ``marker``, in pid order."""
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
    return [
        pid
        for pid in sorted(ours)
        if marker in commands.get(pid, "") and "py-spy" not in commands.get(pid, "")
    ]


def own_cpu_s() -> float:
    """utime + stime of this process, every thread (the bench's producer, reader, sampler)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_busy_s() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, every core (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:8]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / _TICKS, sum(fields) / _TICKS


def postgres_cpu_s(database: str | None = None) -> dict[str, float]:
    """CPU seconds of the PostgreSQL server's processes (named ``postgres``), by group:
    ``all`` (every process, with the reaped backends' CPU that the postmaster's cutime holds),
    and, given ``database``, ``backends`` (the backends connected to it, by their title)."""
    totals = {"all": 0.0, "backends": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        own = (int(fields[11]) + int(fields[12])) / _TICKS
        totals["all"] += own + (int(fields[13]) + int(fields[14])) / _TICKS
        if database is not None and f" {database} " in title:
            totals["backends"] += own
    return totals


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()

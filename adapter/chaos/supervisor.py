"""The adapter OS processes of a run (one per replica): start, SIGKILL, restart, and notice
when one died on its own (then restart it after a pause, as a container runtime would)."""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from adapter.chaos.schedule import ALL_REPLICAS
from adapter.processes import AdapterProcess
from adapter.settings import Settings

RESTART_PAUSE_S = 1.0
"""Before replacing a process that died on its own (a crash loop must not eat the CPU)."""
_TAIL_LINES = 3


class Replica:
    def __init__(self, index: int, settings: Settings, log_path: Path) -> None:
        self.index = index
        self._settings = settings
        self._log_path = log_path
        self._process: AdapterProcess | None = None
        self._generation = 0
        self._died_at: float | None = None

    @property
    def name(self) -> str:
        return f"r{self.index}"

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.alive

    def start(self) -> bool:
        if self.alive:
            return False
        self._retire(None)
        self._generation += 1
        name = f"chaos-{self.name}-{self._generation}"
        self._process = AdapterProcess(self._settings, name=name).start()
        self._died_at = None
        return True

    def kill(self) -> bool:
        if not self.alive:
            return False
        assert self._process is not None
        self._process.kill()
        self._retire(None)
        return True

    def died_alone(self) -> str | None:
        """A description of the exit when the process ended without our signal."""
        if self._process is None or self._process.alive:
            return None
        code = self._process.stop()
        tail = _tail(self._process.output())
        self._retire("died on its own")
        self._died_at = time.monotonic()
        return f"{self.name} exit {code}: {tail}"

    def restart_due(self) -> bool:
        return (
            self._process is None
            and self._died_at is not None
            and time.monotonic() - self._died_at >= RESTART_PAUSE_S
        )

    def stop(self) -> int | None:
        if self._process is None:
            return None
        code = self._process.stop()
        self._retire(f"stopped with {code}")
        return code

    def _retire(self, note: str | None) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with self._log_path.open("a", encoding="utf-8") as log:
            log.write(f"----- {self.name} process {self._generation} ({note or 'killed'}) -----\n")
            log.write(process.output())
        process.__exit__(None, None, None)


def _tail(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return " | ".join(line[:240] for line in lines[-_TAIL_LINES:])


class AdapterSupervisor:
    def __init__(self, settings: Settings, log_path: Path, *, replicas: int = 1) -> None:
        self.replicas = [Replica(i, settings, log_path) for i in range(replicas)]
        self.kills = 0
        self.starts = 0
        self.unexpected_exits: list[str] = []

    def _chosen(self, replica: int) -> list[Replica]:
        if replica == ALL_REPLICAS:
            return self.replicas
        return [self.replicas[replica % len(self.replicas)]]

    def start(self, replica: int = ALL_REPLICAS) -> None:
        for one in self._chosen(replica):
            self.starts += one.start()

    def kill(self, replica: int = ALL_REPLICAS) -> None:
        for one in self._chosen(replica):
            self.kills += one.kill()

    def check(self) -> None:
        """Record processes that ended without our signal; restart them after a pause."""
        for one in self.replicas:
            exit_line = one.died_alone()
            if exit_line is not None:
                self.unexpected_exits.append(exit_line)
            if one.restart_due():
                self.starts += one.start()

    def stop(self) -> None:
        """SIGTERM (graceful drain) for every process, all at once.

        Exit 0 is a clean drain; -SIGTERM means our signal arrived before the process had
        installed its handler (still starting up): ours too, not a crash."""
        with ThreadPoolExecutor(max_workers=max(1, len(self.replicas))) as pool:
            codes = list(pool.map(Replica.stop, self.replicas))
        for one, code in zip(self.replicas, codes, strict=True):
            if code not in (0, None, -signal.SIGTERM):
                self.unexpected_exits.append(f"{one.name} exit {code} on SIGTERM")

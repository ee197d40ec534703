"""One adapter OS process at a time: start, SIGKILL, restart, and notice when it died alone."""

from __future__ import annotations

import signal
from pathlib import Path

from adapter.processes import AdapterProcess
from adapter.settings import Settings


class AdapterSupervisor:
    def __init__(self, settings: Settings, log_path: Path) -> None:
        self._settings = settings
        self._log_path = log_path
        self._process: AdapterProcess | None = None
        self._generation = 0
        self.kills = 0
        self.starts = 0
        self.unexpected_exits: list[int] = []

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.alive

    def start(self) -> None:
        if self.alive:
            return
        self._retire(None)
        self._generation += 1
        self._process = AdapterProcess(self._settings, name=f"chaos-{self._generation}").start()
        self.starts += 1

    def kill(self) -> bool:
        """SIGKILL the running process; False when none was running."""
        if not self.alive:
            return False
        assert self._process is not None
        self._process.kill()
        self.kills += 1
        self._retire(None)
        return True

    def check(self) -> None:
        """A process that ended without our signal is recorded, then replaced."""
        if self._process is not None and not self._process.alive:
            code = self._process.stop()
            self.unexpected_exits.append(-1 if code is None else code)
            self._retire("died on its own")
            self.start()

    def stop(self) -> None:
        """SIGTERM (graceful drain) for the last process.

        Exit 0 is a clean drain; -SIGTERM means our signal arrived before the process had
        installed its handler (still starting up): ours too, not a crash."""
        if self._process is not None:
            code = self._process.stop()
            if code not in (0, None, -signal.SIGTERM):
                self.unexpected_exits.append(code)
            self._retire(f"stopped with {code}")

    def _retire(self, note: str | None) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with self._log_path.open("a", encoding="utf-8") as log:
            log.write(f"----- adapter process {self._generation} ({note or 'killed'}) -----\n")
            log.write(process.output())
        process.__exit__(None, None, None)

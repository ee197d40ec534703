"""The adapter as a real OS process (``python -m adapter run``): tests, benchmark, chaos."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from adapter.child_processes import die_with_parent
from adapter.demo_harness import settings_env
from adapter.settings import Settings

RUN = ("-m", "adapter", "run")
"""The arguments of the Python interpreter that start the adapter."""


class AdapterProcess:
    def __init__(
        self,
        settings: Settings,
        *,
        name: str = "adapter",
        http_port: int = 0,
        arguments: Sequence[str] = RUN,
    ) -> None:
        """``http_port`` 0 lets the probes/metrics server take any free port; ``arguments``
        of the interpreter: ``RUN`` (the benchmark starts its baseline with others)."""
        http = settings.http.model_copy(update={"host": "127.0.0.1", "port": http_port})
        own = settings.model_copy(update={"http": http, "log_format": "json"})
        self._env = {**os.environ, **settings_env(own)}
        self._name = name
        self._arguments = tuple(arguments)
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> Self:
        # Kept open for the child's lifetime; closed and removed in __exit__.
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix=f"{self._name}-", suffix=".log", delete=False
        )
        self._process = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
            [sys.executable, *self._arguments],
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,  # noqa: PLW1509 - only prctl, no locks taken
        )
        return self

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no drain, no goodbye, exactly what a crashed node does."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(timeout=10)

    def stop(self, timeout_s: float = 30.0) -> int | None:
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        return process.returncode

    def output(self) -> str:
        if self._log is None:
            return ""
        return Path(self._log.name).read_text(errors="replace")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        if self._log is not None:
            self._log.close()
            Path(self._log.name).unlink(missing_ok=True)

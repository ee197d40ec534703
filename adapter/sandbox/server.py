"""Runs one sandbox under uvicorn (single process: the state lives in it)."""

from __future__ import annotations

import json
import logging
import signal
import socket
import sys
from types import FrameType

import uvicorn

from adapter.sandbox.app import build_app, build_context
from adapter.sandbox.config import SandboxConfig
from adapter.sandbox.transport import protocol_class


def uvicorn_config(config: SandboxConfig) -> uvicorn.Config:
    context = build_context(config)
    app = build_app(context, config.tick_seconds)
    return uvicorn.Config(
        app,
        host=config.host,
        port=config.port,
        log_level=config.log_level,
        access_log=False,
        http=protocol_class(),
        # uvloop when installed; the loop factory only applies through Server.run().
        loop="auto",
        lifespan="on",
        timeout_graceful_shutdown=5,
        backlog=4096,
    )


class SandboxServer(uvicorn.Server):
    """uvicorn.Server that announces its port on stdout and exits 0 on SIGTERM/SIGINT."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:  # noqa: ARG002
        # uvicorn re-raises the signal after a graceful shutdown (exit code -15); a stopped
        # sandbox has done nothing wrong, so it exits 0 instead.
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        else:
            self.should_exit = True

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.servers:
            port = self.servers[0].sockets[0].getsockname()[1]
            line = json.dumps({"event": "sandbox.ready", "port": port})
            sys.stdout.write(line + "\n")
            sys.stdout.flush()


def serve(config: SandboxConfig) -> int:
    logging.basicConfig(level=config.log_level.upper(), stream=sys.stderr)
    server = SandboxServer(uvicorn_config(config))
    server.run()
    return 0 if server.started else 1

"""Runs one sandbox under uvicorn (single process: the state lives in it)."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import sys

import uvicorn

from adapter.sandbox.app import build_app, build_context
from adapter.sandbox.config import SandboxConfig
from adapter.sandbox.transport import TransportExposingH11Protocol


def uvicorn_config(config: SandboxConfig) -> uvicorn.Config:
    context = build_context(config)
    app = build_app(context, config.tick_seconds)
    return uvicorn.Config(
        app,
        host=config.host,
        port=config.port,
        log_level=config.log_level,
        access_log=False,
        http=TransportExposingH11Protocol,
        lifespan="on",
        timeout_graceful_shutdown=5,
        backlog=4096,
    )


class SandboxServer(uvicorn.Server):
    """uvicorn.Server that announces the bound port on stdout once it listens."""

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
    asyncio.run(server.serve())
    return 0 if server.started else 1

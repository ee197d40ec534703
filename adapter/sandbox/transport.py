"""A uvicorn HTTP protocol that exposes the connection's transport to the app.

Fault injection needs it to reset a connection (RST, not a polite close). The transport is put
into the per-connection ``state`` dict that uvicorn copies into every request scope.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import MutableMapping
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

TRANSPORT_KEY = "sandbox.transport"


class TransportExposingH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # app_state is shared by every connection: give this one a copy of its own.
        self.app_state = {**self.app_state, TRANSPORT_KEY: transport}
        super().connection_made(transport)  # type: ignore[arg-type]


def reset_connection(scope: MutableMapping[str, Any]) -> bool:
    """Abort the request's TCP connection with an RST; False when the server cannot."""
    transport = scope.get("state", {}).get(TRANSPORT_KEY)
    if not isinstance(transport, asyncio.Transport):
        return False
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    return True

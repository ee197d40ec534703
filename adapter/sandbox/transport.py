"""uvicorn HTTP protocols tuned for the sandbox.

* The connection's transport is put into the per-connection ``state`` dict that uvicorn copies
  into every request scope, so fault injection can reset a connection (RST, not a polite close).
* Writes made in one event-loop turn are coalesced: uvicorn writes the status line and headers,
  then the body, as two ``send`` system calls; on loopback a send costs tens of microseconds,
  so one per response noticeably lowers CPU per request.

uvloop's transports are not subclasses of ``asyncio.Transport``, so transports are recognised
by what they can do (``write`` and ``abort``), not by their class.
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


class CoalescingTransport:
    """Delegates to a real transport, joining the writes of one loop turn into one."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._buffer: list[bytes] = []
        self._loop = asyncio.get_running_loop()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._buffer:
            self._loop.call_soon(self._flush)
        # A bytearray or memoryview may change before the flush: copy those, not bytes.
        self._buffer.append(data if type(data) is bytes else bytes(data))

    def _flush(self) -> None:
        if self._buffer and not self._inner.is_closing():
            self._inner.write(b"".join(self._buffer))
        self._buffer.clear()

    def close(self) -> None:
        self._flush()
        self._inner.close()

    def abort(self) -> None:
        self._buffer.clear()
        self._inner.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _is_stream(transport: object) -> bool:
    return callable(getattr(transport, "write", None)) and callable(
        getattr(transport, "abort", None)
    )


def _prepare(protocol: Any, transport: asyncio.BaseTransport) -> Any:
    # app_state is shared by every connection: give this one a copy of its own.
    protocol.app_state = {**protocol.app_state, TRANSPORT_KEY: transport}
    if _is_stream(transport):
        return CoalescingTransport(transport)
    return transport


class TransportExposingH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(_prepare(self, transport))


def protocol_class() -> type[asyncio.Protocol]:
    """httptools (C parser, several times faster) when installed, else h11."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:
        return TransportExposingH11Protocol

    class TransportExposingHttpToolsProtocol(HttpToolsProtocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(_prepare(self, transport))

    return TransportExposingHttpToolsProtocol


def reset_connection(scope: MutableMapping[str, Any]) -> bool:
    """Abort the request's TCP connection with an RST; False when the server cannot."""
    transport: Any = scope.get("state", {}).get(TRANSPORT_KEY)
    if not _is_stream(transport):
        return False
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    return True

"""A loopback TCP proxy that can be severed and restored: "connection lost" faults.

The embedded broker advertises the proxy's address, so every Kafka connection (bootstrap and
the broker connections named by the metadata) goes through it; in the PostgreSQL mode the
adapters reach PostgreSQL through another one. Two faults:

* ``cut()`` (reset): every open connection is reset (RST) and new ones are refused until
  ``restore()``; the broker keeps its in-memory topics.
* ``blackhole()``: nothing moves any more, in either direction, and nothing is refused: open
  connections stall, new ones are accepted and never answered, as when a network path silently
  drops every packet. ``restore()`` heals it (what was held is delivered, as TCP retransmission
  would); ``cut()`` ends it with resets instead.

The proxy runs its own event loop on a daemon thread so synchronous code can drive it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from types import TracebackType
from typing import Self

_CHUNK = 65536


class TcpProxy:
    def __init__(
        self,
        *,
        listen_port: int,
        target_port: int,
        host: str = "127.0.0.1",
        target_host: str | None = None,
    ) -> None:
        self.host = host
        self.target_host = target_host or host
        self.listen_port = listen_port
        self.target_port = target_port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="proxy")
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._cut = False
        self._flowing: asyncio.Event | None = None
        self.cuts = 0
        self.blackholes = 0
        self.connections = 0

    @property
    def address(self) -> str:
        return f"{self.host}:{self.listen_port}"

    @property
    def is_cut(self) -> bool:
        return self._cut

    @property
    def is_blackholed(self) -> bool:
        return self._flowing is not None and not self._flowing.is_set()

    # -- life cycle (called from any thread) -------------------------------------------------
    def start(self) -> Self:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(timeout=10)
        return self

    def cut(self) -> None:
        """Reset every connection and refuse new ones."""
        asyncio.run_coroutine_threadsafe(self._set_cut(True), self._loop).result(timeout=10)

    def blackhole(self) -> None:
        """Hold every byte and every new connection until ``restore()`` or ``cut()``."""
        asyncio.run_coroutine_threadsafe(self._set_blackhole(), self._loop).result(timeout=10)

    def restore(self) -> None:
        """Accept connections again and let held bytes through."""
        asyncio.run_coroutine_threadsafe(self._restore(), self._loop).result(timeout=10)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        future = asyncio.run_coroutine_threadsafe(self._close(), self._loop)
        with contextlib.suppress(Exception):
            future.result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- on the proxy's loop ----------------------------------------------------------------
    async def _listen(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(
            self._accept, self.host, self.listen_port, reuse_address=True
        )

    async def _set_cut(self, cut: bool) -> None:
        if cut and not self._cut:
            self.cuts += 1
            for writer in list(self._writers):
                _reset(writer)
            self._writers.clear()
        self._cut = cut
        if cut:
            self._release()  # stalled pipes wake up to find their connections reset

    async def _set_blackhole(self) -> None:
        assert self._flowing is not None
        if self._flowing.is_set():
            self.blackholes += 1
            self._flowing.clear()

    async def _restore(self) -> None:
        await self._set_cut(False)
        self._release()

    def _release(self) -> None:
        if self._flowing is not None:
            self._flowing.set()

    async def _close(self) -> None:
        await self._set_cut(True)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._cut:
            _reset(writer)
            return
        if self.is_blackholed:  # accepted, then silence: held until restored or cut
            self._writers.add(writer)
            await self._held()
            self._writers.discard(writer)
            if self._cut or writer.is_closing():
                _reset(writer)
                return
        try:
            up_reader, up_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            _reset(writer)
            return
        self.connections += 1
        self._writers.update((writer, up_writer))
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            for end in (writer, up_writer):
                self._writers.discard(end)
                end.close()

    async def _held(self) -> None:
        assert self._flowing is not None
        await self._flowing.wait()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(_CHUNK):
                await self._held()  # a black hole keeps what it read until it heals
                if writer.is_closing():
                    return
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(OSError, RuntimeError):
                if writer.can_write_eof():
                    writer.write_eof()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST (SO_LINGER 0), as a dropped network path looks to the client."""
    sock = writer.get_extra_info("socket")
    if isinstance(sock, socket.socket) or sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.close()

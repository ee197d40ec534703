"""The severable TCP proxy over loopback: reset, black hole that heals, black hole that ends
in resets."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator

import pytest

from adapter.chaos.proxy import TcpProxy
from adapter.edges.kafka.embedded import free_loopback_port


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(1024):
            self.request.sendall(data)


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    target = server.server_address[1]
    with TcpProxy(listen_port=free_loopback_port(), target_port=int(target)) as running:
        yield running
    server.shutdown()
    server.server_close()


def _connect(proxy: TcpProxy) -> socket.socket:
    return socket.create_connection(("127.0.0.1", proxy.listen_port), timeout=5)


def _echo(sock: socket.socket, data: bytes) -> bytes:
    sock.sendall(data)
    return sock.recv(1024)


def _expect_reset(sock: socket.socket) -> None:
    """An RST, not an orderly close (recv would return b"")."""
    sock.settimeout(5)
    with pytest.raises(ConnectionResetError):
        sock.recv(1024)


def test_bytes_flow_until_a_cut_resets_and_refuses(proxy: TcpProxy) -> None:
    with _connect(proxy) as sock:
        assert _echo(sock, b"ping") == b"ping"
        proxy.cut()
        _expect_reset(sock)
    with pytest.raises(OSError), _connect(proxy) as refused:  # refused, or accepted and reset
        refused.recv(1024)
    proxy.restore()
    with _connect(proxy) as sock:
        assert _echo(sock, b"back") == b"back"


def test_a_black_hole_holds_bytes_and_new_connections_until_it_heals(proxy: TcpProxy) -> None:
    with _connect(proxy) as sock:
        assert _echo(sock, b"one") == b"one"
        proxy.blackhole()
        assert proxy.is_blackholed
        sock.sendall(b"held")
        sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            sock.recv(1024)
        late = _connect(proxy)  # accepted, not answered
        late.settimeout(0.3)
        late.sendall(b"late")
        with pytest.raises(TimeoutError):
            late.recv(1024)
        proxy.restore()
        sock.settimeout(5)
        late.settimeout(5)
        assert sock.recv(1024) == b"held"
        assert late.recv(1024) == b"late"
        late.close()
    assert proxy.blackholes == 1


def test_a_black_hole_can_end_in_resets(proxy: TcpProxy) -> None:
    with _connect(proxy) as sock:
        assert _echo(sock, b"one") == b"one"
        proxy.blackhole()
        sock.sendall(b"lost")
        proxy.cut()
        _expect_reset(sock)
    proxy.restore()
    with _connect(proxy) as sock:
        assert _echo(sock, b"fresh") == b"fresh"

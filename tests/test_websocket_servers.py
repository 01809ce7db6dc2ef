"""WebSockets over real sockets on every server fastrapi runs on, with the ``websockets`` client library:
fastrapi's server (app.serve(), fastrapi run), gunicorn's gevent and gevent_pywsgi workers, Werkzeug's
dev server. Each runs the raw echo apps of tests/apps/websocket_app.py, ``def`` and ``async def``."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from wsproto.frame_protocol import FrameProtocol

from tests.apps import websocket_app
from tests.servers import GEVENT, GEVENT_PYWSGI, SERVE, WORKER, run_server, wait_until

WERKZEUG = "werkzeug"
KINDS = (SERVE, WORKER, GEVENT, GEVENT_PYWSGI, WERKZEUG)
FLAVORS = ("sync", "async")


class Target:
    def __init__(self, port: int, kind: str) -> None:
        self.port = port
        self.kind = kind

    def url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def last(self) -> dict[str, Any]:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        try:
            sock.sendall(b"GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = _read_all(sock)
        finally:
            sock.close()
        return json.loads(data.split(b"\r\n\r\n", 1)[1] or b"{}")


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    return b"".join(chunks)


@pytest.fixture(scope="module", params=[(kind, flavor) for kind in KINDS for flavor in FLAVORS],
                ids=lambda param: f"{param[0].rsplit('.', 1)[-1]}-{param[1]}")
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    kind, flavor = request.param
    if kind == WERKZEUG:
        from werkzeug.serving import make_server

        app = websocket_app.sync_app if flavor == "sync" else websocket_app.async_app
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Target(server.server_port, kind)
        finally:
            server.shutdown()
            thread.join(5)
        return
    app = f"tests.apps.websocket_app:{flavor}_served"
    with run_server(kind, app, env={"PYTHONPATH": os.getcwd()}) as live:
        yield Target(live.port, kind)


def test_echo_text_bytes_json(target: Target) -> None:
    with connect(target.url("/echo")) as ws:
        ws.send("héllo")
        assert ws.recv() == "héllo"
        ws.send(b"\x00\xff")
        assert ws.recv() == b"\x00\xff"
        ws.send(json.dumps({"a": [1, "é"]}))
        assert json.loads(ws.recv()) == {"a": [1, "é"]}
        assert ws.response.headers["x-served-by"] in ("sync", "async")


def test_one_mebibyte_message_and_deflate(target: Target) -> None:
    big = os.urandom(512 * 1024).hex()  # 1 MiB of text
    with connect(target.url("/echo"), max_size=None) as ws:
        assert "permessage-deflate" in ws.response.headers["sec-websocket-extensions"]
        ws.send(big)
        assert ws.recv() == big


def test_no_deflate_when_not_offered(target: Target) -> None:
    with connect(target.url("/echo"), compression=None) as ws:
        assert "sec-websocket-extensions" not in ws.response.headers
        ws.send("plain")
        assert ws.recv() == "plain"


def test_subprotocol_choice(target: Target) -> None:
    with connect(target.url("/subprotocol"), subprotocols=["chat", "superchat"]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == "superchat"
        assert ws.recv() == "superchat"


def test_server_closes_with_code_and_reason(target: Target) -> None:
    with connect(target.url("/bye")) as ws, pytest.raises(ConnectionClosed) as closed:
        ws.recv()
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4001, "bye")
    with connect(target.url("/echo")) as ws:
        ws.send(json.dumps({"close": [4002, "asked"]}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4002


def test_client_close_code_reaches_the_handler(target: Target) -> None:
    with connect(target.url("/echo")) as ws:
        ws.send("x")
        assert ws.recv() == "x"
        ws.close(4100, "client says bye")
    last = wait_until(lambda: (lambda got: got if got.get("code") == 4100 else None)(target.last()), 5)
    assert last["reason"] == "client says bye"


def test_message_over_max_size_closes_1009(target: Target) -> None:
    with connect(target.url("/echo"), max_size=None, compression=None) as ws:
        ws.send(b"x" * (websocket_app.MAX_SIZE + 1))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


def test_client_vanishing_is_seen_by_the_handler(target: Target) -> None:
    with connect(target.url("/echo")) as ws:
        ws.send("still here")
        assert ws.recv() == "still here"
        started = time.time()
        ws.socket.shutdown(socket.SHUT_RDWR)  # no close frame: the TCP connection just ends
    last = wait_until(lambda: (lambda got: got if got.get("at", 0) >= started else None)(target.last()), 5)
    assert last["code"] == 1006


def test_refused_before_accept_is_403(target: Target) -> None:
    status, _, _ = _raw_handshake(target, b"/refuse")
    assert status == 403


@pytest.mark.parametrize(("headers", "status"), [
    (b"Sec-WebSocket-Version: 13\r\n", 400),  # no key
    (b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n", 426),
])
def test_bad_handshake_is_refused_and_closed(target: Target, headers: bytes, status: int) -> None:
    got, head, _ = _raw_handshake(target, b"/echo", headers)
    assert got == status
    if status == 426:
        assert b"sec-websocket-version: 13" in head.lower()


def test_first_frame_pipelined_behind_the_handshake(target: Target) -> None:
    frame = FrameProtocol(client=True, extensions=[]).send_data("early", fin=True)
    sock = socket.create_connection(("127.0.0.1", target.port), timeout=5)
    try:
        sock.sendall(_handshake(b"/echo", b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                          b"Sec-WebSocket-Version: 13\r\n") + frame)
        data = b""
        while b"early" not in data:
            chunk = sock.recv(65536)
            assert chunk, f"closed before the echo: {data!r}"
            data += chunk
        assert data.startswith(b"HTTP/1.1 101")
    finally:
        sock.close()


def _handshake(path: bytes, headers: bytes) -> bytes:
    return (b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + headers + b"\r\n")


def _raw_handshake(target: Target, path: bytes, headers: bytes | None = None) -> tuple[int, bytes, bytes]:
    """Status, head and whatever followed, read until the server closed the connection."""
    if headers is None:
        headers = b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    sock = socket.create_connection(("127.0.0.1", target.port), timeout=5)
    try:
        sock.sendall(_handshake(path, headers))
        data = _read_all(sock)  # ends only when the server closes
    finally:
        sock.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), head, rest


@pytest.mark.parametrize("kind", [SERVE, WORKER], ids=["serve", "Worker"])
def test_graceful_stop_closes_open_websockets_with_1001(kind: str) -> None:
    with run_server(kind, "tests.apps.websocket_app:async_served", env={"PYTHONPATH": os.getcwd()}) as live, \
            connect(f"ws://127.0.0.1:{live.port}/echo") as ws:
        ws.send("before")
        assert ws.recv() == "before"
        live.process.send_signal(signal.SIGTERM)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
        assert live.process.wait(10) == 0

"""A client that goes away stops the streaming generator, whose ``finally`` runs, on every server
kind: app.serve() (unpatched and patched), fastrapi's gunicorn worker and gunicorn -k gevent.

The client reads one event (or JSON line) and closes its socket. While the generator keeps
producing, the next write fails; while it is idle, the keep-alive comments (every 0.2 s in the
test app) are the writes that fail."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator

import pytest

from tests.servers import LiveServer, run_server

SERVERS = [("serve", False), ("serve", True), ("fastrapi.gunicorn_worker.Worker", False), ("gevent", False)]
STREAMS = ["sse-async", "sse-async-idle", "sse-sync", "sse-sync-idle", "jsonl-async", "jsonl-sync"]
BOUND = 5.0  # seconds from the client's close to the generator's finally


@pytest.fixture(scope="module", params=SERVERS, ids=[f"{kind}{'-patched' if p else ''}" for kind, p in SERVERS])
def live(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    kind, patched = request.param
    with run_server(kind, "tests.apps.sse_app:app", patched=patched) as server:
        yield server


def _open(live: LiveServer, path: str) -> tuple[socket.socket, bytes]:
    """A connection streaming ``path``, with what it received up to the end of the first item."""
    sock = socket.create_connection(("127.0.0.1", live.port), timeout=5)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
    received = b""
    while True:
        head, _, body = received.partition(b"\r\n\r\n")
        event = b"data: " in body and b"\n\n" in body
        line = b"jsonl" in head.lower() and b"0\n" in body
        if _ and (event or line):
            return sock, received
        chunk = sock.recv(65536)
        assert chunk, f"connection closed early: {received!r}"
        received += chunk


def _state(live: LiveServer, tag: str) -> dict[str, bool]:
    status, _, body = live.request("GET", f"/finished/{tag}")
    assert status == 200
    return json.loads(body)


@pytest.mark.parametrize("stream", STREAMS)
def test_a_gone_client_stops_the_generator(live: LiveServer, stream: str) -> None:
    tag = uuid.uuid4().hex
    sock, received = _open(live, f"/{stream}/{tag}")
    assert received.startswith(b"HTTP/1.1 200 ")
    assert _state(live, tag) == {"started": True, "finished": False}
    sock.close()
    closed = time.monotonic()
    while not _state(live, tag)["finished"]:
        assert time.monotonic() - closed < BOUND, f"{stream}: the generator still runs {BOUND}s after the client left"
        time.sleep(0.02)


def test_an_idle_stream_sends_keepalive_comments(live: LiveServer) -> None:
    tag = uuid.uuid4().hex
    sock, received = _open(live, f"/sse-async-idle/{tag}")
    try:
        assert b"\r\ncache-control: no-cache\r\n" in received.lower()
        assert b"data: 1\n\n" in received
        while received.count(b": ping\n\n") < 2:
            chunk = sock.recv(65536)
            assert chunk
            received += chunk
    finally:
        sock.close()

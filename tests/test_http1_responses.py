"""The embedded server's response writing: the bytes stock pywsgi sends, in fewer system calls."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from gevent.pywsgi import WSGIServer

from fastrapi.response_writes import JOIN_LIMIT
from fastrapi.server import Server
from tests.wire import exchange, serving

App = Callable[[dict[str, Any], Any], Iterable[bytes]]


def fixed(body: bytes, status: str = "200 OK", length: bool = True) -> App:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        headers = [("Content-Type", "text/plain")]
        if length:
            headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body] if body else []
    return app


def streamed(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])  # no length: chunked
    yield b"first"
    yield b""
    yield b"second" * 1000


APPS: dict[str, App] = {
    "small": fixed(b'{"Hello":"World"}'),
    "at the join limit": fixed(b"x" * JOIN_LIMIT),
    "over the join limit": fixed(b"y" * (JOIN_LIMIT + 1)),
    "large": fixed(bytes(range(256)) * 8192),
    "empty": fixed(b""),
    "no content-length": fixed(b"counted by pywsgi", length=False),
    "204": fixed(b"", "204 No Content", length=False),
    "chunked": streamed,
}


def without_date(answer: bytes) -> bytes:
    return re.sub(rb"\r\nDate: [^\r]*", b"", answer)


KEEP_ALIVE = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"
LAST = b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"


@pytest.mark.parametrize("name", APPS)
def test_responses_are_the_bytes_stock_pywsgi_sends(name: str) -> None:
    requests = KEEP_ALIVE + b"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n" + LAST
    with serving(WSGIServer, APPS[name]) as port:
        expected = without_date(exchange(port, requests))
    with serving(Server, APPS[name]) as port:
        answer = exchange(port, requests)
    assert without_date(answer) == expected
    assert answer.count(b"HTTP/1.1 ") == 3


def test_a_large_body_arrives_whole_to_a_slow_reader() -> None:
    body = bytes(range(256)) * 16384  # 4 MiB: more than the socket buffers take at once
    with serving(Server, fixed(body)) as port:
        answer = exchange(port, LAST, read_delay=0.2)
    head, _, received = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert received == body


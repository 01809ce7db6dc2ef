"""fastrapi.http1 writing responses: the bytes stock pywsgi sends (but no body on HEAD), HTTP/1.0 framing,
bodies that break their Content-Length, response headers that must not reach the wire, app errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from gevent.pywsgi import WSGIServer

from fastrapi.http1.connection import JOIN_LIMIT, Connection
from fastrapi.server import Server
from tests.wire import Client, exchange, serving

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
    start_response("200 OK", [("Content-Type", "text/plain")])  # no length: chunked on HTTP/1.1
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
STREAMED_BODY = b"first" + b"second" * 1000


def without_date(answer: bytes) -> bytes:
    return re.sub(rb"\r\nDate: [^\r]*", b"", answer)


KEEP_ALIVE = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"
HEAD = b"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n"
LAST = b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"


@pytest.mark.parametrize("name", APPS)
def test_responses_are_the_bytes_stock_pywsgi_sends(name: str) -> None:
    with serving(WSGIServer, APPS[name]) as port:
        expected = without_date(exchange(port, KEEP_ALIVE + LAST))
    with serving(Server, APPS[name]) as port:
        answer = exchange(port, KEEP_ALIVE + LAST)
    assert without_date(answer) == expected
    assert answer.count(b"HTTP/1.1 ") == 2


@pytest.mark.parametrize("name", APPS)
def test_a_head_response_has_the_head_of_get_and_no_body(name: str) -> None:
    with serving(Server, APPS[name]) as port, Client(port) as client:
        client.send(KEEP_ALIVE + HEAD + LAST)
        get = client.response()
        head = client.response("HEAD")
        last = client.response()  # parses only if no body followed the HEAD response
        assert client.rest() == b""
    expected = without_date(get.head)
    if name == "chunked":  # RFC 9112 §6.1: a HEAD response may leave Transfer-Encoding out
        expected = expected.replace(b"\r\nTransfer-Encoding: chunked", b"")
    assert without_date(head.head) == expected
    assert (without_date(last.head), last.body) == (without_date(get.head), get.body)


def test_stock_pywsgi_sends_a_body_on_head() -> None:
    """Why HEAD is not in the byte-equality test: pywsgi's answer breaks the framing of what follows."""
    with serving(WSGIServer, APPS["small"]) as port:
        answer = exchange(port, HEAD + LAST)
    assert answer.count(b'{"Hello":"World"}') == 2


@pytest.mark.parametrize("status", ["204 No Content", "304 Not Modified"])
def test_204_and_304_never_carry_a_body_even_when_the_app_returns_one(status: str) -> None:
    with serving(Server, fixed(b"oops", status, length=False)) as port, Client(port) as client:
        client.send(KEEP_ALIVE + KEEP_ALIVE)
        first = client.response()
        second = client.response()
        assert client.closed_within(0.05) is None
    assert first.status == second.status == int(status[:3])
    assert first.header(b"content-length") is None and first.header(b"transfer-encoding") is None
    assert client.buffer == b""


# -- HTTP/1.0 and Connection -----------------------------------------------------------------------


def test_http10_body_of_unknown_length_is_not_chunked_and_ends_with_the_connection() -> None:
    with serving(Server, streamed) as port:
        answer = exchange(port, b"GET / HTTP/1.0\r\n\r\nGET /again HTTP/1.0\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Transfer-Encoding" not in head and b"Content-Length" not in head and b"\r\nConnection: close" in head
    assert body == STREAMED_BODY


def test_http10_keep_alive_with_a_known_length_keeps_the_connection() -> None:
    request = b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
    with serving(Server, fixed(b"hello")) as port, Client(port) as client:
        answers = []
        for _ in range(2):
            client.send(request)
            answers.append(client.response())
        assert client.closed_within(0.05) is None
    for answer in answers:
        assert answer.body == b"hello" and answer.header(b"connection") == b"keep-alive"


def test_http10_without_keep_alive_is_closed_after_the_response() -> None:
    with serving(Server, fixed(b"hello")) as port:
        answer = exchange(port, b"GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n")
    assert answer.count(b"HTTP/1.1 200 OK") == 1 and answer.endswith(b"\r\n\r\nhello")


def test_an_app_that_sets_connection_close_gets_the_connection_closed() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Length", "2"), ("Connection", "close")])
        return [b"ok"]

    with serving(Server, app) as port:
        answer = exchange(port, KEEP_ALIVE + KEEP_ALIVE)
    assert answer.count(b"HTTP/1.1 200 OK") == 1 and answer.count(b"Connection: close") == 1
    assert answer.endswith(b"\r\n\r\nok")


# -- bodies that do not match their Content-Length ---------------------------------------------------


def wrong_length(declared: int, body: bytes, as_list: bool) -> App:
    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(declared))])
        return [body] if as_list else iter([body[:2], body[2:]])
    return app


@pytest.mark.parametrize("as_list", [True, False], ids=["list", "iterator"])
def test_a_body_shorter_than_its_content_length_closes_the_connection_after_it(as_list: bool) -> None:
    with serving(Server, wrong_length(10, b"12345", as_list)) as port:
        answer = exchange(port, KEEP_ALIVE + KEEP_ALIVE, timeout=1)
    assert answer.count(b"HTTP/1.1 200 OK") == 1 and b"\r\nContent-Length: 10\r\n" in answer
    assert answer.endswith(b"\r\n\r\n12345")


@pytest.mark.parametrize("as_list", [True, False], ids=["list", "iterator"])
def test_a_body_longer_than_its_content_length_is_cut_there_and_the_connection_closed(as_list: bool) -> None:
    with serving(Server, wrong_length(5, b"1234567890", as_list)) as port:
        answer = exchange(port, KEEP_ALIVE + KEEP_ALIVE, timeout=1)
    assert answer.count(b"HTTP/1.1 200 OK") == 1 and answer.endswith(b"\r\n\r\n12345")


# -- response heads that must not reach the wire, and app errors ------------------------------------

BAD_HEADERS = {
    "NUL": ("X-Bad", "a\x00b"),
    "vertical tab": ("X-Bad", "a\x0bb"),
    "DEL": ("X-Bad", "a\x7fb"),
    "CRLF injection": ("X-Bad", "a\r\nX-Injected: 1"),
    "LF injection": ("X-Bad", "a\nX-Injected: 1"),
    "space in name": ("X Injected", "1"),
    "colon in name": ("X-Injected:", "1"),
    "CRLF in name": ("X-Bad\r\nX-Injected", "1"),
    "not latin-1": ("X-Bad", "snow\u2603man"),
}


@pytest.mark.parametrize(("name", "value"), BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
def test_a_header_that_cannot_go_on_the_wire_gives_a_500_without_it(name: str, value: str) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), (name, value)])
        return [b"the body"]

    with serving(Server, app) as port:
        answer = exchange(port, KEEP_ALIVE + KEEP_ALIVE)
    assert answer.startswith(b"HTTP/1.1 500 Internal Server Error\r\n")
    assert answer.count(b"HTTP/1.1 ") == 1 and answer.endswith(b"\r\n\r\nInternal Server Error")
    for fragment in (b"\x00", b"\x0b", b"\x7f", b"X-Injected", b"X Injected", b"X-Bad", b"snow", b"the body"):
        assert fragment not in answer


def test_an_app_raising_before_start_response_gets_a_500_and_the_connection_closed() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise RuntimeError("boom")

    with serving(Server, app) as port:
        answer = exchange(port, KEEP_ALIVE + KEEP_ALIVE)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 500 ") and b"Content-Type: text/plain" in head
    assert b"Connection: close" in head and body == b"Internal Server Error"


def test_an_app_raising_after_its_first_chunk_gets_the_connection_closed_mid_body() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"partial"
        raise RuntimeError("boom")

    with serving(Server, app) as port:
        answer = exchange(port, KEEP_ALIVE + KEEP_ALIVE)
    assert answer.count(b"HTTP/1.1 ") == 1 and b"Transfer-Encoding: chunked" in answer
    assert answer.endswith(b"\r\n\r\n7\r\npartial\r\n")  # no last chunk: the client sees the body is cut


# -- sends ------------------------------------------------------------------------------------------


def test_a_large_body_arrives_whole_to_a_slow_reader() -> None:
    body = bytes(range(256)) * 16384  # 4 MiB: more than the socket buffers take at once
    with serving(Server, fixed(body)) as port:
        answer = exchange(port, LAST, read_delay=0.2)
    head, _, received = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert received == body


class CountingSocket:
    """A socket that records the size of every ``send``/``sendall``."""

    def __init__(self, sock: Any, sends: list[int]) -> None:
        self._sock = sock
        self._sends = sends

    def send(self, data: bytes) -> int:
        self._sends.append(len(data))
        return self._sock.send(data)

    def sendall(self, data: bytes) -> None:
        self._sends.append(len(data))
        self._sock.sendall(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


@pytest.mark.parametrize("name", ["small", "at the join limit", "no content-length", "empty"])
def test_a_small_response_leaves_in_one_send(name: str) -> None:
    sends: list[int] = []

    class CountingServer(Server):
        def handle_connection(self, sock: Any, address: Any) -> None:
            Connection(self, CountingSocket(sock, sends), address).run()

    with serving(CountingServer, APPS[name]) as port:
        answer = exchange(port, KEEP_ALIVE + LAST)
    assert len(sends) == 2 and sum(sends) == len(answer)

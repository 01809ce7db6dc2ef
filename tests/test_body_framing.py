"""A body whose framing breaks, or that never arrives whole, on every WSGI server: answered 400
``Invalid HTTP request received.`` with ``Connection: close``, and no endpoint, exception handler or
background task runs; nothing is logged above debug. Also ``TrustedHostMiddleware`` on an
absolute-form target (``GET http://host/path``), whose host wins over the Host header (RFC 9112 3.2.2).

In-process, a fake ``wsgi.input`` raises what gunicorn's and gevent's body readers raise. Live, raw
sockets send each bad body to ``gunicorn -k gevent`` and ``-k gevent_pywsgi``, followed on the same
connection by ``GET /int/666``, which must not run; the connection must be closed afterwards.
"""

from __future__ import annotations

import io
import json
import logging
import re
import socket
import struct
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import gevent
import gevent.socket
import pytest
from gevent import pywsgi
from gunicorn.http import errors as gunicorn_errors

from fastrapi.background import INLINE_TASKS_KEY
from fastrapi.concurrency import is_patched
from fastrapi.exception_handlers import INVALID_REQUEST, InvalidRequestResponse
from fastrapi.exceptions import ClientDisconnect, MalformedBody
from fastrapi.requests import body_read_error
from tests.apps import framing_app
from tests.servers import GEVENT, GUNICORN_KINDS, LiveServer, run_server

BOUNDARY = "framing-boundary"
ROUTES = {
    "/request-body": "application/json",
    "/stream": "application/octet-stream",
    "/astream": "application/octet-stream",
    "/aform": "application/x-www-form-urlencoded",
    "/model": "application/json",
    "/form": "application/x-www-form-urlencoded",
    "/upload": f"multipart/form-data; boundary={BOUNDARY}",
    "/yield": "application/json",
    "/task": "application/json",
}
# The start of a good body for each route: what arrived before the read failed.
HEADS = {
    "/stream": b"hello",
    "/astream": b"hello",
    "/form": b"name=ab",
    "/aform": b"name=ab",
    "/upload": f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhel'.encode(),
}

# What servers' body readers raise for broken framing...
MALFORMED: list[Exception] = [
    gunicorn_errors.InvalidChunkSize(b"zz"),
    gunicorn_errors.ChunkMissingTerminator(b"0\r"),
    gunicorn_errors.InvalidChunkExtension("invalid chunk extension"),
    gunicorn_errors.InvalidHeader("bare LF as line terminator"),
    gunicorn_errors.LimitRequestHeaders("limit request trailer section size"),
    pywsgi._InvalidClientInput("Non-hex data", b"z"),
    pywsgi._InvalidClientInput("Chunk-size too large."),
    pywsgi._InvalidClientInput("Line didn't end in CRLF: b'w'"),
    MalformedBody("Invalid chunked body"),  # fastrapi's own server
    ValueError("Bad chunked transfer size: 'zz'"),  # cheroot's wording
]
# ... and for a client gone before the end of the body.
DISCONNECTED: list[Exception] = [
    gunicorn_errors.NoMoreData(b""),
    pywsgi._InvalidClientInput("EOF before chunk end reached"),
    OSError("unexpected end of file while parsing chunked data"),
    OSError("unexpected end of file while reading request at position 14"),
    ConnectionResetError(104, "Connection reset by peer"),
    TimeoutError("timed out"),
    ClientDisconnect("EOF"),  # fastrapi's own server
]


def error_id(exc: Exception) -> str:
    return f"{type(exc).__module__.split('.')[0]}.{type(exc).__name__}:{exc}"


@pytest.fixture(autouse=True)
def clear_ran() -> Iterator[None]:
    framing_app.ran.clear()
    yield
    framing_app.ran.clear()


# -- in-process ---------------------------------------------------------------------------------

class FailingInput:
    """A ``wsgi.input`` that hands out ``head``, then raises ``error`` (None: then EOF, ``b""``)."""

    def __init__(self, head: bytes, error: Exception | None) -> None:
        self.head = io.BytesIO(head)
        self.error = error

    def read(self, size: int = -1) -> bytes:
        data = self.head.read(size)
        if data:
            return data
        if self.error is not None:
            raise self.error
        return b""


def post_environ(path: str, wsgi_input: Any, content_length: int | None = None) -> dict[str, Any]:
    """A POST to ``path``: chunked, or with ``content_length`` declared; tasks run on ``close()``."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "x",
        "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": wsgi_input,
        "HTTP_HOST": "x", "CONTENT_TYPE": ROUTES.get(path, "application/json"), INLINE_TASKS_KEY: True,
    }
    if content_length is None:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    else:
        environ["CONTENT_LENGTH"] = str(content_length)
    return environ


def call(app: Any, environ: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    """Call the WSGI app as a server does: iterate the body, then close it."""
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started.append((status, headers))

    body: Iterable[bytes] = app(environ, start_response)
    try:
        content = b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    status, headers = started[-1]
    return int(status[:3]), {name.lower(): value for name, value in headers}, content


def assert_answered_invalid(response: tuple[int, dict[str, str], bytes], caplog: pytest.LogCaptureFixture) -> None:
    status, headers, content = response
    assert (status, content) == (400, INVALID_REQUEST.encode())
    assert headers["connection"] == "close"
    assert headers["content-type"] == "text/plain; charset=utf-8"
    # The yield dependency runs before the endpoint's body is read; it must be exited, nothing else run.
    assert [line for line in framing_app.ran if not line.startswith("dependency ")] == []
    assert framing_app.ran.count("dependency entered") == framing_app.ran.count("dependency exited")
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == []
    assert any(record.levelno == logging.DEBUG and "Invalid request body" in record.getMessage()
               for record in caplog.records)


@pytest.mark.parametrize("exc", MALFORMED, ids=error_id)
def test_framing_errors_become_malformed_body(exc: Exception) -> None:
    assert type(body_read_error(exc) or exc) is MalformedBody


@pytest.mark.parametrize("exc", DISCONNECTED, ids=error_id)
def test_eof_and_reset_errors_become_client_disconnect(exc: Exception) -> None:
    assert type(body_read_error(exc) or exc) is ClientDisconnect


@pytest.mark.parametrize("exc", [RuntimeError("bug"), TypeError("bug"), KeyError("bug")], ids=error_id)
def test_other_errors_are_left_as_they_are(exc: Exception) -> None:
    assert body_read_error(exc) is None


@pytest.mark.parametrize("stack", ["app", "trusted"])  # without and with user middleware
@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("exc", MALFORMED + DISCONNECTED, ids=error_id)
def test_a_failing_body_read_is_answered_400_and_nothing_runs(
        stack: str, path: str, exc: Exception, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="fastrapi")
    app = getattr(framing_app, stack)
    response = call(app, post_environ(path, FailingInput(HEADS.get(path, b'{"name": '), exc)))
    assert_answered_invalid(response, caplog)


@pytest.mark.parametrize("stack", ["app", "trusted"])
@pytest.mark.parametrize("path", ROUTES)
def test_a_body_shorter_than_its_content_length_never_reaches_the_endpoint(
        stack: str, path: str, caplog: pytest.LogCaptureFixture) -> None:
    """gunicorn's reader returns the 14 bytes that arrived, then ``b""``."""
    caplog.set_level(logging.DEBUG, logger="fastrapi")
    app = getattr(framing_app, stack)
    response = call(app, post_environ(path, FailingInput(HEADS.get(path, b'{"name": "ab"}'), None), 1000))
    assert_answered_invalid(response, caplog)


@pytest.mark.parametrize("exc", [MALFORMED[0], DISCONNECTED[0]], ids=error_id)
def test_a_body_read_in_user_middleware(exc: Exception, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="fastrapi")
    response = call(framing_app.reading_middleware(), post_environ("/request-body", FailingInput(b"", exc)))
    assert_answered_invalid(response, caplog)


def test_a_whole_body_still_reaches_the_endpoint() -> None:
    body = b'{"name": "ab"}'
    response = call(framing_app.app, post_environ("/task", FailingInput(body, None), len(body)))
    assert response[::2] == (200, b'{"name":"ab"}')
    assert framing_app.ran == ["task endpoint", "task"]
    assert call(framing_app.app, post_environ("/stream", FailingInput(b"hello", None)))[::2] == (200, b'{"size":5}')


def test_an_error_that_is_not_the_clients_is_still_a_500(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="fastrapi")
    status, _, content = call(framing_app.app, post_environ("/request-body", FailingInput(b"", RuntimeError("bug"))))
    assert (status, content) == (500, b"handled")
    assert framing_app.ran == ["exception handler RuntimeError"]
    assert any(record.levelno == logging.ERROR for record in caplog.records)


def test_the_400_closes_a_gunicorn_connection_the_way_gunicorn_does() -> None:
    """gunicorn drops an application's Connection header; its ``Response.force_close()`` is the switch."""

    class GunicornResponse:
        must_close = False

        def force_close(self) -> None:
            self.must_close = True

        def start_response(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            self.status = status

    server_response = GunicornResponse()
    InvalidRequestResponse()({"REQUEST_METHOD": "POST"}, server_response.start_response)
    assert server_response.must_close and server_response.status == "400 Bad Request"
    InvalidRequestResponse()({"REQUEST_METHOD": "POST"}, lambda status, headers: None)  # any other server


def host_environ(path: str, host: str, **raw: str) -> dict[str, Any]:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "x", "SERVER_PORT": "80",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "HTTP_HOST": host, **raw}


@pytest.mark.parametrize("environ", [
    host_environ("/ping", "good.example", RAW_URI="http://evil.example/ping"),  # gunicorn
    host_environ("/ping", "good.example", REQUEST_URI="http://evil.example/ping"),
    host_environ("http://evil.example/ping", "good.example"),  # stock gevent.pywsgi: no raw target
    host_environ("/ping", "good.example", RAW_URI="HTTP://evil.example:8080/ping?x=1"),
    host_environ("/ping", "good.example", RAW_URI="http://good.example@evil.example/ping"),
    host_environ("/ping", "good.example", RAW_URI="http:///ping"),
], ids=["RAW_URI", "REQUEST_URI", "PATH_INFO", "port and query", "userinfo", "no host"])
def test_trusted_host_checks_an_absolute_targets_host_not_the_host_header(environ: dict[str, Any]) -> None:
    assert call(framing_app.trusted, environ)[::2] == (400, b"Invalid host header")
    assert framing_app.ran == []


def test_trusted_host_the_target_host_is_what_the_app_sees() -> None:
    environ = host_environ("/url", "evil.example", RAW_URI="http://good.example/url")
    assert call(framing_app.trusted, environ)[::2] == (200, b'"http://good.example/url"')


@pytest.mark.parametrize("raw", [{"RAW_URI": "/url"}, {"RAW_URI": "*"}, {}],
                         ids=["origin-form", "asterisk", "no raw target"])
def test_trusted_host_origin_form_still_checks_the_host_header(raw: dict[str, str]) -> None:
    assert call(framing_app.trusted, host_environ("/url", "good.example", **raw))[::2] == (
        200, b'"http://good.example/url"')
    assert call(framing_app.trusted, host_environ("/url", "evil.example", **raw))[0] == 400


# -- live: gunicorn -k gevent and -k gevent_pywsgi over raw sockets -------------------------------

# gunicorn's own gevent workers (fastrapi's servers have their own tests: test_http_strict, test_http1_*).
pytestmark = pytest.mark.server_kinds(*GUNICORN_KINDS)
PIPELINED = b"GET /int/666 HTTP/1.1\r\nHost: x\r\n\r\n"
PIPELINED_LAST = b"GET /int/666 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"  # where it should run
# Below gunicorn's 2 s keep-alive timeout: a connection left open fails, not closed late by that.
CLOSE_TIMEOUT = 1.5
BAD_LOG = re.compile(r"Traceback|\bERROR\b|\bWARNING\b|\bCRITICAL\b|\bException\b|Invalid request")
BAD_CHUNKS = {
    "size zz": b"zz\r\nhello\r\n0\r\n\r\n",
    "size -1": b"-1\r\nhello\r\n0\r\n\r\n",
    "size 0x5": b"0x5\r\nhello\r\n0\r\n\r\n",
    "size +5": b"+5\r\nhello\r\n0\r\n\r\n",
    "size ' 5'": b" 5\r\nhello\r\n0\r\n\r\n",
    # 2**96 - 1: gunicorn takes it (any number of digits) and waits for the data until the client
    # gives up (the half-close); gevent refuses over 16 digits.
    "24 hex digits": b"f" * 24 + b"\r\nhello\r\n0\r\n\r\n",
    "chunk longer than its size": b"5\r\nhelloworld\r\n0\r\n\r\n",
    "no CRLF after chunk data": b"5\r\nhello0\r\n\r\n",
    "LF-only chunk lines": b"5\nhello\n0\n\n",
}
HALF_CLOSE = {"24 hex digits"}


@dataclass
class Served:
    """A live server and how far the cases have read its output."""

    live: LiveServer
    kind: str
    seen: int = 0

    def take(self, case: str) -> tuple[list[str], list[str]]:
        """What ran since the last case, and the server's output since then."""
        ran = json.loads(self.live.request("DELETE", "/ran?case=" + urllib.parse.quote(case))[2])
        end = self.live.lines.wait_for(f"=== end of case {case}", timeout=5, start=self.seen, whole_line=True)
        output, self.seen = self.live.lines.lines[self.seen:end], end + 1
        return ran, output


@pytest.fixture(scope="module")
def served(server_kind: str) -> Iterator[Served]:
    with run_server(server_kind, "tests.apps.framing_app:trusted") as live:
        yield Served(live, server_kind)


@dataclass
class Exchange:
    responses: list[tuple[int, dict[str, str], bytes]]
    closed: bool


def exchange(port: int, payload: bytes, *, half_close: bool = False, reset: bool = False) -> Exchange:
    """Send ``payload`` on a new connection; read until the server closes it (or CLOSE_TIMEOUT)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=CLOSE_TIMEOUT)
    received, closed = b"", True
    try:
        sock.sendall(payload)
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return Exchange([], True)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            closed = False
        except ConnectionResetError:
            pass
    finally:
        sock.close()
    return Exchange(parse_responses(received), closed)


def parse_responses(data: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """The responses in ``data``, each framed by its Content-Length (all fastrapi's here are)."""
    responses = []
    while data:
        head, sep, data = data.partition(b"\r\n\r\n")
        assert sep, f"incomplete response head: {head!r}"
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {name.strip().lower(): value.strip()
                   for name, _, value in (line.partition(":") for line in header_lines)}
        length = int(headers.get("content-length", len(data)))
        responses.append((int(status_line.split()[1]), headers, data[:length]))
        data = data[length:]
    return responses


def chunked_post(path: str, chunks: bytes) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {ROUTES[path]}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n").encode() + chunks


def truncated_post(path: str) -> bytes:
    """The start of a good body, then nothing: 1000 bytes declared."""
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {ROUTES[path]}\r\n"
            "Content-Length: 1000\r\n\r\n").encode() + HEADS.get(path, b'{"name": "ab"}')


def check_invalid_and_closed(served: Served, case: str, result: Exchange) -> list[str]:
    """The failures of one bad-body case (empty when it passed)."""
    ran, output = served.take(case)
    failures = []
    statuses = [status for status, _, _ in result.responses]
    if statuses != [400] or result.responses[0][2] != INVALID_REQUEST.encode():
        failures.append(f"answered {result.responses}")
    elif result.responses[0][1].get("connection") != "close":
        failures.append(f"Connection: {result.responses[0][1].get('connection')}")
    if not result.closed:
        failures.append("connection left open")
    if [line for line in ran if not line.startswith("dependency ")]:
        failures.append(f"ran {ran}")
    if any(BAD_LOG.search(line) for line in output):
        failures.append("logged:\n" + "\n".join(output))
    return [f"{case}: {failure}" for failure in failures]


def test_live_bad_chunks_are_400_and_close_the_connection(served: Served) -> None:
    failures = []
    for path in ROUTES:
        for name, chunks in BAD_CHUNKS.items():
            result = exchange(served.live.port, chunked_post(path, chunks) + PIPELINED, half_close=name in HALF_CLOSE)
            failures += check_invalid_and_closed(served, f"{path} {name}", result)
    assert failures == []


def test_live_truncated_body_is_400_and_the_endpoint_never_runs(served: Served) -> None:
    failures = []
    for path in ROUTES:
        result = exchange(served.live.port, truncated_post(path), half_close=True)
        failures += check_invalid_and_closed(served, f"{path} truncated", result)
    assert failures == []


def test_live_truncated_body_then_reset_logs_nothing(served: Served) -> None:
    exchange(served.live.port, truncated_post("/request-body"), reset=True)
    # The server notices the reset on its own time and says nothing when it has (no app code runs):
    # a window in which it must log nothing, not an event to wait for.
    time.sleep(0.2)
    ran, output = served.take("truncated then reset")
    assert ran == []
    assert [line for line in output if BAD_LOG.search(line)] == []


def test_live_a_response_saying_connection_close_closes_it(served: Served) -> None:
    """gunicorn -k gevent ignores an application's Connection header: InvalidRequestResponse closes anyway."""
    result = exchange(served.live.port, b"GET /close HTTP/1.1\r\nHost: x\r\n\r\n" + PIPELINED)
    ran, _ = served.take("close")
    assert [(status, headers.get("connection")) for status, headers, _ in result.responses] == [(400, "close")]
    assert result.closed
    assert ran == ["close"]


def test_live_a_good_chunked_body_and_the_pipelined_request_both_run(served: Served) -> None:
    """The harness can see a pipelined request run and a connection kept open."""
    result = exchange(served.live.port, chunked_post("/stream", b"5\r\nhello\r\n0\r\n\r\n") + PIPELINED)
    ran, output = served.take("good chunked")
    assert [(status, body) for status, _, body in result.responses] == [(200, b'{"size":5}'), (200, b'{"number":666}')]
    assert not result.closed
    assert ran == ["stream", "int 666"]
    assert [line for line in output if BAD_LOG.search(line)] == []


def test_live_trusted_host_checks_the_absolute_targets_host(served: Served) -> None:
    """The host mismatch is an ordinary 400: framing is intact, so the pipelined request is served."""
    evil = b"GET http://evil.example/ping HTTP/1.1\r\nHost: good.example\r\n\r\n"
    result = exchange(served.live.port, evil + PIPELINED_LAST)
    ran, output = served.take("absolute evil")
    assert [(status, body) for status, _, body in result.responses] == [
        (400, b"Invalid host header"), (200, b'{"number":666}')]
    assert ran == ["int 666"]
    assert [line for line in output if BAD_LOG.search(line)] == []


def test_live_trusted_host_the_absolute_targets_host_is_the_requests(served: Served) -> None:
    good = b"GET http://good.example/url HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
    result = exchange(served.live.port, good)
    served.take("absolute good")
    if served.kind == GEVENT:
        assert [(status, body) for status, _, body in result.responses] == [(200, b'"http://good.example/url"')]
    else:  # pywsgi leaves the whole target in PATH_INFO, which no route matches
        assert [status for status, _, _ in result.responses] == [404]


SLOW = {"/request-body": b'{"name": "ab"}', "/astream": b"hello", "/aform": b"name=ab", "/stream": b"hello"}


def test_live_async_endpoints_read_a_body_that_arrives_late(served: Served) -> None:
    """``async def`` endpoints run on the bridge loop's OS thread; their body reads hop back to the
    request's hub (a gevent socket cannot wait from another thread: greenlet.error, a 500).
    ``/stream`` is a ``def`` endpoint reading ``request.stream()``."""
    answers = {}
    for path, body in SLOW.items():
        head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {ROUTES[path]}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        with socket.create_connection(("127.0.0.1", served.live.port), timeout=5) as sock:
            sock.sendall(head)
            time.sleep(0.2)  # the body comes late (the behaviour under test): the endpoint is reading by now
            sock.sendall(body)
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
        ran, output = served.take(f"{path} late")
        answers[path] = ([(status, content) for status, _, content in parse_responses(received)], ran,
                         [line for line in output if BAD_LOG.search(line)])
    assert answers == {
        "/request-body": ([(200, b'{"size":14}')], ["request-body"], []),
        "/astream": ([(200, b'{"size":5}')], ["astream"], []),
        "/aform": ([(200, b'{"name":"ab"}')], ["aform"], []),
        "/stream": ([(200, b'{"size":5}')], ["stream"], []),
    }


def test_live_async_endpoints_a_late_body_cut_short(served: Served) -> None:
    failures = []
    for path, body in SLOW.items():
        head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {ROUTES[path]}\r\n"
                "Content-Length: 1000\r\n\r\n").encode()
        with socket.create_connection(("127.0.0.1", served.live.port), timeout=CLOSE_TIMEOUT) as sock:
            sock.sendall(head + body)
            time.sleep(0.2)  # a late body that then stops short (the behaviour under test)
            sock.shutdown(socket.SHUT_WR)
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
        result = Exchange(parse_responses(received), True)
        failures += check_invalid_and_closed(served, f"{path} late and short", result)
    assert failures == []


# -- stock gevent.pywsgi, in this (unpatched) process: def endpoints run on a pool thread ----------

@pytest.fixture(scope="module")
def stock_pywsgi() -> Iterator[int]:
    server = pywsgi.WSGIServer(("127.0.0.1", 0), framing_app.trusted, log=None)
    server.start()
    yield server.server_port
    server.stop(timeout=1)


def cooperative_exchange(port: int, parts: list[bytes], half_close: bool = False) -> Exchange:
    """``parts`` sent 0.2 s apart on a gevent socket (the server runs in this process's hub)."""
    sock = gevent.socket.create_connection(("127.0.0.1", port), timeout=CLOSE_TIMEOUT)
    received, closed = b"", True
    try:
        for index, part in enumerate(parts):
            if index:
                gevent.sleep(0.2)  # a slow client: the behaviour under test
            sock.sendall(part)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            closed = False
    finally:
        sock.close()
    return Exchange(parse_responses(received), closed)


def late_post(path: str, body: bytes, length: int | None = None) -> list[bytes]:
    head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {ROUTES[path]}\r\n"
            f"Content-Length: {len(body) if length is None else length}\r\n\r\n").encode()
    return [head, body]


@pytest.mark.parametrize("path", SLOW)
def test_stock_pywsgi_a_late_body_reaches_every_kind_of_endpoint(
        stock_pywsgi: int, path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert not is_patched()  # so the def endpoint (/stream) is on a pool thread
    result = cooperative_exchange(stock_pywsgi, [*late_post(path, SLOW[path]), PIPELINED_LAST])
    assert [status for status, _, _ in result.responses] == [200, 200]
    assert framing_app.ran == [path.strip("/"), "int 666"]
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("path", SLOW)
def test_stock_pywsgi_bad_and_short_bodies(stock_pywsgi: int, path: str, capsys: pytest.CaptureFixture[str],
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="fastrapi")
    head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {ROUTES[path]}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n").encode()
    results = [
        cooperative_exchange(stock_pywsgi, [head, BAD_CHUNKS["size zz"] + PIPELINED]),
        cooperative_exchange(stock_pywsgi, [head, BAD_CHUNKS["chunk longer than its size"] + PIPELINED]),
        cooperative_exchange(stock_pywsgi, late_post(path, SLOW[path], 1000), half_close=True),
    ]
    for result in results:
        assert [(status, headers.get("connection"), body) for status, headers, body in result.responses] == [
            (400, "close", INVALID_REQUEST.encode())]
        assert result.closed
    assert framing_app.ran == []
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == []
    assert "Traceback" not in capsys.readouterr().err


def test_stock_pywsgi_absolute_form_target(stock_pywsgi: int) -> None:
    """Stock pywsgi sets no raw target; the absolute one is in PATH_INFO."""
    evil = b"GET http://evil.example/ping HTTP/1.1\r\nHost: good.example\r\n\r\n"
    result = cooperative_exchange(stock_pywsgi, [evil + PIPELINED_LAST])
    assert [(status, body) for status, _, body in result.responses] == [
        (400, b"Invalid host header"), (200, b'{"number":666}')]

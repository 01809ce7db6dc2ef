"""fastrapi.http1 reading requests: the environ stock pywsgi gives for valid requests, refusals for the
ones it is lenient with, keep-alive and pipelining, timeouts, 100-continue and request bodies."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from typing import Any

import gevent
import pytest
from gevent.pywsgi import WSGIServer

from fastrapi.http1.connection import DISCARD_LIMIT
from fastrapi.http1.parsing import MAX_HEAD_BYTES, MAX_HEADERS
from fastrapi.server import Server
from tests.wire import Client, exchange, serving

App = Callable[[dict[str, Any], Any], Iterable[bytes]]
ENVIRON_KEYS = ("CONTENT_TYPE", "CONTENT_LENGTH", "PATH_INFO", "QUERY_STRING", "REQUEST_METHOD", "SERVER_PROTOCOL")
ran: list[str] = []  # PATH_INFO of every request the apps below saw


def reply(start_response: Any, data: bytes, status: str = "200 OK") -> list[bytes]:
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def echo_environ(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The environ keys that matter and the body, as JSON."""
    ran.append(environ["PATH_INFO"])
    body = environ["wsgi.input"].read()
    seen = {k: v for k, v in environ.items() if k.startswith("HTTP_") or k in ENVIRON_KEYS}
    seen["body"] = body.decode("latin-1")
    return reply(start_response, json.dumps(seen, sort_keys=True).encode())


def bodies(answer: bytes) -> list[Any]:
    """The JSON bodies of the 200 answers in ``answer``, in order."""
    found = []
    for part in answer.split(b"HTTP/1.1 ")[1:]:
        head, _, body = part.partition(b"\r\n\r\n")
        assert head.startswith(b"200"), part
        found.append(json.loads(body))
    return found


def send_quietly(client: Client, data: bytes) -> None:
    """Send ``data``; the server may close the connection part-way."""
    try:
        client.send(data)
    except OSError:
        pass


def closing(raw: bytes) -> bytes:
    """``raw`` with ``Connection: close`` added after its request line."""
    line, _, rest = raw.partition(b"\r\n")
    return line + b"\r\nConnection: close\r\n" + rest


VALID = {
    "repeated headers": b"GET /a?x=1&y=%20 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nX-A: 2\r\nx-a: 3\r\n\r\n",
    "underscore dropped, spaces stripped":
        b"GET / HTTP/1.1\r\nHost: h\r\nX_Under: dropped\r\nX-Kept:  \t spaced value \t \r\n\r\n",
    "post body": b"POST /p HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
    "latin-1 value": b"GET / HTTP/1.1\r\nHost: h\r\nX-Latin: caf\xe9\r\n\r\n",
    "percent-decoded path": b"GET /a%20b/caf%C3%A9/%2F?q=%C3%A9 HTTP/1.1\r\nHost: h\r\n\r\n",
    "http/1.0 without host": b"GET /old HTTP/1.0\r\nX-Old: 1\r\n\r\n",
    "chunked body": b"PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
    "empty header value": b"GET / HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nX-Blank:  \r\n\r\n",
}


@pytest.mark.parametrize("raw", VALID.values(), ids=VALID.keys())
def test_valid_requests_give_the_environ_stock_pywsgi_gives(raw: bytes) -> None:
    request = closing(raw)
    with serving(WSGIServer, echo_environ) as port:
        expected = bodies(exchange(port, request))
    with serving(Server, echo_environ) as port:
        assert bodies(exchange(port, request)) == expected
    assert len(expected) == 1


def test_the_environ_of_one_request_in_detail() -> None:
    raw = (b"POST /a%20b/caf%C3%A9?x=1&x=2 HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
           b"X-A: 1\r\nx-a:  2 \r\nX_B: no\r\nX-Latin: \xe9\r\nConnection: close\r\n\r\nabc")
    with serving(Server, echo_environ) as port:
        [seen] = bodies(exchange(port, raw))
    assert seen == {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/a b/caf\xc3\xa9", "QUERY_STRING": "x=1&x=2",
        "SERVER_PROTOCOL": "HTTP/1.1", "CONTENT_TYPE": "text/plain", "CONTENT_LENGTH": "3",
        "HTTP_HOST": "h", "HTTP_X_A": "1,2", "HTTP_X_LATIN": "\xe9", "HTTP_CONNECTION": "close", "body": "abc",
    }


def test_repeated_cookie_headers_are_joined_with_semicolons_as_stock_pywsgi_does() -> None:
    """With ``,`` a cookie parser (which splits on ``;``) sees one cookie ``a`` of value ``1,b=2``."""
    raw = b"GET / HTTP/1.1\r\nHost: h\r\nCookie: a=1\r\nCookie: b=2\r\nConnection: close\r\n\r\n"
    with serving(WSGIServer, echo_environ) as port:
        [expected] = bodies(exchange(port, raw))
    with serving(Server, echo_environ) as port:
        [seen] = bodies(exchange(port, raw))
    assert expected["HTTP_COOKIE"] == "a=1; b=2"
    assert seen["HTTP_COOKIE"] == expected["HTTP_COOKIE"]


GET = b"GET / HTTP/1.1\r\n"


def head_of(size: int) -> bytes:
    """A GET whose head (request line, headers, blank line) is ``size`` bytes."""
    start = GET + b"Host: h\r\nX-Long: "
    return start + b"a" * (size - len(start) - 4) + b"\r\n\r\n"


def test_a_head_within_the_limit_is_served() -> None:
    with serving(Server, echo_environ) as port, Client(port) as client:
        client.send(head_of(MAX_HEAD_BYTES - 1024))
        assert client.response().status == 200


STOCK_ACCEPTS = {  # stock pywsgi serves these; we refuse them on purpose (smuggling and lenient parsing)
    "bare LF line endings": (b"GET / HTTP/1.1\nHost: h\nX-Bare-LF: yes\n\n", 400),
    "transfer-encoding and content-length": (
        GET + b"Host: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n2\r\nok\r\n0\r\n\r\n", 400),
    "obs-fold": (GET + b"Host: h\r\nX-A: one\r\n  two\r\n\r\n", 400),
    "space before colon": (GET + b"Host: h\r\nX-A : 1\r\n\r\n", 400),
    "no host on http/1.1": (GET + b"X-A: 1\r\n\r\n", 400),
    "two hosts": (GET + b"Host: a\r\nHost: b\r\n\r\n", 400),
    "unknown transfer-encoding": (b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    "chunked not last": (b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
    "raw non-ascii target": (b"GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n", 400),  # llhttp: not a URI char
}
REFUSED = {
    **STOCK_ACCEPTS,
    "no colon": (GET + b"Host: h\r\nX-Broken\r\n\r\n", 400),
    "bare CR": (GET + b"Host: h\r\nX-A: 1\rX-Smuggled: 2\r\n\r\n", 400),
    "NUL in a value": (GET + b"Host: h\r\nX-A: a\x00b\r\n\r\n", 400),
    "fold first": (GET + b" folded\r\nHost: h\r\n\r\n", 400),
    "two content-lengths": (b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
    "http/2.0": (b"GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
    "transfer-encoding on http/1.0": (b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    "head one byte too long": (head_of(MAX_HEAD_BYTES + 1), 431),
    "head of 100 KB": (head_of(100_000), 431),
    "head of 200 KB": (head_of(200_000), 431),
    "target just too long": (b"GET /" + b"a" * MAX_HEAD_BYTES + b" HTTP/1.1\r\nHost: h\r\n\r\n", 414),
    "target of 200 KB": (b"GET /" + b"a" * 200_000 + b" HTTP/1.1\r\nHost: h\r\n\r\n", 414),
    "too many headers": (GET + b"Host: h\r\n" + b"".join(b"X-%d: v\r\n" % n for n in range(MAX_HEADERS)) + b"\r\n",
                         431),
}


@pytest.mark.parametrize(("raw", "status"), REFUSED.values(), ids=REFUSED.keys())
def test_refused_requests_are_answered_and_the_connection_closed(raw: bytes, status: int) -> None:
    ran.clear()
    follow = b"GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n"
    with serving(Server, echo_environ) as port, Client(port) as client:
        send_quietly(client, raw + follow)
        answer = client.response()
        assert answer.status == status, answer.head[:100]
        assert answer.header(b"connection") == b"close"
        assert client.closed_within(1) is not None
    assert ran == []


@pytest.mark.parametrize("raw", [raw for raw, _ in STOCK_ACCEPTS.values()], ids=STOCK_ACCEPTS.keys())
def test_stock_pywsgi_serves_what_we_refuse(raw: bytes) -> None:
    """The refusals above are a choice: the server we replaced served these."""
    with serving(WSGIServer, echo_environ) as port, Client(port) as client:
        client.send(raw)
        assert client.head().startswith(b"HTTP/1.1 200 ")


def test_an_absolute_form_target_gives_its_path_and_its_authority_wins_over_host() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        keys = ("PATH_INFO", "QUERY_STRING", "HTTP_HOST", "REQUEST_URI", "RAW_URI")
        return reply(start_response, json.dumps({k: environ[k] for k in keys}).encode())

    raw = b"GET http://good.example/p?q=1 HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n"
    with serving(Server, app) as port:
        [seen] = bodies(exchange(port, raw))
    assert seen == {"PATH_INFO": "/p", "QUERY_STRING": "q=1", "HTTP_HOST": "good.example",
                    "REQUEST_URI": "http://good.example/p?q=1", "RAW_URI": "http://good.example/p?q=1"}


# -- keep-alive and pipelining ---------------------------------------------------------------------


def test_keep_alive_requests_on_one_connection_each_get_their_headers() -> None:
    with serving(Server, echo_environ) as port, Client(port) as client:
        seen = []
        for n in range(3):
            client.send(b"GET /%d HTTP/1.1\r\nHost: h\r\nX-N: %d\r\n%s\r\n" % (n, n, b"X-Only-First: 1\r\n" * (n == 0)))
            seen.append(json.loads(client.response().body))
        assert client.closed_within(0.05) is None  # still open
    assert [(s["PATH_INFO"], s["HTTP_X_N"], "HTTP_X_ONLY_FIRST" in s) for s in seen] == [
        ("/0", "0", True), ("/1", "1", False), ("/2", "2", False)]


def test_pipelined_requests_are_answered_in_order() -> None:
    raw = b"".join(b"GET /%d HTTP/1.1\r\nHost: h\r\n\r\n" % n for n in range(5))
    with serving(Server, echo_environ) as port:
        answer = exchange(port, raw + b"GET /last HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    assert [seen["PATH_INFO"] for seen in bodies(answer)] == ["/0", "/1", "/2", "/3", "/4", "/last"]


def ignores_body(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    ran.append(environ["PATH_INFO"])
    return reply(start_response, environ["PATH_INFO"].encode())


@pytest.mark.parametrize("framing", ["length", "chunked", "late"])
def test_an_unread_small_body_is_discarded_and_the_next_request_answered(framing: str) -> None:
    """``late``: the body arrives only after the response, so the server must wait for it to drop it."""
    body = b"GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n" * 100
    if framing == "chunked":
        head = b"POST /first HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        body = b"%x\r\n%b\r\n0\r\n\r\n" % (len(body), body)
    else:
        head = b"POST /first HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n" % len(body)
    second = b"GET /second HTTP/1.1\r\nHost: h\r\n\r\n"
    ran.clear()
    with serving(Server, ignores_body) as port, Client(port) as client:
        if framing == "late":
            client.send(head)
            assert client.response().body == b"/first"
            client.send(body + second)
        else:
            client.send(head + body + second)
            assert client.response().body == b"/first"
        assert client.response().body == b"/second"
        assert client.closed_within(0.05) is None
    assert ran == ["/first", "/second"]


def test_an_unread_body_over_the_discard_limit_closes_the_connection_after_the_response() -> None:
    body = b"x" * (DISCARD_LIMIT * 2)
    ran.clear()
    with serving(Server, ignores_body) as port, Client(port) as client:
        client.send(b"POST /first HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n" % len(body))
        sender = gevent.spawn(send_quietly, client, body + b"GET /second HTTP/1.1\r\nHost: h\r\n\r\n")
        answer = client.response()
        assert answer.body == b"/first"
        assert client.closed_within(2) is not None
        sender.kill()
    assert ran == ["/first"]


# -- slow clients and timeouts ---------------------------------------------------------------------


def test_requests_are_served_while_another_connection_sends_its_head_slowly() -> None:
    with serving(Server, echo_environ) as port, Client(port) as slow:
        slow.send(b"GET /slow HTTP/1.1\r\nHost: h\r\nX-Part: ")
        fast = bodies(exchange(port, b"GET /fast HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"))
        slow.send(b"done\r\nConnection: close\r\n\r\n")
        late = json.loads(slow.response().body)
    assert fast[0]["PATH_INFO"] == "/fast"
    assert (late["PATH_INFO"], late["HTTP_X_PART"]) == ("/slow", "done")


def test_a_head_that_does_not_complete_within_header_timeout_is_closed() -> None:
    ran.clear()
    with serving(Server, echo_environ, header_timeout=0.3) as port, Client(port) as client:
        started = time.monotonic()
        for piece in (b"GET /slow HTTP/1.1\r\n", b"Host: h\r\n", b"X-A: 1\r\n"):  # trickled, never finished
            client.send(piece)
            gevent.sleep(0.1)  # a slow client, past the header timeout: the behaviour under test
        closed = client.closed_within(2)
    assert closed is not None and 0.25 < time.monotonic() - started < 1.5
    assert ran == []


def test_a_connection_that_sends_nothing_is_closed_after_header_timeout() -> None:
    with serving(Server, echo_environ, header_timeout=0.3) as port, Client(port) as client:
        closed = client.closed_within(2)
    assert closed is not None and 0.25 < closed < 1.5


def test_an_idle_keep_alive_connection_is_closed_after_keep_alive_timeout() -> None:
    with serving(Server, echo_environ, keep_alive_timeout=0.3) as port, Client(port) as client:
        client.send(b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\n")
        assert json.loads(client.response().body)["PATH_INFO"] == "/1"
        gevent.sleep(0.15)  # idle, but less than the keep-alive timeout: the behaviour under test
        client.send(b"GET /2 HTTP/1.1\r\nHost: h\r\n\r\n")  # within the timeout: served
        assert json.loads(client.response().body)["PATH_INFO"] == "/2"
        closed = client.closed_within(2)
    assert closed is not None and 0.25 < closed < 1.5


def test_a_second_head_that_stalls_gets_header_timeout_not_keep_alive_timeout() -> None:
    with serving(Server, echo_environ, header_timeout=0.3, keep_alive_timeout=5) as port, Client(port) as client:
        client.send(b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\n")
        client.response()
        client.send(b"GET /2 HTTP/1.1\r\nHost: h\r\n")
        closed = client.closed_within(2)
    assert closed is not None and 0.25 < closed < 1.5


# -- Expect: 100-continue ----------------------------------------------------------------------------

CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def test_100_continue_is_sent_when_the_app_reads_the_body_and_the_body_then_arrives() -> None:
    with serving(Server, echo_environ) as port, Client(port) as client:
        client.send(b"POST /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        interim = client.response()
        assert interim.head + b"\r\n\r\n" == CONTINUE
        client.send(b"hello")
        answer = client.response()
        assert answer.status == 200 and json.loads(answer.body)["body"] == "hello"
        client.send(b"GET /next HTTP/1.1\r\nHost: h\r\n\r\n")  # the connection is still good
        assert json.loads(client.response().body)["PATH_INFO"] == "/next"


def test_no_100_continue_when_the_app_does_not_read_the_body_and_the_connection_closes() -> None:
    with serving(Server, ignores_body) as port, Client(port) as client:
        client.send(b"POST /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        answer = client.response()
        assert (answer.status, answer.body) == (200, b"/up")
        assert client.closed_within(2) is not None


# -- request bodies ------------------------------------------------------------------------------------


def reads_body(how: str) -> App:
    """An app that reads its body the way ``how`` says and returns the pieces it got, as JSON."""
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"]
        if how == "read":
            pieces = [body.read()]
        elif how == "read(3)":
            pieces = []
            while piece := body.read(3):
                pieces.append(piece)
        elif how == "readline":
            pieces = []
            while line := body.readline():
                pieces.append(line)
        elif how == "readline(4)":
            pieces = [body.readline(4), body.readline(4), body.read()]
        elif how == "readlines":
            pieces = body.readlines()
        else:
            pieces = list(body)
        return reply(start_response, json.dumps([p.decode("latin-1") for p in pieces]).encode())
    return app


def chunked(*chunks: bytes, trailers: bytes = b"") -> bytes:
    return b"".join(b"%x\r\n%b\r\n" % (len(c), c) for c in chunks) + b"0\r\n" + trailers + b"\r\n"


def post(body: bytes, chunked_body: bool = False) -> bytes:
    framing = b"Transfer-Encoding: chunked" if chunked_body else b"Content-Length: %d" % len(body)
    return b"POST / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n%b\r\n\r\n%b" % (framing, body)


TEXT = b"one\ntwo\r\nthree"
BODY_READS: dict[str, list[str] | None] = {
    "read": ["one\ntwo\r\nthree"],
    "read(3)": None,  # at most 3 bytes a time; where it splits depends on how the body arrived
    "readline": ["one\n", "two\r\n", "three"],
    "readline(4)": ["one\n", "two\r", "\nthree"],
    "readlines": ["one\n", "two\r\n", "three"],
    "iteration": ["one\n", "two\r\n", "three"],
}


@pytest.mark.parametrize("how", BODY_READS)
def test_a_chunked_body_with_extensions_and_trailers_is_read_every_way(how: str) -> None:
    body = b'4;name=value\r\none\n\r\n7;ext;q="a b"\r\ntwo\r\nth\r\n' + chunked(b"ree", trailers=b"X-T: t\r\n")
    with serving(Server, reads_body(how)) as port:
        [pieces] = bodies(exchange(port, post(body, chunked_body=True)))
    assert "".join(pieces) == TEXT.decode()
    assert pieces == BODY_READS[how] or (how == "read(3)" and all(0 < len(piece) <= 3 for piece in pieces))


@pytest.mark.parametrize("how", BODY_READS)
def test_a_content_length_body_is_read_every_way(how: str) -> None:
    with serving(Server, reads_body(how)) as port:
        [pieces] = bodies(exchange(port, post(TEXT)))
    assert "".join(pieces) == TEXT.decode()
    assert pieces == BODY_READS[how] or (how == "read(3)" and all(0 < len(piece) <= 3 for piece in pieces))


@pytest.mark.parametrize("chunked_body", [False, True], ids=["length", "chunked"])
def test_a_body_sent_in_pieces_with_pauses_arrives_whole(chunked_body: bool) -> None:
    body = bytes(range(256)) * 64
    raw = post(chunked(body[:5000], body[5000:5001], body[5001:]) if chunked_body else body, chunked_body)
    with serving(Server, reads_body("read")) as port, Client(port) as client:
        for start in range(0, len(raw), 3000):
            client.send(raw[start:start + 3000])
            gevent.sleep(0.02)  # a body trickled in pieces: the behaviour under test
        [received] = json.loads(client.response().body)
    assert received.encode("latin-1") == body


def hashes_body(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The body's size and SHA-256, read 64 KiB at a time."""
    size = 0
    digest = hashlib.sha256()
    while piece := environ["wsgi.input"].read(65536):
        size += len(piece)
        digest.update(piece)
    return reply(start_response, json.dumps([size, digest.hexdigest()]).encode())


@pytest.mark.parametrize("chunked_body", [False, True], ids=["length", "chunked"])
def test_a_20_mb_body_arrives_whole(chunked_body: bool) -> None:
    block = bytes(range(256)) * 4096  # 1 MiB
    body = block * 20
    expected = [len(body), hashlib.sha256(body).hexdigest()]
    if chunked_body:
        raw = post(b"".join(b"%x\r\n%b\r\n" % (len(block), block) for _ in range(20)) + b"0\r\n\r\n", True)
    else:
        raw = post(body)
    with serving(Server, hashes_body) as port:
        [received] = bodies(exchange(port, raw))
    assert received == expected

"""The embedded server's header parsing: the same environ as stock pywsgi for valid requests, 400 for bad ones."""

from __future__ import annotations

import io
import json
from typing import Any

import gevent
import gevent.socket
import pytest
from gevent.pywsgi import WSGIServer

from fastrapi.request_headers import MAX_HEADERS, MAX_LINE, read_request_headers
from fastrapi.server import Server
from tests.wire import exchange, serving

ENVIRON_KEYS = ("CONTENT_TYPE", "CONTENT_LENGTH", "PATH_INFO", "QUERY_STRING", "REQUEST_METHOD")


def echo_environ(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    body = environ["wsgi.input"].read()
    seen = {k: v for k, v in environ.items() if k.startswith("HTTP_") or k in ENVIRON_KEYS}
    seen["body"] = body.decode()
    data = json.dumps(seen, sort_keys=True).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def bodies(answer: bytes) -> list[Any]:
    """The JSON bodies of the 200 answers in ``answer``, in order."""
    found = []
    for part in answer.split(b"HTTP/1.1 ")[1:]:
        head, _, body = part.partition(b"\r\n\r\n")
        assert head.startswith(b"200"), part
        found.append(json.loads(body))
    return found


VALID = [
    b"GET /a?x=1 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nX-A: 2\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\nX_Under: dropped\r\nX-Kept:   spaced value  \r\n\r\n",
    b"POST /p HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
    b"GET / HTTP/1.1\nHost: h\nX-Bare-LF: yes\n\n",
    b"GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n2\r\nok\r\n0\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\nX-Latin: caf\xe9\r\n\r\n",
]


@pytest.mark.parametrize("raw", VALID, ids=range(len(VALID)))
def test_valid_requests_give_the_environ_stock_pywsgi_gives(raw: bytes) -> None:
    request = raw.replace(b"Host: h", b"Host: h\r\nConnection: close", 1) if b"\r\n" in raw else \
        raw.replace(b"Host: h", b"Host: h\nConnection: close", 1)
    with serving(WSGIServer, echo_environ) as port:
        expected = bodies(exchange(port, request))
    with serving(Server, echo_environ) as port:
        assert bodies(exchange(port, request)) == expected
    assert len(expected) == 1


def test_keep_alive_requests_on_one_connection_each_get_their_headers() -> None:
    raw = (b"GET /1 HTTP/1.1\r\nHost: h\r\nX-N: 1\r\n\r\n"
           b"GET /2 HTTP/1.1\r\nHost: h\r\nX-N: 2\r\nConnection: close\r\n\r\n")
    with serving(Server, echo_environ) as port:
        answers = bodies(exchange(port, raw))
    assert [(a["PATH_INFO"], a["HTTP_X_N"]) for a in answers] == [("/1", "1"), ("/2", "2")]


BAD = {  # the header lines after the request line
    "no colon": b"Host: h\r\nX-Broken\r\n",
    "space before colon": b"Host: h\r\nX-A : 1\r\n",
    "bare CR": b"Host: h\r\nX-A: 1\rX-Smuggled: 2\r\n",
    "NUL": b"Host: h\r\nX-A: a\x00b\r\n",
    "fold first": b" folded\r\nHost: h\r\n",
    "line too long": b"Host: h\r\nX-Long: " + b"a" * MAX_LINE + b"\r\n",
    "too many": b"Host: h\r\n" + b"".join(b"X-%d: v\r\n" % n for n in range(MAX_HEADERS)),
}


@pytest.mark.parametrize("lines", BAD.values(), ids=BAD.keys())
def test_malformed_headers_are_answered_400_and_the_connection_closed(lines: bytes) -> None:
    with serving(Server, echo_environ) as port:
        answer = exchange(port, b"GET / HTTP/1.1\r\n" + lines + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:100]


def test_a_folded_line_continues_the_previous_value() -> None:
    headers = read_request_headers(io.BytesIO(b"X-A: one\r\n  two\r\n\tthree\r\nX-B: b\r\n\r\nbody"))
    assert headers.status == ""
    assert headers.items() == [("X-A", "one two three"), ("X-B", "b")]


def test_lookups_are_case_insensitive_and_delete_removes_every_copy() -> None:
    headers = read_request_headers(io.BytesIO(b"Content-Length: 3\r\ncontent-length: 4\r\nX: y\r\n\r\n"))
    assert headers.get("CONTENT-LENGTH") == "3" and "content-length" in headers
    assert headers.typeheader is None and headers.get("missing", "d") == "d"
    del headers["Content-Length"]
    assert headers.items() == [("X", "y")] and headers.get("content-length") is None
    assert list(headers.headers) == ["X: y\r\n"]


def test_the_end_of_input_ends_the_headers() -> None:
    headers = read_request_headers(io.BytesIO(b"X: y\r\n"))
    assert (headers.status, headers.items()) == ("", [("X", "y")])


def test_requests_are_served_while_another_connection_sends_its_headers_slowly() -> None:
    with serving(Server, echo_environ) as port:
        slow = gevent.socket.create_connection(("127.0.0.1", port), timeout=5)
        slow.sendall(b"GET /slow HTTP/1.1\r\nHost: h\r\nX-Part: ")
        try:
            fast = bodies(exchange(port, b"GET /fast HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"))
            slow.sendall(b"done\r\nConnection: close\r\n\r\n")
            chunks = []
            while chunk := slow.recv(65536):
                chunks.append(chunk)
        finally:
            slow.close()
    assert fast[0]["PATH_INFO"] == "/fast"
    assert bodies(b"".join(chunks))[0]["HTTP_X_PART"] == "done"

"""Request smuggling and lenient parsing: attack payloads against app.serve(), fastrapi's gunicorn
worker and ``gunicorn -k gevent``, each judged by what the attacker sees on the wire.

Every corpus payload goes out on one raw connection, followed on the same connection by
``GET /int/666``. A malformed request must be answered with the expected 4xx (or 501), the
server must close the connection, and ``/int/666`` must not run; the server must log no
traceback, error or warning for it. Each case id carries h11's and llhttp's (httptools') verdict
on the same bytes: ``h11=reject`` means h11 raised, ``accept`` that it reached EndOfMessage,
``incomplete`` that it wanted more data. Whenever h11 rejects, no server may answer 2xx.
"""

from __future__ import annotations

import json
import re
import select
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import h11
import pytest

from tests.apps.strict_app import BAD_VALUES
from tests.servers import FASTRAPI_KINDS, GEVENT, SERVE, LiveServer, Output, run_server

try:
    import httptools
except ImportError:  # only the verdict column needs it
    httptools = None

APP = "tests.apps.strict_app:app"
SMUGGLED = b"GET /int/666 HTTP/1.1\r\nHost: x\r\n\r\n"
READ_TIMEOUT = 2.0  # a hung server fails the case after this long
HEADER_TIMEOUT = 2.0
KEEP_ALIVE_TIMEOUT = 2.0
# A log line caused by a request that no server may print: tracebacks, errors, warnings.
BAD_LOG = re.compile(r"Traceback|\bERROR\b|\bWARNING\b|\bCRITICAL\b|\bException\b")
# gunicorn's own workers log every rejected request as "[WARNING] Invalid request from ip=...";
# that is gunicorn's design (base.Worker.handle_error), allowed for -k gevent only.
GUNICORN_REJECT_WARNING = re.compile(r"\[WARNING\] Invalid request from ip=")


# -- what the wire says ----------------------------------------------------------------------------


@dataclass
class Answer:
    """One response off the wire."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def header(self, name: bytes) -> bytes | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class Exchange:
    """Everything one connection received: the responses, whether the server closed, the raw bytes."""

    answers: list[Answer]
    closed: bool
    raw: bytes
    elapsed: float

    @property
    def final(self) -> list[Answer]:
        """The responses without interim 1xx ones."""
        return [a for a in self.answers if a.status >= 200]

    @property
    def first_status(self) -> int | None:
        return self.final[0].status if self.final else None

    def describe(self) -> str:
        state = "closed" if self.closed else f"still open after {self.elapsed:.1f}s"
        return f"{[a.status for a in self.answers]}, {state}, raw={self.raw[:300]!r}"


def parse_answers(data: bytes, eof: bool) -> list[Answer]:
    """The complete responses in ``data`` (a body without framing runs to the close, when ``eof``)."""
    answers = []
    while data:
        head_end = data.find(b"\r\n\r\n")
        if head_end < 0:
            break
        lines = data[:head_end].split(b"\r\n")
        match = re.match(rb"HTTP/1\.[01] (\d{3})", lines[0])
        if match is None:
            raise AssertionError(f"not an HTTP response: {data[:200]!r}")
        status = int(match[1])
        headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(b":") for line in lines[1:])]
        answer = Answer(status, headers, b"")
        rest = data[head_end + 4:]
        length = answer.header(b"content-length")
        if status < 200 or status in (204, 304):
            used = 0
        elif length is not None:
            if len(rest) < int(length):
                break
            used = int(length)
            answer.body = rest[:used]
        elif (answer.header(b"transfer-encoding") or b"").lower() == b"chunked":
            body, used = _dechunk(rest)
            if body is None:
                break
            answer.body = body
        elif eof:
            answer.body, used = rest, len(rest)
        else:
            break
        answers.append(answer)
        data = rest[used:]
    return answers


def _dechunk(data: bytes) -> tuple[bytes | None, int]:
    body, pos = b"", 0
    while True:
        line_end = data.find(b"\r\n", pos)
        if line_end < 0:
            return None, 0
        size = int(data[pos:line_end].split(b";")[0], 16)
        pos = line_end + 2
        if size == 0:
            end = data.find(b"\r\n\r\n", pos - 2)
            return (None, 0) if end < 0 else (body, end + 4)
        if len(data) < pos + size + 2:
            return None, 0
        body += data[pos:pos + size]
        pos += size + 2


def exchange(port: int, payload: bytes, *, want: int = 2, shut_write: bool = False,
             timeout: float = READ_TIMEOUT) -> Exchange:
    """Send ``payload``, then read until the server closes, ``want`` final responses arrived, or
    ``timeout`` passed."""
    started = time.monotonic()
    deadline = started + timeout
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(payload)
            if shut_write:
                sock.shutdown(socket.SHUT_WR)
        except OSError:  # the server may close while we still send a big payload
            pass
        data, closed = b"", False
        while (remaining := deadline - time.monotonic()) > 0:
            sock.settimeout(remaining)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            data += chunk
            if len([a for a in parse_answers(data, False) if a.status >= 200]) >= want:
                break
    return Exchange(parse_answers(data, closed), closed, data, time.monotonic() - started)


# -- the cases -------------------------------------------------------------------------------------


def h11_verdict(payload: bytes) -> str:
    """``reject``, ``accept`` (EndOfMessage reached) or ``incomplete`` for h11 as a server."""
    conn = h11.Connection(h11.SERVER)
    conn.receive_data(payload)
    try:
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                return "incomplete"
            if isinstance(event, h11.EndOfMessage):
                return "accept"
    except h11.RemoteProtocolError:
        return "reject"


def llhttp_verdict(payload: bytes) -> str:
    """The same for httptools (llhttp, what fastrapi's rewritten servers parse with)."""
    if httptools is None:
        return "n/a"
    done: list[bool] = []

    class Callbacks:
        def on_message_complete(self) -> None:
            done.append(True)

    parser = httptools.HttpRequestParser(Callbacks())
    try:
        parser.feed_data(payload)
    except httptools.HttpParserUpgrade:
        return "accept" if done else "upgrade"
    except httptools.HttpParserError:
        return "accept" if done else "reject"
    return "accept" if done else "incomplete"


@dataclass(frozen=True)
class Case:
    """One attack. ``reject``: the statuses that count as refusing it. ``answer``: when set,
    answering it is right too (``must_answer``: the only right thing): first response 200 with this
    body, then ``/int/666`` runs once, as a pipelined request should (``last``: the answered request
    was the connection's last, so the server closes and ``/int/666`` never runs)."""

    name: str
    payload: bytes
    reject: frozenset[int] = frozenset({400})
    answer: bytes | None = None
    must_answer: bool = False
    last: bool = False
    h11_exception: str = ""  # why a 2xx is right although h11 rejects
    gunicorn_lenient: str = ""  # what gunicorn's own parser (-k gevent) does instead: a strict xfail there
    follow: bytes = SMUGGLED
    h11: str = field(init=False, default="")
    llhttp: str = field(init=False, default="")

    def __post_init__(self) -> None:
        object.__setattr__(self, "h11", h11_verdict(self.payload + self.follow))
        object.__setattr__(self, "llhttp", llhttp_verdict(self.payload + self.follow))

    @property
    def id(self) -> str:
        return f"{self.name}|h11={self.h11}|llhttp={self.llhttp}"


TE_REJECT = frozenset({400, 501})
ECHO_OK = b"hello"
INT_1 = b'{"n":1}'
CHUNKED_HELLO = b"5\r\nhello\r\n0\r\n\r\n"


def post(headers: bytes, body: bytes = b"", target: bytes = b"/echo", version: bytes = b"HTTP/1.1") -> bytes:
    """A request to ``target`` with ``headers`` (each ending in CRLF) after ``Host: x``."""
    return b"POST " + target + b" " + version + b"\r\nHost: x\r\n" + headers + b"\r\n" + body


def chunked(body: bytes, headers: bytes = b"", target: bytes = b"/echo") -> bytes:
    return post(b"Transfer-Encoding: chunked\r\n" + headers, body, target)


def ids(cases: list[Case]) -> list[str]:
    return [case.id for case in cases]


CONTENT_LENGTH = [
    Case("control-cl-5", post(b"Content-Length: 5\r\n", b"hello"), answer=ECHO_OK, must_answer=True),
    Case("cl-5-then-50", post(b"Content-Length: 5\r\nContent-Length: 50\r\n", b"hello")),
    Case("cl-50-then-5", post(b"Content-Length: 50\r\nContent-Length: 5\r\n", b"hello")),
    Case("cl-list-5-50", post(b"Content-Length: 5, 50\r\n", b"hello")),
    Case("cl-5-and-5", post(b"Content-Length: 5\r\nContent-Length: 5\r\n", b"hello"), answer=ECHO_OK),
    Case("cl-list-5-5", post(b"Content-Length: 5, 5\r\n", b"hello"), answer=ECHO_OK),
    Case("cl-plus-5", post(b"Content-Length: +5\r\n", b"hello")),
    Case("cl-0_5", post(b"Content-Length: 0_5\r\n", b"hello")),
    Case("cl-1_0", post(b"Content-Length: 1_0\r\n", b"helloworld")),
    Case("cl-minus-5", post(b"Content-Length: -5\r\n", b"hello")),
    Case("cl-tab-5-ows", post(b"Content-Length:\t5\r\n", b"hello"), answer=ECHO_OK, must_answer=True),
    Case("cl-two-spaces-5-ows", post(b"Content-Length:  5 \r\n", b"hello"), answer=ECHO_OK, must_answer=True),
    Case("cl-5-vt", post(b"Content-Length: 5\x0b\r\n", b"hello")),
    Case("cl-vt-5", post(b"Content-Length: \x0b5\r\n", b"hello")),
    Case("cl-5-ff", post(b"Content-Length: 5\x0c\r\n", b"hello")),
    Case("cl-nbsp-5", post(b"Content-Length: \xa05\r\n", b"hello")),
    Case("cl-5-space-5", post(b"Content-Length: 5 5\r\n", b"hello")),
    Case("cl-0x5", post(b"Content-Length: 0x5\r\n", b"hello")),
    Case("cl-5.0", post(b"Content-Length: 5.0\r\n", b"hello")),
    Case("cl-empty", post(b"Content-Length: \r\n", b"hello")),
    Case("cl-30-digits", post(b"Content-Length: " + b"9" * 30 + b"\r\n", b"hello"), reject=frozenset({400, 413}),
         gunicorn_lenient="takes the length and waits for 10**30 bytes (no framing is lost)"),
    Case("cl-leading-zeros-005", post(b"Content-Length: 005\r\n", b"hello"), answer=ECHO_OK, must_answer=True),
]

TRANSFER_ENCODING = [
    Case("control-te-chunked", chunked(CHUNKED_HELLO), answer=ECHO_OK, must_answer=True),
    Case("control-te-CHUNKED-case", post(b"Transfer-Encoding: CHUNKED\r\n", CHUNKED_HELLO),
         answer=ECHO_OK, must_answer=True),
    Case("te-xchunked", post(b"Transfer-Encoding: xchunked\r\n", CHUNKED_HELLO), reject=TE_REJECT),
    Case("te-gzip-chunked", post(b"Transfer-Encoding: gzip, chunked\r\n", CHUNKED_HELLO), reject=TE_REJECT),
    Case("te-chunked-identity", post(b"Transfer-Encoding: chunked, identity\r\n", CHUNKED_HELLO),
         reject=TE_REJECT),
    Case("te-identity-chunked", post(b"Transfer-Encoding: identity, chunked\r\n", CHUNKED_HELLO),
         reject=TE_REJECT),
    Case("te-identity", post(b"Transfer-Encoding: identity\r\n", CHUNKED_HELLO), reject=TE_REJECT),
    Case("te-chunked-q", post(b"Transfer-Encoding: chunked;q=1\r\n", CHUNKED_HELLO), reject=TE_REJECT),
    Case("te-chunked-vt", post(b"Transfer-Encoding: chunked\x0b\r\n", CHUNKED_HELLO), reject=TE_REJECT),
    Case("te-chunked-chunked", post(b"Transfer-Encoding: chunked, chunked\r\n", CHUNKED_HELLO),
         reject=TE_REJECT),
    Case("te-dup-chunked-identity-cl", post(b"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n"
                                            b"Content-Length: 5\r\n", CHUNKED_HELLO), reject=TE_REJECT),
    Case("te-dup-chunked-identity", post(b"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
                                         CHUNKED_HELLO), reject=TE_REJECT),
    Case("te-dup-chunked-chunked", post(b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                                        CHUNKED_HELLO), reject=TE_REJECT),
    # RFC 9112 6.1: a request with both may be rejected, must be closed after; we ask for 400.
    Case("cl-and-te", post(b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", CHUNKED_HELLO)),
    Case("te-and-cl", post(b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", CHUNKED_HELLO)),
    Case("cl-te-classic-smuggle", post(b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n")),
    # RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 means faulty framing.
    Case("te-in-http10", post(b"Transfer-Encoding: chunked\r\n", CHUNKED_HELLO, version=b"HTTP/1.0")),
]


def get(line: bytes = b"GET /int/1 HTTP/1.1", headers: bytes = b"Host: x\r\n", eol: bytes = b"\r\n") -> bytes:
    return line + eol + headers + eol


LENIENT = [
    Case("control-get", get(), answer=INT_1, must_answer=True),
    Case("name-space", get(headers=b"Host: x\r\nFoo Bar: y\r\n")),
    Case("name-at", get(headers=b"Host: x\r\nFoo@: y\r\n")),
    Case("name-del", get(headers=b"Host: x\r\nFoo\x7f: y\r\n")),
    Case("name-vt-te", post(b"Transfer-Encoding\x0b: chunked\r\n", CHUNKED_HELLO)),
    Case("space-before-colon-te", post(b"Transfer-Encoding : chunked\r\n", CHUNKED_HELLO)),
    Case("space-before-colon-cl", post(b"Content-Length : 5\r\n", b"hello")),
    Case("tab-before-colon", get(headers=b"Host: x\r\nX-A\t: y\r\n")),
    Case("obs-fold-te", post(b"Transfer-Encoding:\r\n chunked\r\n", CHUNKED_HELLO)),
    Case("obs-fold-value", get(headers=b"Host: x\r\nX-A: a\r\n b\r\n")),
    Case("obs-fold-tab", get(headers=b"Host: x\r\nX-A: a\r\n\tb\r\n")),
    Case("line-starts-with-space", get(headers=b" Host: x\r\n")),
    Case("reqline-tab", get(b"GET\t/int/1\tHTTP/1.1")),
    Case("reqline-vt", get(b"GET\x0b/int/1 HTTP/1.1")),
    Case("reqline-nbsp", get(b"GET\xa0/int/1 HTTP/1.1")),
    # RFC 9112 §3: a recipient MAY split the request line on whitespace; llhttp does, and the target it
    # reads is the one every whitespace-splitting proxy reads. gunicorn refuses it, which is right too.
    Case("reqline-two-spaces", get(b"GET  /int/1 HTTP/1.1"), answer=INT_1,
         h11_exception="RFC 9112 §3 allows splitting the request line on whitespace"),
    Case("reqline-trailing-space", get(b"GET /int/1 HTTP/1.1 ")),
    Case("version-1.10", get(b"GET /int/1 HTTP/1.10")),
    # 505 HTTP Version Not Supported is the RFC's own answer to another major version.
    Case("version-2.0", get(b"GET /int/1 HTTP/2.0"), reject=frozenset({400, 505})),
    Case("version-1.1x", get(b"GET /int/1 HTTP/1.1x")),
    Case("version-lowercase", get(b"GET /int/1 http/1.1")),
    Case("version-missing", get(b"GET /int/1"), reject=frozenset({400, 505})),  # llhttp reads it as HTTP/0.9
    Case("method-nul", get(b"GE\x00T /int/1 HTTP/1.1")),
    Case("method-non-ascii", get(b"G\xc3\x89T /int/1 HTTP/1.1")),
    Case("method-del", get(b"GET\x7f /int/1 HTTP/1.1")),
    Case("target-nul", get(b"GET /int/1\x00 HTTP/1.1")),
    Case("target-non-ascii", get(b"GET /int/\xc3\xa9 HTTP/1.1")),
    Case("target-del", get(b"GET /int/1\x7f HTTP/1.1")),
    Case("target-space", get(b"GET /int /1 HTTP/1.1")),
    Case("header-bare-cr", get(headers=b"Host: x\r\nX-A: a\rb\r\n")),
    Case("header-bare-cr-te", post(b"X-A: a\rTransfer-Encoding: chunked\r\n", CHUNKED_HELLO)),
    Case("header-nul-value", get(headers=b"Host: x\r\nX-A: a\x00b\r\n")),
    Case("header-no-colon", get(headers=b"Host: x\r\nX-A\r\n")),
    Case("header-empty-name", get(headers=b"Host: x\r\n: y\r\n")),
    Case("lf-only", get(headers=b"Host: x\n", eol=b"\n")),
    Case("lf-in-one-header", get(headers=b"Host: x\nX-A: y\r\n")),
    Case("lf-only-reqline", b"GET /int/1 HTTP/1.1\nHost: x\r\n\r\n"),
    Case("no-host-http11", get(headers=b""), gunicorn_lenient="serves HTTP/1.1 without Host, connection kept"),
    Case("two-host-headers", get(headers=b"Host: x\r\nHost: good.example\r\n")),
    Case("two-identical-host-headers", get(headers=b"Host: x\r\nHost: x\r\n")),
]

CHUNKED = [
    Case("control-chunk-ext", chunked(b"5;name=value\r\nhello\r\n0\r\n\r\n"), answer=ECHO_OK, must_answer=True),
    Case("control-chunk-trailer", chunked(b"5\r\nhello\r\n0\r\nX-T: y\r\n\r\n"), answer=ECHO_OK, must_answer=True),
    Case("control-chunk-upper-hex", chunked(b"A\r\nhelloworld\r\n0\r\n\r\n"), answer=b"helloworld",
         must_answer=True),
    Case("chunk-zz", chunked(b"zz\r\nhello\r\n0\r\n\r\n")),
    Case("chunk-minus-1", chunked(b"-1\r\nhello\r\n0\r\n\r\n")),
    Case("chunk-0x5", chunked(b"0x5\r\nhello\r\n0\r\n\r\n")),
    Case("chunk-plus-5", chunked(b"+5\r\nhello\r\n0\r\n\r\n")),
    Case("chunk-0_5", chunked(b"0_5\r\nhello\r\n0\r\n\r\n")),
    Case("chunk-space-5", chunked(b" 5\r\nhello\r\n0\r\n\r\n")),
    Case("chunk-overflow", chunked(b"ffffffffffffffffffff\r\nhello\r\n0\r\n\r\n"), reject=frozenset({400, 413}),
         gunicorn_lenient="takes any number of hex digits and waits for 2**80 bytes"),
    Case("chunk-longer-than-size", chunked(b"5\r\nhelloXX\r\n0\r\n\r\n")),
    Case("chunk-no-crlf-after-data", chunked(b"5\r\nhello0\r\n\r\n")),
    Case("chunk-cr-only-after-data", chunked(b"5\r\nhello\r0\r\n\r\n")),
    Case("chunk-lf-only-lines", chunked(b"5\nhello\n0\n\n")),
    Case("chunk-lf-in-extension", chunked(b"5;a\nb\r\nhello\r\n0\r\n\r\n")),
    Case("chunk-nul-in-extension", chunked(b"5;a=\x00\r\nhello\r\n0\r\n\r\n")),
    Case("chunk-bad-trailer", chunked(b"5\r\nhello\r\n0\r\nbad trailer\r\n\r\n")),
    Case("chunk-last-without-crlf", chunked(b"5\r\nhello\r\n0\r\nX")),
    Case("chunk-24-leading-zeros", chunked(b"000000000000000000000005\r\nhello\r\n0\r\n\r\n"), answer=ECHO_OK,
         h11_exception="RFC 9112 allows any number of leading zeros; h11 caps the size at 20 digits"),
]

ABSOLUTE_FORM = [
    Case("absolute-evil-host", get(b"GET http://evil.example/ping HTTP/1.1", b"Host: good.example\r\n")),
    Case("absolute-userinfo-evil", get(b"GET http://good.example@evil.example/ping HTTP/1.1",
                                       b"Host: good.example\r\n")),
    Case("absolute-uppercase-evil", get(b"GET HTTP://EVIL.EXAMPLE/ping HTTP/1.1", b"Host: good.example\r\n")),
    Case("control-absolute-good", get(b"GET http://good.example/ping HTTP/1.1", b"Host: good.example\r\n"),
         answer=b'{"ping":"pong"}', must_answer=True),
]

BIG = 70 * 1024
HIDDEN = b"GET /int/667 HTTP/1.1\r\nHost: x\r\n\r\n"
ATTACKER = [
    # A body on a GET is a body: a request inside it must not run.
    Case("get-body-hides-request", get(headers=b"Host: x\r\nContent-Length: %d\r\n" % len(HIDDEN)) + HIDDEN,
         answer=INT_1),
    Case("connection-close-then-pipelined", get(headers=b"Host: x\r\nConnection: close\r\n"), answer=INT_1,
         must_answer=True, last=True),
    Case("http10-then-pipelined", get(b"GET /int/1 HTTP/1.0", b"Host: x\r\n"), answer=INT_1, must_answer=True,
         last=True),
    Case("header-block-over-64k", get(headers=b"Host: x\r\n" + b"X-Many: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n" * 2000),
         reject=frozenset({400, 431})),
    # Under the 100-header cap, over 64 KiB in bytes: the size limit itself is tested.
    Case("header-bytes-over-64k", get(headers=b"Host: x\r\n" + b"".join(b"X-%d: %s\r\n" % (i, b"a" * 1200)
                                                                        for i in range(60))),
         reject=frozenset({400, 431}),
         gunicorn_lenient="limits each header line (8190 bytes) and their count (100), not the head's total"),
    Case("header-line-over-64k", get(headers=b"Host: x\r\nX-Big: " + b"a" * BIG + b"\r\n"),
         reject=frozenset({400, 431})),
    Case("header-line-over-128k", get(headers=b"Host: x\r\nX-Big: " + b"a" * (3 * BIG) + b"\r\n"),
         reject=frozenset({400, 431})),
    Case("request-line-over-64k", get(b"GET /int/1?" + b"a" * BIG + b" HTTP/1.1"), reject=frozenset({400, 414})),
    # RFC 9112 2.2: a server SHOULD ignore at least one empty line before the request line.
    Case("crlf-before-request-line", b"\r\n" + get(), answer=INT_1,
         h11_exception="RFC 9112 2.2 says a server SHOULD skip an empty line before the request line; h11 does not"),
    Case("cl-body-is-a-request", post(b"Content-Length: %d\r\n" % len(HIDDEN), HIDDEN), answer=HIDDEN,
         must_answer=True),
]


# -- the servers ---------------------------------------------------------------------------------


@dataclass
class Served:
    """A running server of ``kind`` and its output."""

    live: LiveServer
    kind: str
    out: Output

    @property
    def port(self) -> int:
        return self.live.port

    def ran(self, name: str) -> int:
        """How often the app's route ``name`` (``int-666``, ``upload``...) ran so far."""
        status, _, body = self.live.request("GET", f"/ran/{name}")
        assert status == 200, body
        return int(json.loads(body)["ran"])

    def bad_log_lines(self) -> list[str]:
        """The lines since the last look that no request may cause (gunicorn's reject warning is
        allowed for -k gevent)."""
        return [line for line in self.out.since_last_call() if BAD_LOG.search(line)
                and not (self.kind == GEVENT and GUNICORN_REJECT_WARNING.search(line))]


def start(kind: str, **options: Any) -> Iterator[Served]:
    with run_server(kind, APP, **options) as live:
        served = Served(live, kind, Output(live))
        served.out.since_last_call()  # the start-up lines are no request's
        yield served


@pytest.fixture(scope="module")
def server(server_kind: str) -> Iterator[Served]:
    """Each server once for the module, with its default settings."""
    yield from start(server_kind)


@pytest.fixture(scope="module")
def timed_server(server_kind: str) -> Iterator[Served]:
    """fastrapi's two servers with 2 s header and keep-alive timeouts (tests that take it are marked
    ``server_kinds(*FASTRAPI_KINDS)``)."""
    if server_kind == SERVE:
        yield from start(SERVE, serve_options={"header_timeout": HEADER_TIMEOUT,
                                                 "keep_alive_timeout": KEEP_ALIVE_TIMEOUT})
    else:
        yield from start(server_kind, extra_args=["--keep-alive", str(int(KEEP_ALIVE_TIMEOUT))],
                         env={"FASTRAPI_HEADER_TIMEOUT": str(HEADER_TIMEOUT)})


# -- the checks ----------------------------------------------------------------------------------


def check(server: Served, case: Case) -> None:
    """Send ``case`` then ``GET /int/666`` on one connection; judge what came back. Where gunicorn's
    own parser is known to accept the case, the check must fail there (a strict xfail)."""
    if server.kind != GEVENT or not case.gunicorn_lenient:
        _check(server, case)
        return
    try:
        _check(server, case)
    except AssertionError:
        pytest.xfail(f"gunicorn -k gevent: {case.gunicorn_lenient}")
    raise AssertionError(f"gunicorn -k gevent now refuses {case.name}: remove its gunicorn_lenient note")


def _check(server: Served, case: Case) -> None:
    before = server.ran("int-666"), server.ran("int-667")
    got = exchange(server.port, case.payload + case.follow)
    smuggled = server.ran("int-666") - before[0], server.ran("int-667") - before[1]
    log = server.bad_log_lines()
    status = got.first_status
    assert status is not None, f"no answer: {got.describe()}"
    if case.h11 == "reject" and not case.h11_exception:
        assert not 200 <= status < 300, f"h11 rejects this, the server answered it: {got.describe()}"
    assert smuggled[1] == 0, f"/int/667 hidden in the body ran: {got.describe()}"
    refused = status in case.reject
    if case.answer is None or (refused and not case.must_answer):
        assert refused, f"expected {sorted(case.reject)}: {got.describe()}"
        assert got.closed, f"server kept the connection open after {status}: {got.describe()}"
        assert len(got.final) == 1, f"more than one answer: {got.describe()}"
        assert smuggled[0] == 0, f"/int/666 ran after the refused request: {got.describe()}"
    else:
        first = got.final[0]
        assert (first.status, first.body) == (200, case.answer), got.describe()
        if case.last:
            assert got.closed and len(got.final) == 1, got.describe()
            assert smuggled[0] == 0, f"/int/666 ran after the connection's last request: {got.describe()}"
        else:
            assert [a.status for a in got.final] == [200, 200], got.describe()
            assert smuggled[0] == 1, f"/int/666 ran {smuggled[0]} times: {got.describe()}"
    assert not log, f"the server logged: {log}"


@pytest.mark.parametrize("case", CONTENT_LENGTH, ids=ids(CONTENT_LENGTH))
def test_content_length(server: Served, case: Case) -> None:
    """Content-Length must be one 1*DIGIT value; anything else is 400 and a closed connection."""
    check(server, case)


@pytest.mark.parametrize("case", TRANSFER_ENCODING, ids=ids(TRANSFER_ENCODING))
def test_transfer_encoding(server: Served, case: Case) -> None:
    """Transfer-Encoding must be exactly a final ``chunked``, alone, without Content-Length."""
    check(server, case)


@pytest.mark.parametrize("case", LENIENT, ids=ids(LENIENT))
def test_request_line_and_headers(server: Served, case: Case) -> None:
    """No leniency in the request line or the header lines: 400, never 404/405/422 or a 2xx."""
    check(server, case)


@pytest.mark.parametrize("case", CHUNKED, ids=ids(CHUNKED))
def test_chunked_framing(server: Served, case: Case) -> None:
    """A broken chunked body is 400 and a closed connection, never a 500 or a smuggled request."""
    check(server, case)


@pytest.mark.parametrize("case", ABSOLUTE_FORM, ids=ids(ABSOLUTE_FORM))
def test_absolute_form_host(server: Served, case: Case) -> None:
    """The host of an absolute-form target is the request's host (RFC 9112 3.2.2): TrustedHost checks it."""
    got = exchange(server.port, case.payload + b"GET /int/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    status = got.first_status
    if case.must_answer:
        assert status == 200 and got.final[0].body == case.answer, got.describe()
    else:
        assert status == 400, got.describe()
        assert b"pong" not in got.raw
    log = server.bad_log_lines()
    assert not log, f"the server logged: {log}"


@pytest.mark.parametrize("case", ATTACKER, ids=ids(ATTACKER))
def test_attacker_variants(server: Served, case: Case) -> None:
    """Oversized heads, bodies that hide requests, requests after the connection's last one."""
    check(server, case)


def test_pipelined_requests_are_answered_in_order(server: Served) -> None:
    """Three requests in one send come back as three answers, in order."""
    payload = (b"GET /int/1 HTTP/1.1\r\nHost: x\r\n\r\n" + post(b"Content-Length: 5\r\n", b"hello")
               + b"GET /int/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    got = exchange(server.port, payload, want=3)
    assert [(a.status, a.body) for a in got.final] == [(200, INT_1), (200, b"hello"), (200, b'{"n":2}')], \
        got.describe()


def test_expect_100_continue(server: Served) -> None:
    """``Expect: 100-continue``: the body sent after the head (and after a 100, if one comes) is echoed."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=READ_TIMEOUT) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n"
                     b"Connection: close\r\n\r\n")
        readable, _, _ = select.select([sock], [], [], 0.5)
        interim = sock.recv(65536) if readable else b""
        assert not interim or interim.startswith(b"HTTP/1.1 100 "), interim
        sock.sendall(b"hello")
        data = interim
        while chunk := sock.recv(65536):
            data += chunk
    final = [a for a in parse_answers(data, True) if a.status >= 200]
    assert [(a.status, a.body) for a in final] == [(200, b"hello")], data


TRUNCATED = {
    "cl-1000-sent-14": post(b"Content-Length: 1000\r\n", b"fourteen bytes", target=b"/upload"),
    "chunked-cut-before-last-chunk": chunked(b"5\r\nhello\r\n", target=b"/upload"),
    "chunked-cut-inside-a-chunk": chunked(b"a\r\nhel", target=b"/upload"),
}


@pytest.mark.parametrize("payload", TRUNCATED.values(), ids=TRUNCATED.keys())
def test_truncated_body_does_not_run_the_endpoint(server: Served, payload: bytes) -> None:
    """The client stops sending mid-body: no 2xx, the endpoint never runs, nothing logged above debug."""
    before = server.ran("upload")
    got = exchange(server.port, payload, shut_write=True)
    assert server.ran("upload") == before, f"the endpoint ran on a truncated body: {got.describe()}"
    assert got.first_status is None or not 200 <= got.first_status < 300, got.describe()
    assert got.closed, got.describe()
    lines = server.out.since_last_call()
    assert lines == [], f"a client going away is not worth a log line above debug: {lines}"


@pytest.mark.parametrize("route", ["bad-header", "raw-bad-header"])
@pytest.mark.parametrize("which", BAD_VALUES)
def test_control_bytes_in_response_headers_never_reach_the_wire(server: Served, route: str,
                                                                which: str) -> None:
    """A header value with NUL, VT, DEL or CRLF set by the app: a 500, and the bytes stay home."""
    got = exchange(server.port, f"GET /{route}/{which} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    assert got.closed, got.describe()
    head = got.raw.partition(b"\r\n\r\n")[0]
    for needle in (b"\x00", b"\x0b", b"\x7f", b"X-Injected"):
        assert needle not in head, got.describe()
    assert got.first_status == 500, got.describe()
    server.out.since_last_call()  # a server-side bug may be logged: skip past it


def test_h11_exceptions_are_still_needed() -> None:
    """A case excused from the h11 rule must still be one h11 rejects, or the excuse is stale."""
    excused = [case for case in CONTENT_LENGTH + TRANSFER_ENCODING + LENIENT + CHUNKED + ATTACKER
               if case.h11_exception]
    assert excused
    assert [case.name for case in excused if case.h11 != "reject"] == []


# -- slow clients ----------------------------------------------------------------------------------


SLOW_CONNECTIONS = 200


def closed_by_peer(sock: socket.socket) -> bool:
    """Whether the server closed ``sock`` (anything it sent first is read and dropped)."""
    try:
        while select.select([sock], [], [], 0)[0]:
            if not sock.recv(65536):
                return True
    except OSError:
        return True
    return False


@pytest.mark.server_kinds(*FASTRAPI_KINDS)
def test_slow_header_senders_are_cut_off_and_do_not_block_others(timed_server: Served) -> None:
    """200 connections dripping one header byte every 0.5 s: a normal request is still answered in
    < 100 ms, and the server closes all of them within the header timeout (+3 s slack)."""
    head = b"GET /int/1 HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
    opened = time.monotonic()
    socks = [socket.create_connection(("127.0.0.1", timed_server.port), timeout=2) for _ in range(SLOW_CONNECTIONS)]
    closed_at: dict[int, float] = {}
    latency = None
    try:
        deadline = opened + HEADER_TIMEOUT + 3.0
        for position in range(len(head)):
            if time.monotonic() > deadline or len(closed_at) == len(socks):
                break
            for index, sock in enumerate(socks):
                if index in closed_at:
                    continue
                if closed_by_peer(sock):
                    closed_at[index] = time.monotonic() - opened
                    continue
                try:
                    sock.send(head[position:position + 1])
                except OSError:
                    closed_at[index] = time.monotonic() - opened
            if position == 1:
                started = time.monotonic()
                got = exchange(timed_server.port, b"GET /int/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                               want=1)
                latency = time.monotonic() - started
                assert got.first_status == 200, got.describe()
            time.sleep(0.5)  # one byte per connection every 0.5 s: the slow senders under test
    finally:
        for sock in socks:
            sock.close()
    assert latency is not None and latency < 0.1, f"a normal request took {latency}s among slow senders"
    assert len(closed_at) == len(socks), (
        f"{len(socks) - len(closed_at)} of {len(socks)} slow connections still open after "
        f"{time.monotonic() - opened:.1f}s")
    assert max(closed_at.values()) <= HEADER_TIMEOUT + 3.0


@pytest.mark.server_kinds(*FASTRAPI_KINDS)
def test_idle_keep_alive_connection_is_closed(timed_server: Served) -> None:
    """One request answered, then silence: closed after the keep-alive timeout, not much later."""
    with socket.create_connection(("127.0.0.1", timed_server.port), timeout=2) as sock:
        sock.sendall(b"GET /int/1 HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while not parse_answers(data, False):
            chunk = sock.recv(65536)
            assert chunk, data
            data += chunk
        answered = time.monotonic()
        sock.settimeout(KEEP_ALIVE_TIMEOUT + 3.0)
        try:
            closed = sock.recv(65536) == b""
        except TimeoutError:
            closed = False
        except ConnectionResetError:
            closed = True
        idle = time.monotonic() - answered
    assert closed, f"the idle connection was still open after {idle:.1f}s"
    assert KEEP_ALIVE_TIMEOUT / 2 <= idle <= KEEP_ALIVE_TIMEOUT + 2.5, idle

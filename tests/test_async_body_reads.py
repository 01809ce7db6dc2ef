"""``async def`` endpoints that read the body themselves (``await request.body()``, ``.json()``,
``.form()``, ``async for chunk in request.stream()``) when it has not arrived yet, on ``app.serve()``,
``gunicorn -k gevent`` and fastrapi's gunicorn worker.

The coroutine runs on the bridge loop's OS thread; a gevent socket cannot wait there
(``greenlet.error: Cannot switch to a different thread``, a 500), so the reads hop back to the
request's hub. Each body comes late: after ``Expect: 100-continue``, dribbled in pieces, 20 MB at
once, or cut off by the client halfway (a ``ClientDisconnect`` the endpoint catches). Also an
``UploadFile`` read with ``await file.read()`` after a late multipart body. Raw sockets on loopback;
the cases of a test run side by side in threads; nothing may be logged above INFO.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import pytest

from tests.servers import LiveServer, Output, run_server, wait_until

APP = "tests.apps.async_body_app:app"
BOUNDARY = "async-body-boundary"
READ_ROUTES = ["/body", "/json", "/form", "/stream"]  # the four reads, each its own endpoint
CONTINUE_WAIT = 1.0  # as curl: the body goes after the 100, or after this long without one
PIECES, PAUSE = 4, 0.2  # a dribbled body
TRIES = 5  # 100-continue exchanges per route
CONTINUE_LATENCY = 0.02  # try n sends its body (n - 1) times this long after the 100
READ_TIMEOUT = 10.0  # a hung server fails the case after this long
EXPECT = "Expect: 100-continue\r\n"
BAD_LOG = re.compile(r"Traceback|\bERROR\b|\bWARNING\b|\bCRITICAL\b|\bException\b|greenlet\.error|\b500\b")

SMALL = b"the-body-arrives-late-" * 10  # 220 ascii bytes, nothing to escape in any encoding
LARGE = base64.b64encode(random.Random(7).randbytes(15_000_000))  # 20 MB of ascii
assert len(LARGE) == 20_000_000


# -- the server and its output -------------------------------------------------------------------


@dataclass
class Served:
    live: LiveServer
    kind: str
    out: Output

    @property
    def port(self) -> int:
        return self.live.port

    def bad_log_lines(self) -> list[str]:
        """The lines since the last look that say something went wrong."""
        return [line for line in self.out.since_last_call() if BAD_LOG.search(line)]


@pytest.fixture(scope="module")
def served(server_kind: str) -> Iterator[Served]:
    """Each server once for the module."""
    with run_server(server_kind, APP) as live:
        result = Served(live, server_kind, Output(live))
        result.out.since_last_call()  # the start-up lines are no request's
        yield result


# -- requests ------------------------------------------------------------------------------------


@dataclass
class Post:
    """A request to one route: its content type, body, and the digest the route must answer."""

    name: str
    path: str
    content_type: str
    body: bytes
    data: bytes  # what the route reads out of the body

    def expected(self) -> dict[str, int | str]:
        return {"size": len(self.data), "sha256": hashlib.sha256(self.data).hexdigest()}


def multipart(data: bytes) -> bytes:
    return (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="data"; filename="d.bin"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def posts(data: bytes) -> list[Post]:
    """``data`` sent to each of the four reads; a large one goes to ``/form`` as a file (a text
    field is limited to 1 MiB)."""
    octets = "application/octet-stream"
    form_data = f"multipart/form-data; boundary={BOUNDARY}"
    form = (Post("/form file", "/form", form_data, multipart(data), data) if len(data) > 1024 * 1024
            else Post("/form", "/form", "application/x-www-form-urlencoded", b"data=" + data, data))
    return [
        Post("/body", "/body", octets, data, data),
        Post("/json", "/json", "application/json", json.dumps({"data": data.decode()}).encode(), data),
        form,
        Post("/stream", "/stream", octets, data, data),
    ]


def uploads(data: bytes) -> list[Post]:
    """A file part read with ``await file.read()``: a parameter, and a field of ``await request.form()``."""
    form_data = f"multipart/form-data; boundary={BOUNDARY}"
    return [Post("/upload", "/upload", form_data, multipart(data), data),
            Post("/form file", "/form", form_data, multipart(data), data)]


def head(post: Post, *, chunked: bool = False, expect: bool = False, length: int | None = None,
         query: str = "") -> bytes:
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {length or len(post.body)}"
    return (f"POST {post.path}{query} HTTP/1.1\r\nHost: x\r\nContent-Type: {post.content_type}\r\n{framing}\r\n"
            f"{EXPECT if expect else ''}Connection: close\r\n\r\n").encode()


def pieces(body: bytes, count: int = PIECES) -> list[bytes]:
    step = -(-len(body) // count)
    return [body[start:start + step] for start in range(0, len(body), step)]


@dataclass
class Answer:
    status: int  # 0: the connection ended (or timed out) before a whole response
    body: bytes
    interim: list[int]


def read_answer(sock: socket.socket, data: bytes = b"") -> Answer:
    """The first final response on ``sock`` (framed by Content-Length, or by the close), after any 1xx."""
    interim: list[int] = []
    deadline = time.monotonic() + READ_TIMEOUT
    sock.settimeout(READ_TIMEOUT)
    eof = False
    while True:
        end = data.find(b"\r\n\r\n")
        if end >= 0:
            status_line, *lines = data[:end].decode("latin-1").split("\r\n")
            status, rest = int(status_line.split(" ")[1]), data[end + 4:]
            if 100 <= status < 200:
                interim.append(status)
                data = rest
                continue
            headers = {name.strip().lower(): value.strip()
                       for name, _, value in (line.partition(":") for line in lines)}
            length = int(headers.get("content-length", -1))
            if (0 <= length <= len(rest)) or eof:
                return Answer(status, rest[:length] if length >= 0 else rest, interim)
        if eof or time.monotonic() > deadline:
            return Answer(0, data, interim)
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, ConnectionResetError):
            chunk = b""
        eof = not chunk
        data += chunk


def judge(post: Post, label: str, answer: Answer) -> list[str]:
    """The failures of one exchange (none when the route answered 200 with the right digest)."""
    if answer.status == 200:
        try:
            if json.loads(answer.body) == post.expected():
                return []
        except ValueError:
            pass
    return [f"{label}: {answer.status} {answer.body[:300]!r} (interim {answer.interim})"]


def side_by_side(jobs: list[Callable[[], list[str]]]) -> list[str]:
    """Run ``jobs`` at once, each in its own thread; all their failures."""
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return [failure for failures in pool.map(lambda job: job(), jobs) for failure in failures]


def connect(served: Served) -> socket.socket:
    return socket.create_connection(("127.0.0.1", served.port), timeout=READ_TIMEOUT)


def send(sock: socket.socket, data: bytes) -> bool:
    """``sock.sendall(data)``; False when the server has closed or reset the connection."""
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        return False
    return True


def await_continue(sock: socket.socket) -> tuple[Answer | None, bytes]:
    """Wait up to CONTINUE_WAIT for ``100 Continue``, as curl does. The final answer when the server
    gave one instead (no body is sent then); else None and what came after the 100."""
    sock.settimeout(CONTINUE_WAIT)
    received = b""
    deadline = time.monotonic() + CONTINUE_WAIT
    while b"\r\n\r\n" not in received and time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        if not chunk:
            return read_answer(sock, received), b""
        received += chunk
    if received and not received.startswith(b"HTTP/1.1 100 "):
        return read_answer(sock, received), b""
    return None, received


def post_after_continue(served: Served, post: Post, *, dribble: bool = False, delay: float = 0.0) -> Answer:
    """The head with ``Expect: 100-continue``, then, ``delay`` after the 100 (or CONTINUE_WAIT without
    one), the body: at once, or in PIECES pieces PAUSE apart when ``dribble``."""
    with connect(served) as sock:
        if not send(sock, head(post, expect=True)):
            return read_answer(sock)
        answer, received = await_continue(sock)
        if answer is not None:
            return answer
        time.sleep(delay)  # a client that sends its body late after the 100: the behaviour under test
        for part in pieces(post.body) if dribble else [post.body]:
            if not send(sock, part):
                break
            if dribble:
                time.sleep(PAUSE)  # a slow client trickling its body: the behaviour under test
        return read_answer(sock, received)


def post_dribbled(served: Served, post: Post, chunked: bool) -> Answer:
    """The head, then the body in PIECES pieces (chunks when ``chunked``), PAUSE apart, the first
    one PAUSE after the head."""
    parts = pieces(post.body)
    if chunked:
        parts = [b"%x\r\n%s\r\n" % (len(part), part) for part in parts]
        parts[-1] += b"0\r\n\r\n"
    with connect(served) as sock:
        if send(sock, head(post, chunked=chunked)):
            for part in parts:
                time.sleep(PAUSE)  # a slow client trickling its body: the behaviour under test
                if not send(sock, part):
                    break
        return read_answer(sock)


# -- the tests -----------------------------------------------------------------------------------


def test_a_body_sent_after_100_continue_reaches_every_read(served: Served) -> None:
    """5 tries per read, the body sent 0, 20, ... 80 ms after the 100 (a client at once, then across
    a network); each must be 200 with the digest of what was sent."""
    def tries(post: Post) -> list[str]:
        return [failure for attempt in range(TRIES)
                for failure in judge(post, f"{post.name} 100-continue try {attempt + 1}",
                                     post_after_continue(served, post, delay=attempt * CONTINUE_LATENCY))]

    failures = side_by_side([partial(tries, post) for post in posts(SMALL)])
    assert failures == []
    assert served.bad_log_lines() == []


def test_a_body_dribbled_in_pieces_reaches_every_read(served: Served) -> None:
    """4 pieces 0.2 s apart, with a Content-Length and chunked."""
    def dribble(post: Post, chunked: bool) -> list[str]:
        return judge(post, f"{post.name} dribbled {'chunked' if chunked else 'content-length'}",
                     post_dribbled(served, post, chunked))

    failures = side_by_side([partial(dribble, post, chunked) for post in posts(SMALL) for chunked in (False, True)])
    assert failures == []
    assert served.bad_log_lines() == []


def test_a_20_mb_body_reaches_every_read(served: Served) -> None:
    """20 MB with a Content-Length, PAUSE after the head, answered as its size and SHA-256."""
    def large(post: Post) -> list[str]:
        with connect(served) as sock:
            if send(sock, head(post)):
                time.sleep(PAUSE)  # a late body (the behaviour under test): the endpoint waits for its first bytes
                send(sock, post.body)
            return judge(post, f"{post.name} 20 MB", read_answer(sock))

    failures = [failure for post in posts(LARGE) for failure in large(post)]  # one at a time: memory
    assert failures == []
    assert served.bad_log_lines() == []


def test_a_client_gone_halfway_is_a_client_disconnect_the_endpoint_catches(served: Served) -> None:
    """Half the declared body (or one chunk), a pause, then the client closes. Each endpoint must
    catch ``ClientDisconnect`` exactly once, whether it then re-raises it or answers itself, and the
    server must log no error for it."""
    tags: dict[str, str] = {}

    def gone(post: Post, chunked: bool, then: str) -> list[str]:
        tag = uuid.uuid4().hex
        label = f"{post.name} gone halfway {'chunked' if chunked else 'content-length'} then={then}"
        tags[tag] = label
        half = post.body[:len(post.body) // 2]
        with connect(served) as sock:
            sent = head(post, chunked=chunked, length=len(post.body), query=f"?tag={tag}&then={then}")
            send(sock, sent + (b"%x\r\n%s\r\n" % (len(half), half) if chunked else half))
            # A client that stalls halfway, then goes (the behaviour under test); the app does not say
            # when the endpoint starts waiting, so the stall is also its head start.
            time.sleep(PAUSE)

        def caught() -> int:
            status, _, count_body = served.live.request("GET", f"/caught/{tag}")
            return int(count_body) if status == 200 else -1

        try:
            count = wait_until(caught, 5, f"{label}: the endpoint to catch ClientDisconnect")
        except AssertionError as error:
            return [str(error)]
        return [] if count == 1 else [f"{label}: caught ClientDisconnect {count} times"]

    jobs = [partial(gone, post, chunked, then)
            for post in posts(SMALL) for chunked in (False, True) for then in ("raise", "return")]
    failures = side_by_side(jobs)
    output = served.out.since_last_call()
    printed = {line.split(" ")[2] for line in output if line.startswith("CAUGHT ")}
    missing = [label for tag, label in tags.items() if tag not in printed]
    assert failures == []
    assert missing == []
    assert [line for line in output if BAD_LOG.search(line)] == []


def test_an_upload_file_read_after_a_late_multipart_body(served: Served) -> None:
    """``await file.read()`` (a spooled file, no socket) after a multipart body that came after a
    100 Continue, or dribbled (Content-Length and chunked)."""
    sends: dict[str, Callable[[Post], Answer]] = {
        "after 100-continue": partial(post_after_continue, served),
        "dribbled after 100-continue": partial(post_after_continue, served, dribble=True),
        "dribbled content-length": partial(post_dribbled, served, chunked=False),
        "dribbled chunked": partial(post_dribbled, served, chunked=True),
    }

    def late(post: Post, how: str) -> list[str]:
        return judge(post, f"{post.name} {how}", sends[how](post))

    failures = side_by_side([partial(late, post, how) for post in uploads(SMALL) for how in sends])
    assert failures == []
    assert served.bad_log_lines() == []

"""One client connection: read requests with the strict parser, run the WSGI app, write its responses.

A greenlet per connection, as gevent's servers have. Between requests the connection waits at most
``keep_alive_timeout`` for the next request to begin, and a request's head must arrive within
``header_timeout``; each read of a body waits at most ``body_timeout``. A refused request is answered
(400, 414, 431, 501 or 505) and the connection closed; so is one whose body's framing breaks.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol
from urllib.parse import unquote_to_bytes

import gevent
from greenlet import getcurrent

from fastrapi.exceptions import ClientDisconnect, MalformedBody
from fastrapi.http1.body import RequestBody
from fastrapi.http1.parsing import ParsedRequest, Refusal, RequestParser, parse_target
from fastrapi.http1.proxy import apply_forwarded
from fastrapi.http1.writing import (
    CONTINUE,
    LAST_CHUNK,
    ResponseHead,
    check_response_head,
    chunk,
    date_line,
    error_response,
)
from fastrapi.websocket_transport import TAKEOVER_KEY, Transport

logger = logging.getLogger("fastrapi.server")

RECV_SIZE = 64 * 1024
JOIN_LIMIT = 16 * 1024  # a first body chunk up to this size leaves in the head's send (one system call)
DISCARD_LIMIT = 1024 * 1024  # an unread body up to this size is read and dropped to keep the connection
LINGER_SECONDS = 1.0  # after refusing a request, how long its remaining bytes are read and dropped
LINGER_READS = 16
_NO_BODY_CODES = frozenset((204, 304))
_environ_keys: dict[bytes, str | None] = {}  # PERF: header name -> environ key, computed once per name
_MAX_ENVIRON_KEYS = 1024


class ServerSettings(Protocol):
    """What a connection needs of its server."""

    application: Callable[..., Iterable[bytes]]
    fair: bool
    stopping: bool
    in_flight: int
    idle: set[Any]
    header_timeout: float
    keep_alive_timeout: float
    body_timeout: float

    def trusts_proxy(self, address: Any) -> bool: ...

    def base_environ(self, address: Any) -> dict[str, Any]: ...

    def log_access(self, environ: dict[str, Any], status: str, headers: list[tuple[str, str]], length: int,
                   started: float) -> None: ...

    access_log: bool


def environ_key(name: bytes) -> str | None:
    """``HTTP_X_NAME`` for a header name; ``None`` for names with ``_`` (dropped, so ``X_A`` cannot pose as
    ``X-A``). Content-Type and Content-Length go to their CGI keys."""
    key = _environ_keys.get(name, "")
    if key == "":
        text = name.decode("latin-1")
        if "_" in text:
            key = None
        else:
            key = text.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
        if len(_environ_keys) < _MAX_ENVIRON_KEYS:
            _environ_keys[name] = key
    return key


class Connection:
    """Serves the requests of one socket, one after the other (``run``)."""

    __slots__ = (
        "server", "socket", "address", "parser", "refusal", "closed_by_client", "expect_continue",
        "head", "status", "headers", "headers_sent", "sent", "chunked", "no_body", "close_after", "version",
        "_base", "_behind_proxy", "unread", "taken_over",
    )

    def __init__(self, server: ServerSettings, sock: Any, address: Any) -> None:
        self.server = server
        self.socket = sock
        self.address = address
        self.parser = RequestParser()
        self.refusal: Refusal | None = None
        self.closed_by_client = False
        self.unread = False  # we stop reading while the client may still be sending: linger before closing
        self.taken_over = False  # a WebSocket (or other upgrade) owns the socket now
        self._base = server.base_environ(address)
        self._behind_proxy = server.trusts_proxy(address)
        self._reset()

    def _reset(self) -> None:
        self.expect_continue = False
        self.head: ResponseHead | None = None
        self.status = ""
        self.headers: list[tuple[str, str]] = []
        self.headers_sent = False
        self.sent = 0
        self.chunked = False
        self.no_body = False
        self.close_after = False
        self.version = "1.1"

    # -- the loop ----------------------------------------------------------------------------------
    def run(self) -> None:
        server = self.server
        served = 0
        try:
            while not server.stopping:
                if served and server.fair:
                    gevent.sleep(0)  # let other connections in before this one's next request
                request = self.next_request(first=not served)
                if request is None or not self.answer(request):
                    break
                served += 1
        except (ClientGone, OSError) as exc:  # the client went away while we wrote or read
            logger.debug("connection from %s ended: %s", self.address, exc)
        finally:
            if self.unread and not self.closed_by_client:
                self.linger()
            self.socket.close()

    def linger(self) -> None:
        """Half-close, then read what the client still sends for a moment before closing: closing
        with unread bytes makes the kernel send a reset, which can destroy the answer just sent."""
        sock = self.socket
        try:
            sock.shutdown(socket.SHUT_WR)
            sock.settimeout(LINGER_SECONDS)
            deadline = time.monotonic() + LINGER_SECONDS
            for _ in range(LINGER_READS):
                if not sock.recv(RECV_SIZE) or time.monotonic() > deadline:
                    break
        except OSError:
            pass

    def next_request(self, first: bool) -> ParsedRequest | None:
        """The next request whose head has arrived; ``None`` when the connection must end."""
        parser = self.parser
        ready = parser.ready
        if ready:
            return ready.popleft()
        if self.refusal is None and not parser.stopped and not self.closed_by_client:
            server = self.server
            sock = self.socket
            now = time.monotonic()
            # A first request's head must be whole within header_timeout of the accept; a keep-alive
            # request must begin within keep_alive_timeout, and its head is whole within header_timeout.
            deadline = now + (server.header_timeout if first else server.keep_alive_timeout)
            head_started = False
            idle = server.idle
            current = getcurrent()
            idle.add(current)
            try:
                while not ready:
                    if not head_started and parser.in_message:
                        head_started = True
                        idle.discard(current)  # a stopping server lets a request that has begun arrive
                        if not first:
                            deadline = time.monotonic() + server.header_timeout
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        logger.debug("closing %s: no whole request head in time", self.address)
                        return None
                    sock.settimeout(remaining)
                    try:
                        data = sock.recv(RECV_SIZE)
                    except TimeoutError:
                        logger.debug("closing %s: no whole request head in time", self.address)
                        return None
                    if not data:
                        return None
                    try:
                        parser.feed(data)
                    except Refusal as refusal:
                        self.refusal = refusal
                        break
                    if parser.stopped and not ready:
                        break
            finally:
                idle.discard(current)
            if ready:
                return ready.popleft()
        if self.refusal is not None:
            self.unread = True
            refused = self.refusal
            logger.debug("refused a request from %s: %s %s", self.address, refused.status, refused.reason)
            self._sendall(error_response(refused.status, refused.reason))
        return None

    def answer(self, request: ParsedRequest) -> bool:
        """Run the app for ``request`` and write its response; ``False`` when the connection must end."""
        server = self.server
        self._reset()
        self.version = request.version
        self.expect_continue = request.expect_continue and not request.complete
        body = RequestBody(self, request)
        environ = self.environ_for(request, body)
        self.no_body = environ["REQUEST_METHOD"] == "HEAD"
        started = time.time() if server.access_log else 0.0
        self.socket.settimeout(server.body_timeout)  # also bounds each send to a client that stopped reading
        server.in_flight += 1
        try:
            result = server.application(environ, self.start_response)
            try:
                if self.taken_over:
                    return False  # the upgraded protocol has ended: nothing more to write on this socket
                self.write_result(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except ClientDisconnect as exc:
            logger.debug("client %s went away before its body arrived: %s", self.address, exc)
            self.closed_by_client = True
            return False
        except MalformedBody as exc:
            logger.debug("malformed body from %s: %s", self.address, exc)
            self.unread = True
            if not self.headers_sent:
                self._sendall(error_response("400 Bad Request", "Invalid HTTP request received."))
            return False
        except ClientGone:
            raise
        except Exception:
            logger.exception("Error handling request %s %s", environ["REQUEST_METHOD"], environ["RAW_URI"])
            self.unread = not request.complete
            if not self.headers_sent:
                self._sendall(error_response("500 Internal Server Error", "Internal Server Error"))
            return False
        finally:
            server.in_flight -= 1
        if server.access_log:
            server.log_access(environ, self.status, self.headers, self.sent, started)
        if request.broken or (not request.complete and (self.close_after or not request.keep_alive)):
            self.unread = True
        if self.close_after or not request.keep_alive or request.upgrade or request.broken:
            return False
        if not body.finished():
            return self.discard(request)
        return True

    def discard(self, request: ParsedRequest) -> bool:
        """Read and drop the rest of a body the app did not read; ``False`` when that is not worth it."""
        self.unread = True  # unless the rest arrives below
        if self.expect_continue:
            return False  # no 100 was sent, so the client may never send the body: start over on a new connection
        dropped = 0
        try:
            while True:
                while request.chunks:
                    dropped += len(request.chunks.popleft())
                if request.complete:
                    self.unread = False
                    return True
                if request.broken or dropped > DISCARD_LIMIT:
                    return False
                self.pull(request)
        except ClientDisconnect:
            return False

    # -- reading a body (RequestBody calls this) -------------------------------------------------
    def pull(self, request: ParsedRequest) -> None:
        """Read more of the socket and parse it; the body's chunks land in ``request.chunks``."""
        if self.expect_continue:
            self.expect_continue = False
            try:
                self.socket.sendall(CONTINUE)
            except OSError as exc:
                self.closed_by_client = True
                raise ClientDisconnect(str(exc)) from None
        if self.parser.stopped or self.closed_by_client:
            raise ClientDisconnect("the connection ended before the body did")
        sock = self.socket
        sock.settimeout(self.server.body_timeout)
        try:
            data = sock.recv(RECV_SIZE)
        except TimeoutError:
            self.closed_by_client = True
            raise ClientDisconnect("timed out waiting for the body") from None
        except OSError as exc:
            self.closed_by_client = True
            raise ClientDisconnect(str(exc)) from None
        if not data:
            self.closed_by_client = True
            raise ClientDisconnect("the client closed the connection before the body ended")
        try:
            self.parser.feed(data)
        except Refusal as refusal:  # in a request pipelined behind this one: answered after it
            self.refusal = refusal

    # -- the environ -------------------------------------------------------------------------------
    def environ_for(self, request: ParsedRequest, body: RequestBody) -> dict[str, Any]:
        environ = self._base.copy()
        target = request.target
        if target[:1] == b"/" and b"#" not in target:  # PERF: origin-form, the common case
            path, _, query = target.partition(b"?")
            authority = None
        else:
            path, query, authority = parse_target(target)
        raw_target = target.decode("latin-1")
        environ["REQUEST_METHOD"] = request.method
        environ["PATH_INFO"] = (unquote_to_bytes(path) if b"%" in path else path).decode("latin-1")
        environ["QUERY_STRING"] = query.decode("latin-1")
        environ["SERVER_PROTOCOL"] = "HTTP/" + request.version
        environ["REQUEST_URI"] = environ["RAW_URI"] = raw_target
        environ["wsgi.input"] = body
        for name, value in request.headers:
            key = environ_key(name)
            if key is None:
                continue
            text = value.decode("latin-1").strip(" \t")
            if key in environ:  # a repeated header: one value, as RFC 9110 §5.3 folds them (cookies with "; ")
                environ[key] += ("; " if key == "HTTP_COOKIE" else ",") + text
            else:
                environ[key] = text
        if request.upgrade:
            environ[TAKEOVER_KEY] = self.take_over
        if authority is not None:  # RFC 9112 §3.2.2: the target's authority wins over Host
            environ["HTTP_HOST"] = authority.decode("latin-1")
        if self._behind_proxy:
            apply_forwarded(environ)
        return environ

    def take_over(self) -> Transport:
        """``environ["fastrapi.takeover"]`` of an Upgrade request: the socket is the caller's until the app
        returns, with the bytes read past the head; then the connection closes and nothing more is written."""
        if self.taken_over or self.headers_sent:
            raise RuntimeError("the connection cannot be taken over now")
        self.taken_over = True
        self.status = "101 Switching Protocols"
        return Transport(self.socket, pending=self.parser.upgrade_data,
                         stop_registry=getattr(self.server, "websockets", None))

    # -- writing the response ------------------------------------------------------------------------
    def start_response(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[
            [bytes], None]:
        if exc_info is not None:
            try:
                if self.headers_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.head is not None and self.headers_sent:
            raise AssertionError("start_response called a second time without exc_info")
        self.head = check_response_head(status, headers)
        self.status = status
        self.headers = headers
        return self.write

    def write_result(self, result: Iterable[bytes]) -> None:
        if type(result) is list and len(result) == 1 and not self.headers_sent:
            self._send_head(result[0], whole=True)  # PERF: a one-chunk body: its length is known
        else:
            self._write_iterable(result)
        head = self.head
        if head is not None and head.content_length is not None and self.sent < head.content_length \
                and not self.no_body:
            logger.warning("Response for %s is shorter than its Content-Length; closing the connection",
                           self.status)
            self.close_after = True

    def _write_iterable(self, result: Iterable[bytes]) -> None:
        for data in result:
            if data:
                self.write(data)
        if not self.headers_sent:
            self._send_head(b"", whole=True)
        elif self.chunked:
            self._sendall(LAST_CHUNK)

    def write(self, data: bytes) -> None:
        """Send a piece of the body (also the legacy ``write`` callable that ``start_response`` returns)."""
        if not self.headers_sent:
            self._send_head(data, whole=False)
            return
        if self.no_body or not data:
            return
        if self.chunked:
            self._sendall(chunk(data))
        else:
            self._send_fixed(data)
        self.sent += len(data)

    def _send_fixed(self, data: bytes) -> None:
        head = self.head
        assert head is not None
        limit = head.content_length
        if limit is not None and self.sent + len(data) > limit:
            logger.warning("Response body is longer than its Content-Length (%d); the rest is not sent", limit)
            self.close_after = True
            data = data[: max(0, limit - self.sent)]
        self._sendall(data)

    def _send_head(self, data: bytes, whole: bool) -> None:
        head = self.head
        if head is None:
            raise AssertionError("the application wrote a body before calling start_response")
        self.headers_sent = True
        code = head.code
        no_body = self.no_body or code < 200 or code in _NO_BODY_CODES
        self.no_body = no_body
        extra = "" if head.has_date else date_line()
        close = head.close or self.close_after or self.server.stopping
        if head.content_length is None and code >= 200 and code not in _NO_BODY_CODES:
            if whole:  # HEAD too: the length its GET would have
                extra += f"Content-Length: {len(data)}\r\n"
            elif no_body:
                pass
            elif self.version == "1.1":
                self.chunked = True
                extra += "Transfer-Encoding: chunked\r\n"
            else:
                close = True  # an HTTP/1.0 body of unknown length ends when the connection does
        if close:
            self.close_after = True
            if not head.close:
                extra += "Connection: close\r\n"
        elif self.version == "1.0":
            extra += "Connection: keep-alive\r\n"
        head_bytes = head.lines + (extra + "\r\n").encode("latin-1")
        if no_body or not data:
            self._send(head_bytes)
        elif self.chunked:
            self._send(head_bytes + chunk(data) if len(data) <= JOIN_LIMIT else head_bytes)
            if len(data) > JOIN_LIMIT:
                self._sendall(chunk(data))
            self.sent += len(data)
        else:
            if head.content_length is not None and len(data) > head.content_length:
                self._send(head_bytes)
                self._send_fixed(data)
            elif len(data) <= JOIN_LIMIT:
                self._send(head_bytes + data)
            else:
                self._send(head_bytes)
                self._sendall(data)
            self.sent += len(data)

    def _send(self, data: bytes) -> None:
        """One ``send``; ``sendall`` only for what the kernel did not take (gevent's ``sendall`` asks
        for ``SO_SNDBUF`` first, a second system call)."""
        try:
            sent = self.socket.send(data)
            if sent < len(data):
                self.socket.sendall(memoryview(data)[sent:])
        except OSError as exc:
            raise ClientGone(exc) from None

    def _sendall(self, data: bytes) -> None:
        try:
            self.socket.sendall(data)
        except OSError as exc:
            raise ClientGone(exc) from None


class ClientGone(Exception):
    """A write to the client failed: the connection is over (logged at debug)."""

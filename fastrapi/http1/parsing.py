"""Request parsing: httptools (llhttp, Node's parser) for the framing, and the checks llhttp leaves to us.

llhttp refuses duplicate or malformed ``Content-Length``, ``Content-Length`` with ``Transfer-Encoding``, bad
chunk sizes, obs-fold, bare CR/LF and invalid tokens. On top of it: ``Transfer-Encoding`` must be exactly
``chunked`` (we decode no other coding), HTTP/1.1 needs exactly one ``Host``, only HTTP/1.0 and 1.1 are
spoken, and the head is bounded in bytes and header count.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import httptools

MAX_HEAD_BYTES = 64 * 1024  # a request line and headers; a larger head is refused with 431 (414 while in the URL)
MAX_HEADERS = 100


class Refusal(Exception):
    """The request cannot be served: answer ``status`` (with ``reason`` as the body) and close."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


BAD_REQUEST = "400 Bad Request"


class ParsedRequest:
    """One request as the parser saw it: head fields, then body chunks as they arrive."""

    __slots__ = (
        "method", "target", "version", "headers", "keep_alive", "upgrade", "chunks", "complete", "broken",
        "expect_continue",
    )

    def __init__(self) -> None:
        self.method = ""
        self.target = b""
        self.version = "1.1"
        self.headers: list[tuple[bytes, bytes]] = []
        self.keep_alive = True
        self.upgrade = False
        self.chunks: deque[bytes] = deque()
        self.complete = False  # the whole body has been parsed
        self.broken = False  # the body's framing failed part-way
        self.expect_continue = False


class RequestParser:
    """Feeds bytes to llhttp and queues the requests whose heads are complete (``ready``).

    After ``feed`` raised :class:`Refusal`, the connection must be closed once the requests already in
    ``ready`` are answered; a request whose body was cut off by the error is marked ``broken``.
    """

    __slots__ = ("_parser", "_current", "_url", "_head_bytes", "_pending_bytes", "_in_head", "ready", "stopped",
                 "upgrade_data")

    def __init__(self) -> None:
        self._parser = httptools.HttpRequestParser(self)
        self._current: ParsedRequest | None = None
        self._url: list[bytes] = []
        self._head_bytes = 0
        self._pending_bytes = 0
        self._in_head = False
        self.ready: deque[ParsedRequest] = deque()
        self.stopped = False  # a request that ends the connection was parsed: ignore what follows
        self.upgrade_data = b""  # the bytes after an Upgrade request, for whoever takes the connection over

    @property
    def in_message(self) -> bool:
        """Bytes of a request that is not yet complete have been read."""
        return self._current is not None

    def feed(self, data: bytes) -> None:
        """Parse ``data``; raises :class:`Refusal` for a request that must not be served."""
        if self.stopped:
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade as upgrade:
            self.stopped = True  # Upgrade or CONNECT: the bytes after the head are not HTTP/1.1 for us
            offset = upgrade.args[0] if upgrade.args and isinstance(upgrade.args[0], int) else len(data)
            self.upgrade_data = data[offset:]
        except httptools.HttpParserError as exc:
            self.stopped = True
            cause = exc.__context__
            if isinstance(cause, _StopParsing):
                return
            current = self._current
            if current is not None and not self._in_head:
                current.broken = True  # the body's framing failed: its reader raises MalformedBody
                return
            raise cause if isinstance(cause, Refusal) else Refusal(BAD_REQUEST, "Invalid HTTP request received.")
        if self._in_head:
            # The callbacks bound the lines that ended; this bounds one that has not (llhttp keeps it). The
            # count can include the end of the request before, hence the slack of a second limit.
            self._pending_bytes += len(data)
            if self._pending_bytes > 2 * MAX_HEAD_BYTES:
                self.stopped = True
                current = self._current
                if current is not None and not current.headers:
                    raise Refusal("414 URI Too Long", "Request line too long")
                raise Refusal("431 Request Header Fields Too Large", "Request headers too large")

    # -- llhttp callbacks ------------------------------------------------------------------------
    def on_message_begin(self) -> None:
        self._current = ParsedRequest()
        self._url = []
        self._in_head = True
        self._head_bytes = 14  # what the callbacks have seen of this head: " ", " HTTP/1.1\r\n", "\r\n" so far
        self._pending_bytes = 0  # bytes fed while this head was incomplete

    def on_url(self, piece: bytes) -> None:
        self._url.append(piece)
        self._head_bytes += len(piece)
        if self._head_bytes > MAX_HEAD_BYTES:
            raise Refusal("414 URI Too Long", "Request line too long")

    def on_header(self, name: bytes, value: bytes) -> None:
        request = self._current
        assert request is not None
        headers = request.headers
        if len(headers) == MAX_HEADERS:
            raise Refusal("431 Request Header Fields Too Large", "Too many headers")
        self._head_bytes += len(name) + len(value) + 4
        if self._head_bytes > MAX_HEAD_BYTES:
            raise Refusal("431 Request Header Fields Too Large", "Request headers too large")
        headers.append((name, value))

    def on_headers_complete(self) -> None:
        request = self._current
        assert request is not None
        parser = self._parser
        target = request.target = b"".join(self._url)
        method = request.method = parser.get_method().decode("ascii")
        self._head_bytes += len(method)
        if self._head_bytes > MAX_HEAD_BYTES:
            raise Refusal("431 Request Header Fields Too Large", "Request headers too large")
        if method == "CONNECT":
            raise Refusal("501 Not Implemented", "CONNECT is not supported")  # we are no proxy
        if target[:1] != b"/" and not _valid_other_target(method, target):
            raise Refusal(BAD_REQUEST, "Invalid request target")
        version = request.version = parser.get_http_version()
        if version not in ("1.1", "1.0"):
            raise Refusal("505 HTTP Version Not Supported", "HTTP version not supported")
        request.keep_alive = parser.should_keep_alive()
        request.upgrade = parser.should_upgrade()
        hosts = 0
        for name, value in request.headers:
            lowered = name.lower()
            if lowered == b"host":
                hosts += 1
            elif lowered == b"transfer-encoding":
                # PERF: only requests with these headers pay for the checks below
                if version == "1.0":
                    raise Refusal(BAD_REQUEST, "Transfer-Encoding in an HTTP/1.0 request")
                if value.strip(b" \t").lower() != b"chunked":
                    raise Refusal("501 Not Implemented", "Unsupported Transfer-Encoding")
            elif lowered == b"expect":
                request.expect_continue = version == "1.1" and value.strip(b" \t").lower() == b"100-continue"
        if hosts != 1 and (version == "1.1" or hosts > 1):
            raise Refusal(BAD_REQUEST, "Missing Host header" if not hosts else "More than one Host header")
        self._in_head = False
        self.ready.append(request)

    def on_body(self, data: bytes) -> None:
        request = self._current
        assert request is not None
        request.chunks.append(data)

    def on_message_complete(self) -> None:
        request = self._current
        assert request is not None
        request.complete = True
        self._current = None
        if not request.keep_alive:
            self.stopped = True
            raise _StopParsing()
        # An upgrade ends the message too: llhttp pauses after it and feed() keeps the bytes that follow.


class _StopParsing(Exception):
    """Raised from a callback to make llhttp stop at the end of a request that ends the connection."""


def _valid_other_target(method: str, target: bytes) -> bool:
    """``*`` for OPTIONS, or an absolute ``http(s)://authority...`` target (RFC 9112 §3.2)."""
    if target == b"*":
        return method == "OPTIONS"
    try:
        url: Any = httptools.parse_url(target)
    except httptools.HttpParserInvalidURLError:
        return False
    return bool(url.host) and (url.schema or b"").lower() in (b"http", b"https")


def parse_target(target: bytes) -> tuple[bytes, bytes, bytes | None]:
    """``(path, query, authority)`` of a request target; ``authority`` only for the absolute form."""
    if target[:1] == b"/":
        path, _, query = target.partition(b"?")
        return path.partition(b"#")[0], query.partition(b"#")[0], None
    if target == b"*":
        return b"*", b"", None
    url: Any = httptools.parse_url(target)  # absolute-form (RFC 9112 §3.2.2) or authority-form (CONNECT)
    authority = url.host
    if authority and url.port:
        authority += b":%d" % url.port
    return url.path or b"/", url.query or b"", authority

"""Response heads: the WSGI status and headers checked, framed and rendered once, at ``start_response``.

A header whose name is not a token, or whose value holds a control byte (NUL, CR, LF, ``\\x0b``, ``\\x7f``...),
is refused before anything is sent: a header injected through app data never reaches the wire.
"""

from __future__ import annotations

import re
import time
from email.utils import formatdate

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_STATUS = re.compile(r"[1-9][0-9][0-9](?: [^\x00-\x08\x0a-\x1f\x7f]*)?\Z")
_checked_names: set[str] = set()  # PERF: a name is checked once per process (bounded below)
_MAX_CHECKED = 1024


class ResponseHead:
    """A checked status line and headers, and what they say about framing."""

    __slots__ = ("code", "lines", "content_length", "close", "has_date")

    def __init__(self, code: int, lines: bytes, content_length: int | None, close: bool, has_date: bool) -> None:
        self.code = code
        self.lines = lines  # b"HTTP/1.1 <status>\r\n" and the app's header lines, without the blank line
        self.content_length = content_length
        self.close = close  # the app asked for Connection: close
        self.has_date = has_date


def check_response_head(status: str, headers: list[tuple[str, str]]) -> ResponseHead:
    """Check what an app passed to ``start_response``; raises ``ValueError``/``TypeError`` naming what is wrong."""
    if type(status) is not str or not _STATUS.match(status):
        raise ValueError(f"Invalid response status {status!r}")
    parts = ["HTTP/1.1 ", status, "\r\n"]
    content_length = None
    close = has_date = False
    for name, value in headers:
        if name not in _checked_names:
            if type(name) is not str or not _TOKEN.match(name):
                raise ValueError(f"Invalid response header name {name!r}")
            if len(_checked_names) < _MAX_CHECKED:
                _checked_names.add(name)
        if type(value) is not str:
            raise TypeError(f"Response header {name!r} has a value of type {type(value).__name__}, not str")
        if _BAD_VALUE.search(value):
            raise ValueError(f"Response header {name!r} has a control character in its value")
        key = name.lower()
        if key == "content-length":
            if not value.isdigit() or not value.isascii():
                raise ValueError(f"Invalid Content-Length response header {value!r}")
            content_length = int(value)
        elif key == "connection":
            close = "close" in value.lower()
        elif key == "transfer-encoding":
            continue  # hop-by-hop (PEP 3333): the server frames the body itself
        elif key == "date":
            has_date = True
        parts += (name, ": ", value, "\r\n")
    try:
        lines = "".join(parts).encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError("A response header or the status holds a character outside Latin-1") from None
    return ResponseHead(int(status[:3]), lines, content_length, close, has_date)


_date_second = 0
_date_line = ""


def date_line() -> str:
    """``Date: ...\\r\\n`` for now, formatted once a second."""
    global _date_second, _date_line
    now = int(time.time())
    if now != _date_second:
        _date_second = now
        _date_line = f"Date: {formatdate(now, usegmt=True)}\r\n"
    return _date_line


def chunk(data: bytes) -> bytes:
    """``data`` as one chunk of a chunked body."""
    return b"%x\r\n%b\r\n" % (len(data), data)


LAST_CHUNK = b"0\r\n\r\n"
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def error_response(status: str, text: str) -> bytes:
    """A whole plain-text response that closes the connection (for requests no app sees)."""
    body = text.encode()
    return (f"HTTP/1.1 {status}\r\n{date_line()}Content-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode("latin-1") + body

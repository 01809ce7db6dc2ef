"""Request header parsing for gevent's pywsgi handlers, without the ``email`` package.

pywsgi reads headers with ``http.client.parse_headers``, which feeds them through ``email``'s
``FeedParser``: about a quarter of the embedded server's CPU on a hello. ``FastHeaderParsing``
reads the header lines itself, with the same limits, and is stricter where ``email`` is lenient:
a line that is not ``name: value`` (``email`` silently ended the headers there), whitespace
before the colon, a bare CR or a NUL is answered 400, as RFC 9112 asks. Folded lines (obs-fold)
are joined with a space.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAX_LINE = 65536  # http.client's limits
MAX_HEADERS = 100
_END = (b"\r\n", b"\n", b"")
_IGNORED = ("CONTENT_TYPE", "CONTENT_LENGTH")  # pywsgi sets these from the headers itself


class RequestHeaders:
    """The request's headers as pywsgi's handler uses them (``get``, ``del``, ``status``...)."""

    __slots__ = ("_items", "_first", "status")

    def __init__(self, items: list[tuple[str, str]], status: str = "") -> None:
        self._items = items
        self._first: dict[str, str] = {}
        for name, value in items:
            self._first.setdefault(name.lower(), value)
        # Non-empty when the headers are unusable: pywsgi answers 400 with it.
        self.status = status

    def get(self, name: str, default: Any = None) -> Any:
        return self._first.get(name.lower(), default)

    getheader = get

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._first

    def __getitem__(self, name: str) -> str | None:
        return self._first.get(name.lower())  # as email.message.Message: None when missing

    def __delitem__(self, name: str) -> None:
        lowered = name.lower()
        self._items = [(k, v) for k, v in self._items if k.lower() != lowered]
        self._first.pop(lowered, None)

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)

    @property
    def headers(self) -> Iterator[str]:
        """The header lines, as ``mimetools.Message.headers`` gave them."""
        for name, value in self._items:
            yield f"{name}: {value}\r\n"

    @property
    def typeheader(self) -> str | None:
        return self._first.get("content-type")


def read_request_headers(rfile: Any) -> RequestHeaders:
    """Read header lines from ``rfile`` up to the blank line."""
    items: list[tuple[str, str]] = []
    while True:
        line = rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            return RequestHeaders([], "Line too long")
        if line in _END:
            return RequestHeaders(items)
        text = line.decode("iso-8859-1").rstrip("\r\n")
        if "\r" in text or "\x00" in text:
            return RequestHeaders([], "Invalid character in header")
        if text[0] in " \t":  # obs-fold: continues the previous value
            if not items:
                return RequestHeaders([], "Invalid header folding")
            name, value = items[-1]
            items[-1] = (name, value + " " + text.strip(" \t"))
            continue
        name, colon, value = text.partition(":")
        if not colon or not name or name != name.strip(" \t"):
            return RequestHeaders([], "Invalid header line")
        if len(items) == MAX_HEADERS:
            return RequestHeaders([], "Too many headers")
        items.append((name, value.strip(" \t")))


class FastHeaderParsing:
    """Mix into a ``gevent.pywsgi.WSGIHandler`` subclass (before it) to parse headers as above."""

    headers: RequestHeaders

    def MessageClass(self, rfile: Any, *args: Any) -> RequestHeaders:
        return read_request_headers(rfile)

    def _headers(self) -> Iterator[tuple[str, str]]:
        """``HTTP_*`` environ items; names with an underscore are dropped, as pywsgi does."""
        for name, value in self.headers._items:
            if "_" in name:
                continue
            key = name.replace("-", "_").upper()
            if key not in _IGNORED:
                yield "HTTP_" + key, value

"""``wsgi.input`` for fastrapi's server: a request's body, pulled through the parser as the app reads it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from fastrapi.exceptions import MalformedBody
from fastrapi.http1.parsing import ParsedRequest


class BodySource(Protocol):
    """What a body needs of its connection."""

    def pull(self, request: ParsedRequest) -> None:
        """Read more of the connection into ``request.chunks``; raise ``ClientDisconnect`` at EOF."""


class RequestBody:
    """The body of one request: ``read``, ``readline``, ``readlines`` and iteration, as PEP 3333 asks.

    Ends (``b""``) where the request's body ends, whatever the framing. Raises ``MalformedBody`` when
    the framing breaks and ``ClientDisconnect`` when the client goes away before the end.
    """

    __slots__ = ("_source", "_request", "_pending")

    def __init__(self, source: BodySource, request: ParsedRequest) -> None:
        self._source = source
        self._request = request
        self._pending = b""  # what a readline read past the line's end

    def _next_chunk(self) -> bytes:
        if self._pending:
            chunk, self._pending = self._pending, b""
            return chunk
        request = self._request
        chunks = request.chunks
        while not chunks:
            if request.complete:
                return b""
            if request.broken:
                raise MalformedBody("Invalid chunked body")
            self._source.pull(request)
        return chunks.popleft()

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            parts = []
            while chunk := self._next_chunk():
                parts.append(chunk)
            return b"".join(parts)
        if size == 0:
            return b""
        chunk = self._next_chunk()
        if len(chunk) > size:
            chunk, self._pending = chunk[:size], chunk[size:]
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        limit = size if size is not None and size >= 0 else None
        line = bytearray()
        while limit is None or len(line) < limit:
            chunk = self._next_chunk()
            if not chunk:
                break
            end = chunk.find(b"\n") + 1 or len(chunk)
            if limit is not None:
                end = min(end, limit - len(line))
            line += chunk[:end]
            if end < len(chunk):
                self._pending = chunk[end:]
            if line.endswith(b"\n"):
                break
        return bytes(line)

    def readlines(self, hint: int = -1) -> list[bytes]:
        lines = []
        total = 0
        while line := self.readline():
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                break
        return lines

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def finished(self) -> bool:
        """The whole body has been read by the app (nothing is left to discard)."""
        return self._request.complete and not self._request.chunks and not self._pending

"""``GZipMiddleware``: gzip-compresses responses for clients that accept it (Starlette's rules).

A response with a ``Content-Length`` whose first chunk is the whole body is compressed in one go
when at least ``minimum_size`` bytes, and gets the new length. Anything else (a stream, a large
file) is compressed chunk by chunk, each flushed, so a stream keeps flowing, and is sent without
a length. Responses already encoded, partial (206) or of an excluded type pass untouched.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from fastrapi.concurrency import in_gevent_greenlet, run_in_threadpool
from fastrapi.datastructures import MutableHeaders
from fastrapi.websockets import is_websocket_request

if TYPE_CHECKING:
    from zlib import _Compress  # the stub's name for what compressobj() returns

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

DEFAULT_EXCLUDED_CONTENT_TYPES = (
    "application/grpc", "application/gzip", "application/x-gzip", "application/zip", "audio/*", "font/woff",
    "font/woff2", "image/avif", "image/gif", "image/jpeg", "image/png", "image/webp", "text/event-stream", "video/*",
)


class GZipMiddleware:
    """``app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=5)``."""

    def __init__(
        self,
        app: WSGIApp,
        minimum_size: int = 500,
        compresslevel: int = 9,
        thread_minimum_size: int = 128 * 1024,
        *,
        exclude_content_types: tuple[str, ...] = DEFAULT_EXCLUDED_CONTENT_TYPES,
    ) -> None:
        self.app = app
        self.minimum_size = minimum_size
        self.compresslevel = compresslevel
        self.thread_minimum_size = thread_minimum_size
        self.exclude_content_types = frozenset(t.partition(";")[0].strip().lower() for t in exclude_content_types)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if "HTTP_UPGRADE" in environ and is_websocket_request(environ):
            return self.app(environ, start_response)  # a WebSocket has no body to compress
        gzip = "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "")
        started: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            started[:] = [status, headers, exc_info]
            return _no_write

        body = self.app(environ, capture)
        return _GZipBody(self, gzip, body, started, start_response)

    def excluded(self, status: str, headers: MutableHeaders) -> bool:
        """Whether a response passes untouched: already encoded, partial or of an excluded type."""
        if "content-encoding" in headers or status.startswith("206"):
            return True
        media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
        types = {media_type, media_type.partition("/")[0] + "/*"}
        if media_type.startswith("application/grpc+"):
            types.add("application/grpc")
        return not types.isdisjoint(self.exclude_content_types)

    def compress(self, compressor: _Compress, chunk: bytes, final: bool) -> bytes:
        """Compress ``chunk``; large ones in a worker thread so the server keeps serving."""
        if len(chunk) >= self.thread_minimum_size and in_gevent_greenlet():
            return run_in_threadpool(_compress, compressor, chunk, final)
        return _compress(compressor, chunk, final)

    def compressor(self) -> _Compress:
        return zlib.compressobj(self.compresslevel, zlib.DEFLATED, 16 + zlib.MAX_WBITS)


def _compress(compressor: _Compress, chunk: bytes, final: bool) -> bytes:
    return compressor.compress(chunk) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)


def _no_write(data: bytes) -> None:
    raise RuntimeError("GZipMiddleware does not support the WSGI write() callable")


def _add_vary(headers: MutableHeaders) -> None:
    headers["vary"] = ", ".join([*headers.getlist("vary"), "Accept-Encoding"])


class _GZipBody:
    """The response body, compressed as it is sent; ``close()`` reaches the app's body."""

    __slots__ = ("_middleware", "_gzip", "_body", "_started", "_start_response")

    def __init__(self, middleware: GZipMiddleware, gzip: bool, body: Iterable[bytes], started: list[Any],
                 start_response: Callable[..., Any]) -> None:
        self._middleware = middleware
        self._gzip = gzip
        self._body = body
        self._started = started
        self._start_response = start_response

    def close(self) -> None:
        close = getattr(self._body, "close", None)
        if close is not None:
            close()

    def __iter__(self) -> Iterator[bytes]:
        middleware = self._middleware
        chunks = iter(self._body)
        first = next(chunks, None)  # a lazy app calls start_response here
        status, raw_headers, exc_info = self._started
        headers = MutableHeaders(raw_headers)
        start = self._start_response
        if first is None or middleware.excluded(status, headers):
            start(status, raw_headers, exc_info)
            if first is not None:
                yield first
                yield from chunks
            return
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) == len(first):
            # The whole body in one chunk.
            if len(first) < middleware.minimum_size:
                start(status, raw_headers, exc_info)
                yield first
                yield from chunks
                return
            _add_vary(headers)
            if self._gzip:
                first = middleware.compress(middleware.compressor(), first, final=True)
                headers["content-encoding"] = "gzip"
                headers["content-length"] = str(len(first))
            start(status, headers.raw(), exc_info)
            yield first
            yield from chunks
            return
        # A stream: compress each chunk and flush it, so it leaves at once.
        _add_vary(headers)
        if not self._gzip:
            start(status, headers.raw(), exc_info)
            yield first
            yield from chunks
            return
        headers["content-encoding"] = "gzip"
        del headers["content-length"]
        start(status, headers.raw(), exc_info)
        compressor = middleware.compressor()
        chunk: bytes | None = first
        while chunk is not None:
            if chunk:
                out = middleware.compress(compressor, chunk, final=False)
                if out:
                    yield out
            chunk = next(chunks, None)
        yield compressor.flush(zlib.Z_FINISH)

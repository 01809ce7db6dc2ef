"""Responses. Each is a WSGI application; its body iterable's ``close()`` finishes the request."""

from __future__ import annotations

import contextvars
import hashlib
import http
import importlib
import json
import mimetypes
import os
import stat
from collections.abc import AsyncIterable, Callable, Iterable, Iterator, Mapping
from datetime import datetime, timezone
from email.utils import format_datetime, formatdate
from functools import partial
from http.cookies import SimpleCookie
from typing import Any, Literal
from urllib.parse import quote

from typing_extensions import deprecated

from fastrapi import ranges
from fastrapi.background import BackgroundTask, flatten, runner_for
from fastrapi.datastructures import URL, MutableHeaders, RawHeaders
from fastrapi.exceptions import FastAPIDeprecationWarning
from fastrapi.ranges import FileChunks
from fastrapi.stream_steps import Steps, iterate, steps_for

StartResponse = Callable[..., Any]
FILE_CHUNK_SIZE = 64 * 1024

_STATUS_LINES: dict[int, str] = {}


def status_line(code: int) -> str:
    """``"200 OK"`` for 200; cached, unknown codes get an empty reason."""
    line = _STATUS_LINES.get(code)
    if line is None:
        try:
            phrase = http.HTTPStatus(code).phrase
        except ValueError:
            phrase = ""
        line = _STATUS_LINES[code] = f"{code} {phrase}".rstrip()
    return line


def no_body_status(code: int) -> bool:
    """Whether a response with this status carries no body (1xx, 204, 304)."""
    return code < 200 or code in (204, 304)


def hand_over(environ: dict[str, Any], background: BackgroundTask | None,
              cleanup: Callable[[], None] | None = None) -> Callable[[], None]:
    """The call a body's ``close()`` makes to give ``background``'s tasks, then ``cleanup``, to the
    app's runner, with a copy of the current context (the tasks see the request's context variables)."""
    tasks = flatten(background) if background is not None else []
    return partial(runner_for(environ).finish, environ, tasks, cleanup, contextvars.copy_context())


def json_headers(body: bytes) -> list[tuple[str, str]]:
    """The headers ``JSONResponse`` sends with ``body``."""
    return [("content-length", str(len(body))), ("content-type", "application/json")]


class ClosingBody:
    """A body iterable that closes the inner one, then calls ``on_close`` exactly once."""

    __slots__ = ("_chunks", "_on_close")

    def __init__(self, chunks: Iterable[bytes], on_close: Callable[[], None]) -> None:
        self._chunks = chunks
        self._on_close: Callable[[], None] | None = on_close

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._chunks)

    def close(self) -> None:
        on_close, self._on_close = self._on_close, None
        try:
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()
        finally:
            if on_close is not None:
                on_close()


class Response:
    """A response with a fixed body: ``Response(content, status_code, headers, media_type, background)``."""

    media_type: str | None = None
    charset = "utf-8"

    def __init__(
        self,
        content: Any = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        self.status_code = status_code
        if media_type is not None:
            self.media_type = media_type
        self.background = background
        self.body = self.render(content)
        self.init_headers(headers)

    def render(self, content: Any) -> bytes:
        if content is None:
            return b""
        if isinstance(content, (bytes, memoryview)):
            return bytes(content)
        encoded: bytes = content.encode(self.charset)
        return encoded

    def init_headers(self, headers: Mapping[str, str] | None = None) -> None:
        self.headers = MutableHeaders(headers)
        body = getattr(self, "body", None)
        if body is not None and "content-length" not in self.headers and not no_body_status(self.status_code):
            self.headers.append("content-length", str(len(body)))
        media_type = self.media_type
        if media_type is not None and "content-type" not in self.headers:
            if media_type.startswith("text/") and "charset=" not in media_type.lower():
                media_type = f"{media_type}; charset={self.charset}"
            self.headers.append("content-type", media_type)

    @property
    def raw_headers(self) -> RawHeaders:
        """The headers as (bytes, bytes) pairs, live: appending to it adds a header (as in Starlette)."""
        return RawHeaders(self.headers)

    @raw_headers.setter
    def raw_headers(self, pairs: Iterable[tuple[bytes, bytes]]) -> None:
        RawHeaders(self.headers)[:] = list(pairs)

    def set_cookie(
        self,
        key: str,
        value: str = "",
        max_age: int | None = None,
        expires: datetime | str | int | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: Literal["lax", "strict", "none"] | None = "lax",
        partitioned: bool = False,
    ) -> None:
        """Add a ``Set-Cookie`` header."""
        cookie: SimpleCookie = SimpleCookie()
        cookie[key] = value
        morsel = cookie[key]
        if max_age is not None:
            morsel["max-age"] = max_age
        if expires is not None:
            if isinstance(expires, datetime):
                morsel["expires"] = format_datetime(expires.astimezone(timezone.utc), usegmt=True)
            else:
                morsel["expires"] = expires
        if path is not None:
            morsel["path"] = path
        if domain is not None:
            morsel["domain"] = domain
        if secure:
            morsel["secure"] = True
        if httponly:
            morsel["httponly"] = True
        if samesite is not None:
            if samesite.lower() not in ("strict", "lax", "none"):
                raise ValueError("samesite must be either 'strict', 'lax' or 'none'")
            morsel["samesite"] = samesite
        text = cookie.output(header="").strip()
        if partitioned:
            text += "; Partitioned"
        self.headers.append("set-cookie", text)

    def delete_cookie(
        self,
        key: str,
        path: str = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: Literal["lax", "strict", "none"] | None = "lax",
    ) -> None:
        """Expire the cookie ``key`` in the client."""
        self.set_cookie(key, max_age=0, expires=0, path=path, domain=domain, secure=secure,
                        httponly=httponly, samesite=samesite)

    # -- WSGI -------------------------------------------------------------------------------
    def iter_body(self, environ: dict[str, Any]) -> Iterable[bytes]:
        """The body chunks for this request."""
        return [self.body] if self.body else []

    def start(self, start_response: StartResponse) -> None:
        start_response(status_line(self.status_code), self.headers.raw())

    def body_iterable(self, environ: dict[str, Any], on_close: Callable[[], None] | None = None) -> Iterable[bytes]:
        """What the server writes; its ``close()`` calls ``on_close`` once, after the last byte."""
        if environ.get("REQUEST_METHOD") == "HEAD":
            return ClosingBody([], on_close) if on_close is not None else []
        body = self.iter_body(environ)
        return body if on_close is None else ClosingBody(body, on_close)

    def finisher(self, environ: dict[str, Any]) -> Callable[[], None] | None:
        """What the body's ``close()`` must call: hand the background tasks to the runner."""
        return None if self.background is None else hand_over(environ, self.background)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        self.start(start_response)
        return self.body_iterable(environ, self.finisher(environ))


class HTMLResponse(Response):
    media_type = "text/html"


class PlainTextResponse(Response):
    media_type = "text/plain"


class JSONResponse(Response):
    """JSON of ``content``, compact and UTF-8, as FastAPI writes it."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None,
                          separators=(",", ":")).encode("utf-8")


def json_bytes_response(body: bytes, status_code: int = 200) -> JSONResponse:
    """A ``JSONResponse`` around already-encoded JSON, without encoding again.

    PERF: the app's hot path and the 422 handler build their body with one encode; this skips
    ``__init__`` (render and header assembly). No body for 1xx, 204 and 304, as FastAPI does.
    """
    response = Response.__new__(JSONResponse)
    response.status_code = status_code
    response.background = None
    headers = MutableHeaders.__new__(MutableHeaders)
    if no_body_status(status_code):
        response.body = b""
        headers._items = [("content-type", "application/json")]
    else:
        response.body = body
        headers._items = json_headers(body)
    response.headers = headers
    return response


class RedirectResponse(Response):
    """A redirect (307 by default) to ``url``."""

    def __init__(self, url: str, status_code: int = 307, headers: Mapping[str, str] | None = None,
                 background: BackgroundTask | None = None) -> None:
        super().__init__(content=b"", status_code=status_code, headers=headers, background=background)
        self.headers["location"] = quote(str(url), safe=":/%#?=@[]!$&'()*+,;")


class StreamingResponse(Response):
    """A body produced by a sync or async iterator, sent as it comes (no Content-Length)."""

    def __init__(
        self,
        content: Iterable[Any] | AsyncIterable[Any],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        self.content = content
        self.status_code = status_code
        if media_type is not None:
            self.media_type = media_type
        self.background = background
        self.init_headers(headers)

    def iter_body(self, environ: dict[str, Any]) -> Iterable[bytes]:
        if isinstance(self.content, (list, tuple)):  # nothing that could block, nothing to close
            return [_encoded(chunk, self.charset) for chunk in self.content]
        return StepChunks(steps_for(self.content), self.charset)


def _encoded(chunk: Any, charset: str) -> bytes:
    return chunk if isinstance(chunk, bytes) else bytes(chunk) if isinstance(chunk, (bytearray, memoryview)) \
        else chunk.encode(charset)


class StepChunks:
    """Encodes the str chunks of an iterator's steps; ``close()`` stops the iterator (a client that
    went away runs the generator's ``finally``)."""

    __slots__ = ("_steps", "_charset")

    def __init__(self, steps: Steps, charset: str) -> None:
        self._steps = steps
        self._charset = charset

    def __iter__(self) -> Iterator[bytes]:
        charset = self._charset
        for chunk in iterate(self._steps):
            yield _encoded(chunk, charset)

    def close(self) -> None:
        self._steps.close()


class FileResponse(Response):
    """A file from disk, sent through the server's ``wsgi.file_wrapper`` when it has one."""

    chunk_size = FILE_CHUNK_SIZE

    def __init__(
        self,
        path: str | os.PathLike[str],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
        filename: str | None = None,
        stat_result: os.stat_result | None = None,
        method: str | None = None,
        content_disposition_type: str = "attachment",
    ) -> None:
        self.path = path
        self.status_code = status_code
        self.filename = filename
        self.background = background
        if media_type is None:
            media_type = mimetypes.guess_type(filename or str(path))[0] or "application/octet-stream"
        self.media_type = media_type
        self.init_headers(headers)
        if filename is not None:
            quoted = quote(filename)
            if quoted != filename:
                disposition = f"{content_disposition_type}; filename*=utf-8''{quoted}"
            else:
                disposition = f'{content_disposition_type}; filename="{filename}"'
            self.headers.setdefault("content-disposition", disposition)
        self.stat_result = stat_result
        if stat_result is not None:
            self._set_stat_headers(stat_result)

    def _set_stat_headers(self, st: os.stat_result) -> None:
        self.headers.setdefault("accept-ranges", "bytes")
        self.headers.setdefault("content-length", str(st.st_size))
        self.headers.setdefault("last-modified", formatdate(st.st_mtime, usegmt=True))
        etag = hashlib.md5(f"{st.st_mtime}-{st.st_size}".encode(), usedforsecurity=False).hexdigest()
        self.headers.setdefault("etag", f'"{etag}"')

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.stat_result is None:
            try:
                st = os.stat(self.path)
            except FileNotFoundError:
                raise RuntimeError(f"File at path {self.path} does not exist.") from None
            if not stat.S_ISREG(st.st_mode):
                raise RuntimeError(f"File at path {self.path} is not a file.")
            self.stat_result = st
            self._set_stat_headers(st)
        if self.status_code == 200 and "HTTP_RANGE" in environ:
            partial = self._partial(environ, start_response)
            if partial is not None:
                return partial
        return super().__call__(environ, start_response)

    def _partial(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes] | None:
        """A 206 (or 400/416) answer to ``Range``; None to send the whole file instead."""
        if_range = environ.get("HTTP_IF_RANGE")
        if if_range is not None and (if_range.startswith("W/") or if_range not in (
                self.headers.get("last-modified"), self.headers.get("etag"))):
            return None
        size = self.stat_result.st_size  # type: ignore[union-attr]
        try:
            wanted = ranges.parse_range(environ["HTTP_RANGE"], size)
        except ranges.MalformedRange as exc:
            return PlainTextResponse(exc.message, 400, background=self.background)(environ, start_response)
        except ranges.RangeNotSatisfiable:
            error = PlainTextResponse(status_code=416, headers={"Content-Range": f"bytes */{size}"},
                                      background=self.background)
            return error(environ, start_response)
        if not wanted:
            return None
        head = environ.get("REQUEST_METHOD") == "HEAD"
        body: Iterable[bytes] = []
        if len(wanted) == 1:
            start, end = wanted[0]
            headers = {"content-range": f"bytes {start}-{end - 1}/{size}", "content-length": str(end - start)}
            if not head:
                body = ranges.single_range(environ, self.path, start, end, self.chunk_size)
        else:
            boundary, parts, tail, length = ranges.multipart_layout(wanted, size, self.headers["content-type"])
            headers = {"content-type": f"multipart/byteranges; boundary={boundary}", "content-length": str(length)}
            if not head:
                body = ranges.multiple_ranges(self.path, wanted, parts, tail, self.chunk_size)
        start_response(status_line(206), ranges.replace_headers(self.headers.raw(), headers))
        on_close = self.finisher(environ)
        return body if on_close is None else ClosingBody(body, on_close)

    def body_iterable(self, environ: dict[str, Any], on_close: Callable[[], None] | None = None) -> Iterable[bytes]:
        wrapper = environ.get("wsgi.file_wrapper")
        if wrapper is None or environ.get("REQUEST_METHOD") == "HEAD":
            return super().body_iterable(environ, on_close)
        # gunicorn recognises its wrapper by type (to use sendfile), so the close hook goes
        # inside, on the file the wrapper closes.
        file = open(self.path, "rb")  # noqa: SIM115  (the wrapper closes it, with the body)
        wrapped: Iterable[bytes] = wrapper(_ClosingFile(file, on_close), self.chunk_size)
        return wrapped

    def iter_body(self, environ: dict[str, Any]) -> Iterable[bytes]:
        return FileChunks(open(self.path, "rb"), self.chunk_size)


class _ClosingFile:
    """A file whose ``close()`` also calls ``on_close`` once."""

    def __init__(self, file: Any, on_close: Callable[[], None] | None) -> None:
        self._file = file
        self._on_close = on_close
        self.read = file.read
        self.fileno = file.fileno
        self.seek = file.seek
        self.tell = file.tell

    def close(self) -> None:
        on_close, self._on_close = self._on_close, None
        try:
            self._file.close()
        finally:
            if on_close is not None:
                on_close()


def _optional_module(name: str, user: str) -> Any:
    """The module ``name`` of an optional extra, or an ImportError saying how to install it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise ImportError(f"{user} needs the {name} package: pip install 'fastrapi[{name}]' (or pip install {name})")


_JSON_CLASS_DEPRECATED = (
    "{} is deprecated, as in FastAPI: a return type or response_model is already encoded straight to JSON "
    "bytes by pydantic, which is faster and needs no custom response class"
)


@deprecated(_JSON_CLASS_DEPRECATED.format("UJSONResponse"), category=FastAPIDeprecationWarning, stacklevel=2)
class UJSONResponse(JSONResponse):
    """JSON written by ``ujson`` (the ``ujson`` extra). Deprecated in FastAPI, kept for programs using it."""

    def render(self, content: Any) -> bytes:
        ujson = _optional_module("ujson", type(self).__name__)
        text: str = ujson.dumps(content, ensure_ascii=False)
        return text.encode("utf-8")


@deprecated(_JSON_CLASS_DEPRECATED.format("ORJSONResponse"), category=FastAPIDeprecationWarning, stacklevel=2)
class ORJSONResponse(JSONResponse):
    """JSON written by ``orjson`` (the ``orjson`` extra), non-str keys and numpy values allowed, as FastAPI's.
    Deprecated in FastAPI, kept for programs using it."""

    def render(self, content: Any) -> bytes:
        orjson = _optional_module("orjson", type(self).__name__)
        body: bytes = orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY)
        return body


__all__ = [
    "FileResponse", "HTMLResponse", "JSONResponse", "ORJSONResponse", "PlainTextResponse", "RedirectResponse",
    "Response", "StreamingResponse", "UJSONResponse", "URL",
]

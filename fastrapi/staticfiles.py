"""``StaticFiles``: serve a directory (``app.mount("/static", StaticFiles(directory="static"))``).

Files go out through the server's ``wsgi.file_wrapper`` (sendfile under gunicorn) with ETag and
Last-Modified; ``If-None-Match``/``If-Modified-Since`` get 304, ``Range`` gets 206. A path can
never leave the directory: ``..`` above the root, NUL bytes and symlinks pointing outside
(unless ``follow_symlink=True``) are 404, like any missing file.
"""

from __future__ import annotations

import errno
import importlib.util
import mimetypes
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from email.utils import parsedate
from typing import Any

from fastrapi.exceptions import HTTPException
from fastrapi.requests import Request, request_path
from fastrapi.responses import FileResponse, PlainTextResponse, RedirectResponse, Response, status_line
from fastrapi.routing import MOUNTED_KEY

PathLike = str | os.PathLike[str]
StartResponse = Callable[..., Any]
_NOT_MODIFIED_HEADERS = ("cache-control", "content-location", "date", "etag", "expires", "vary")
MAX_RANGES = 100


class NotModifiedResponse(Response):
    """304, keeping only the validator and caching headers of the response it replaces."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        super().__init__(status_code=304,
                         headers={k: v for k, v in headers.items() if k in _NOT_MODIFIED_HEADERS})


class StaticFiles:
    """A WSGI app serving the files under ``directory`` (and ``packages``' ``statics`` folders).

    ``html=True`` serves ``index.html`` for a directory (redirecting ``/dir`` to ``/dir/``) and
    ``404.html`` for anything missing. ``check_dir`` fails at once when ``directory`` is absent.
    """

    def __init__(
        self,
        *,
        directory: PathLike | None = None,
        packages: list[str | tuple[str, str]] | None = None,
        html: bool = False,
        check_dir: bool = True,
        follow_symlink: bool = False,
    ) -> None:
        self.directory = directory
        self.packages = packages
        self.html = html
        self.follow_symlink = follow_symlink
        self.all_directories = self.get_directories(directory, packages)
        self.config_checked = False
        if check_dir and directory is not None and not os.path.isdir(directory):
            raise RuntimeError(f"Directory '{directory}' does not exist")

    def get_directories(self, directory: PathLike | None, packages: list[str | tuple[str, str]] | None) -> list[str]:
        """The directories to look in, in order: ``directory``, then each package's statics folder."""
        directories = [os.fspath(directory)] if directory is not None else []
        for package in packages or []:
            name, folder = package if isinstance(package, tuple) else (package, "statics")
            spec = importlib.util.find_spec(name)
            assert spec is not None and spec.origin is not None, f"Package {name!r} could not be found."
            path = os.path.normpath(os.path.join(spec.origin, "..", folder))
            assert os.path.isdir(path), f"Directory '{folder!r}' in package {name!r} could not be found."
            directories.append(path)
        return directories

    def check_config(self) -> None:
        """Fail loudly, once, when ``directory`` is missing or not a directory."""
        if self.directory is None:
            return
        try:
            st = os.stat(self.directory)
        except FileNotFoundError:
            raise RuntimeError(f"StaticFiles directory '{self.directory}' does not exist.") from None
        if not stat.S_ISDIR(st.st_mode):
            raise RuntimeError(f"StaticFiles path '{self.directory}' is not a directory.")

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not self.config_checked:
            self.check_config()
            self.config_checked = True
        try:
            response = self.get_response(request_path(environ), environ)
        except HTTPException as exc:
            if environ.get(MOUNTED_KEY):
                raise  # the enclosing FastrAPI app answers it with its handlers
            response = PlainTextResponse(str(exc.detail), exc.status_code, headers=exc.headers)
        return response(environ, start_response)

    def get_response(self, path: str, environ: dict[str, Any]) -> Response:
        """The response for the URL path ``path`` (relative to the mount)."""
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            raise HTTPException(405, headers={"Allow": "GET, HEAD"})
        parts = safe_parts(path)
        if parts is None:
            raise HTTPException(404)
        full_path, st = self.lookup(parts)
        if st is not None and stat.S_ISREG(st.st_mode):
            return self.file_response(full_path, st, environ)
        if st is not None and stat.S_ISDIR(st.st_mode) and self.html:
            full_path, st = self.lookup([*parts, "index.html"])
            if st is not None and stat.S_ISREG(st.st_mode):
                if not path.endswith("/"):
                    url = Request(environ).url
                    return RedirectResponse(url.replace(path=url.path + "/"))
                return self.file_response(full_path, st, environ)
        if self.html:
            full_path, st = self.lookup(["404.html"])
            if st is not None and stat.S_ISREG(st.st_mode):
                return StaticFileResponse(full_path, stat_result=st, status_code=404)
        raise HTTPException(404)

    def lookup(self, parts: list[str]) -> tuple[str, os.stat_result | None]:
        """The first file for ``parts`` inside one of the directories, with its stat."""
        for directory in self.all_directories:
            full_path = os.path.join(directory, *parts)
            if self.follow_symlink:
                root, resolved = os.path.abspath(directory), os.path.abspath(full_path)
            else:
                root, resolved = os.path.realpath(directory), os.path.realpath(full_path)
            if resolved != root and not resolved.startswith(root.rstrip(os.sep) + os.sep):
                continue  # a symlink (or anything) pointing out of the directory
            try:
                return resolved, os.stat(resolved)
            except PermissionError:
                raise HTTPException(401) from None
            except (FileNotFoundError, NotADirectoryError, ValueError):
                continue
            except OSError as exc:
                if exc.errno == errno.ENAMETOOLONG:
                    continue
                raise
        return "", None

    def file_response(self, full_path: str, st: os.stat_result, environ: dict[str, Any]) -> Response:
        response = StaticFileResponse(full_path, stat_result=st)
        if is_not_modified(response.headers, environ):
            return NotModifiedResponse(response.headers)
        return response


def safe_parts(path: str) -> list[str] | None:
    """The path's segments with ``.`` and ``..`` resolved, or None if it climbs above the root
    or holds characters no file name has (NUL, or a separator of the OS other than ``/``)."""
    if "\x00" in path or (os.sep != "/" and os.sep in path) or (os.altsep and os.altsep != "/" and os.altsep in path):
        return None
    parts: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(segment)
    return parts


def is_not_modified(response_headers: Mapping[str, str], environ: dict[str, Any]) -> bool:
    """Whether the client's cached copy is current (``If-None-Match``, else ``If-Modified-Since``)."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match:
        if if_none_match.strip() == "*":
            return True
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return response_headers["etag"] in tags
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since:
        since_date, modified = parsedate(since), parsedate(response_headers["last-modified"])
        return since_date is not None and modified is not None and since_date >= modified
    return False


class RangeNotSatisfiable(Exception):
    pass


class MalformedRange(Exception):
    def __init__(self, message: str = "Malformed range header.") -> None:
        super().__init__(message)
        self.message = message


def parse_range(header: str, size: int) -> list[tuple[int, int]]:
    """``Range: bytes=...`` as sorted, merged ``(start, end)`` pairs (end exclusive); [] means "ignore"."""
    units, sep, spec = header.partition("=")
    if not sep:
        raise MalformedRange()
    if units.strip().lower() != "bytes":
        raise MalformedRange("Only support bytes range")
    if spec.count(",") + 1 > MAX_RANGES:
        return []
    ranges: list[tuple[int, int]] = []
    for part in spec.split(","):
        part = part.strip()
        if not part or part == "-" or "-" not in part:
            continue
        first, _, last = (p.strip() for p in part.partition("-"))
        try:
            if not first:
                start, end = max(0, size - int(last)), size
            else:
                start, end = int(first), (min(int(last) + 1, size) if last else size)
        except ValueError:
            continue
        ranges.append((start, end))
    if not ranges:
        raise MalformedRange("Range header: range must be requested")
    if any(not (0 <= start < size) for start, _ in ranges):
        raise RangeNotSatisfiable()
    if any(start >= end for start, end in ranges):
        raise MalformedRange("Range header: start must be less than end")
    ranges.sort()
    merged = [ranges[0]]
    for start, end in ranges[1:]:
        last_start, last_end = merged[-1]
        if start <= last_end:
            merged[-1] = (last_start, max(last_end, end))
        else:
            merged.append((start, end))
    return merged


class StaticFileResponse(FileResponse):
    """A ``FileResponse`` that answers ``Range`` requests (206, or 416 when out of the file)."""

    def __init__(self, path: PathLike, status_code: int = 200, stat_result: os.stat_result | None = None,
                 media_type: str | None = None) -> None:
        if media_type is None:
            media_type = mimetypes.guess_type(os.fspath(path))[0] or "application/octet-stream"
        super().__init__(path, status_code=status_code, stat_result=stat_result, media_type=media_type)
        self.headers.setdefault("accept-ranges", "bytes")

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        header = environ.get("HTTP_RANGE")
        if self.status_code != 200 or header is None or self.stat_result is None:
            return super().__call__(environ, start_response)
        if_range = environ.get("HTTP_IF_RANGE")
        if if_range is not None and (if_range.startswith("W/") or if_range not in (
                self.headers.get("last-modified"), self.headers.get("etag"))):
            return super().__call__(environ, start_response)
        size = self.stat_result.st_size
        try:
            ranges = parse_range(header, size)
        except MalformedRange as exc:
            return PlainTextResponse(exc.message, status_code=400)(environ, start_response)
        except RangeNotSatisfiable:
            response = PlainTextResponse(status_code=416, headers={"Content-Range": f"bytes */{size}"})
            return response(environ, start_response)
        if not ranges:
            return super().__call__(environ, start_response)
        head = environ.get("REQUEST_METHOD") == "HEAD"
        headers = self.headers.raw()
        if len(ranges) == 1:
            start, end = ranges[0]
            headers = _replace(headers, {"content-range": f"bytes {start}-{end - 1}/{size}",
                                         "content-length": str(end - start)})
            start_response(status_line(206), headers)
            return [] if head else _single_range(environ, self.path, start, end, self.chunk_size)
        boundary = secrets.token_hex(13)
        content_type = self.headers["content-type"]
        parts = [(f"--{boundary}\r\nContent-Type: {content_type}\r\n"
                  f"Content-Range: bytes {start}-{end - 1}/{size}\r\n\r\n").encode("latin-1") for start, end in ranges]
        tail = f"--{boundary}--".encode("latin-1")
        length = sum(len(p) + (end - start) + 2 for p, (start, end) in zip(parts, ranges)) + len(tail)
        headers = _replace(headers, {"content-type": f"multipart/byteranges; boundary={boundary}",
                                     "content-length": str(length)})
        start_response(status_line(206), headers)
        return [] if head else _multiple_ranges(self.path, ranges, parts, tail, self.chunk_size)


def _replace(headers: list[tuple[str, str]], values: dict[str, str]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers if k not in values] + list(values.items())


class _FileSlice:
    """Bytes ``start..end`` of a file, as a file object (a server's file_wrapper may sendfile it)."""

    def __init__(self, path: PathLike, start: int, end: int) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 (closed by close())
        self._file.seek(start)
        self._left = end - start
        self.fileno = self._file.fileno

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        size = self._left if size < 0 else min(size, self._left)
        data = self._file.read(size)
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._file.close()


def _single_range(environ: dict[str, Any], path: PathLike, start: int, end: int, chunk_size: int) -> Iterable[bytes]:
    piece = _FileSlice(path, start, end)
    wrapper = environ.get("wsgi.file_wrapper")
    if wrapper is not None:
        return wrapper(piece, chunk_size)  # gunicorn sendfiles Content-Length bytes from the offset
    return _SliceChunks(piece, chunk_size)


class _SliceChunks:
    __slots__ = ("_piece", "_size")

    def __init__(self, piece: _FileSlice, size: int) -> None:
        self._piece = piece
        self._size = size

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self._piece.read(self._size):
            yield chunk

    def close(self) -> None:
        self._piece.close()


def _multiple_ranges(path: PathLike, ranges: list[tuple[int, int]], parts: list[bytes], tail: bytes,
                     chunk_size: int) -> Iterator[bytes]:
    with open(path, "rb") as file:
        for header, (start, end) in zip(parts, ranges):
            yield header
            file.seek(start)
            left = end - start
            while left > 0:
                chunk = file.read(min(chunk_size, left))
                if not chunk:
                    raise RuntimeError(f"File at path {path} is shorter than expected.")
                left -= len(chunk)
                yield chunk
            yield b"\r\n"
        yield tail

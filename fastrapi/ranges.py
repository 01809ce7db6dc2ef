"""HTTP ``Range`` requests on files: parsing the header and producing 206 bodies."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from typing import Any

PathLike = str | os.PathLike[str]
MAX_RANGES = 100


class FileChunks:
    """A file-like object's contents in chunks; ``close()`` closes it."""

    __slots__ = ("_file", "_size")

    def __init__(self, file: Any, size: int) -> None:
        self._file = file
        self._size = size

    def __iter__(self) -> Iterator[bytes]:
        read, size = self._file.read, self._size
        while chunk := read(size):
            yield chunk

    def close(self) -> None:
        self._file.close()


class RangeNotSatisfiable(Exception):
    """No requested range starts inside the file (416)."""


class MalformedRange(Exception):
    """A ``Range`` header that cannot be read (400)."""

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


def multipart_layout(ranges: list[tuple[int, int]], size: int,
                     content_type: str) -> tuple[str, list[bytes], bytes, int]:
    """(boundary, part headers, closing line, total length) of a ``multipart/byteranges`` body."""
    boundary = secrets.token_hex(13)
    parts = [(f"--{boundary}\r\nContent-Type: {content_type}\r\n"
              f"Content-Range: bytes {start}-{end - 1}/{size}\r\n\r\n").encode("latin-1") for start, end in ranges]
    tail = f"--{boundary}--".encode("latin-1")
    length = sum(len(p) + (end - start) + 2 for p, (start, end) in zip(parts, ranges)) + len(tail)
    return boundary, parts, tail, length


def replace_headers(headers: list[tuple[str, str]], values: dict[str, str]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers if k not in values] + list(values.items())


class FileSlice:
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


def single_range(environ: dict[str, Any], path: PathLike, start: int, end: int, chunk_size: int) -> Iterable[bytes]:
    piece = FileSlice(path, start, end)
    wrapper: Callable[[FileSlice, int], Iterable[bytes]] | None = environ.get("wsgi.file_wrapper")
    if wrapper is not None:
        return wrapper(piece, chunk_size)  # gunicorn sendfiles Content-Length bytes from the offset
    return FileChunks(piece, chunk_size)


def multiple_ranges(path: PathLike, ranges: list[tuple[int, int]], parts: list[bytes], tail: bytes,
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

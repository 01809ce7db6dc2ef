"""Form bodies into ``FormData``, streamed: urlencoded and multipart (python-multipart), with limits.

The body arrives in chunks and goes straight into the parser; file parts go into spooled
temporary files (memory up to 1 MiB, then disk), so an upload of any size costs a few chunks of
memory. Limits answer 400 with Starlette's messages (FastAPI's ``form_limits``):

- ``max_fields`` (default 1000): non-file fields in one form;
- ``max_files`` (default 1000): files in one multipart form;
- ``max_part_size`` (default 1 MiB): bytes of one non-file field.

The body as a whole is limited by ``max_body_size`` (413, see ``requests.iter_body``).
"""

from __future__ import annotations

import codecs
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from fastrapi.datastructures import FormData, Headers, UploadFile

try:
    import python_multipart as multipart
    from python_multipart.exceptions import FormParserError
    from python_multipart.multipart import parse_options_header
except ModuleNotFoundError:  # pragma: no cover - the error names the missing package at add time
    _MULTIPART_INSTALLED = False
else:
    _MULTIPART_INSTALLED = True

MULTIPART_MISSING = (
    'Form data requires "python-multipart" to be installed. \n'
    'You can install "python-multipart" with: \n\n'
    "pip install python-multipart\n"
)
SPOOL_MAX_SIZE = 1024 * 1024  # an upload larger than this goes to a temporary file on disk


@dataclass(frozen=True, slots=True)
class FormLimits:
    """Limits of automatic form parsing (see the module docstring)."""

    max_fields: int = 1000
    max_files: int = 1000
    max_part_size: int = 1024 * 1024


_LIMIT_NAMES = frozenset(("max_fields", "max_files", "max_part_size"))


def form_limits(overrides: Mapping[str, int] | None = None, base: FormLimits | None = None) -> FormLimits:
    """``base`` (the defaults) with the settings given in ``overrides``; rejects unknown names."""
    base = base or FormLimits()
    if not overrides:
        return base
    for name, value in overrides.items():
        if name not in _LIMIT_NAMES:
            raise ValueError(f"Unknown form limit {name!r}; use max_fields, max_files or max_part_size")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer")
    return FormLimits(**{name: overrides.get(name, getattr(base, name)) for name in _LIMIT_NAMES})


def check_form_limits(limits: Mapping[str, int] | None) -> None:
    """Refuse unknown form limit names and values that are not non-negative ints (``ValueError``)."""
    form_limits(limits)


def ensure_multipart() -> None:
    """Raise the clear error FastAPI gives when a form route is added without python-multipart."""
    if not _MULTIPART_INSTALLED:
        raise RuntimeError(MULTIPART_MISSING)


class FormError(Exception):
    """The form is malformed or over a limit; answered with 400 and ``message`` as detail."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _SpooledFile(tempfile.SpooledTemporaryFile[bytes]):
    """A spooled file closed when the last reference goes (no ResourceWarning for unclosed uploads)."""

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass


def _decode(data: bytes | bytearray, charset: str) -> str:
    try:
        return data.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return data.decode("latin-1")


def _kib(size: int) -> int:
    return int(size / 1024)


class _UrlencodedParser:
    """``application/x-www-form-urlencoded``: name=value pairs, %-escapes decoded as UTF-8."""

    def __init__(self, limits: FormLimits) -> None:
        self.limits = limits
        self.items: list[tuple[str, Any]] = []
        self.name = bytearray()
        self.value = bytearray()
        self.size = 0

    def on_field_start(self) -> None:
        self.name, self.value, self.size = bytearray(), bytearray(), 0

    def _grow(self, end: int, start: int) -> None:
        self.size += end - start
        if self.size > self.limits.max_part_size:
            raise FormError(f"Field exceeded maximum size of {_kib(self.limits.max_part_size)}KB.")

    def on_field_name(self, data: bytes, start: int, end: int) -> None:
        self._grow(end, start)
        self.name += data[start:end]

    def on_field_data(self, data: bytes, start: int, end: int) -> None:
        self._grow(end, start)
        self.value += data[start:end]

    def on_field_end(self) -> None:
        if len(self.items) + 1 > self.limits.max_fields:
            raise FormError(f"Too many fields. Maximum number of fields is {self.limits.max_fields}.")
        self.items.append((unquote_plus(self.name.decode("latin-1")), unquote_plus(self.value.decode("latin-1"))))

    def parse(self, chunks: Iterable[bytes]) -> FormData:
        parser = multipart.QuerystringParser({
            "on_field_start": self.on_field_start, "on_field_name": self.on_field_name,
            "on_field_data": self.on_field_data, "on_field_end": self.on_field_end,
        })
        for chunk in chunks:
            parser.write(chunk)
        parser.finalize()
        return FormData(self.items)


class _MultipartParser:
    """``multipart/form-data``: text fields and files; file data goes to spooled temporary files."""

    def __init__(self, content_type: str, limits: FormLimits) -> None:
        self.limits = limits
        _, options = parse_options_header(content_type)
        charset = options.get(b"charset", b"utf-8").decode("latin-1")
        try:
            self.charset = codecs.lookup(charset).name
        except LookupError:
            self.charset = "latin-1"
        boundary = options.get(b"boundary")
        if not boundary:
            raise FormError("Missing boundary in multipart.")
        self.boundary = boundary
        self.items: list[tuple[str, Any]] = []
        self.files: list[UploadFile] = []
        self.fields = 0
        self.header_name = b""
        self.header_value = b""
        self.headers: list[tuple[str, str]] = []
        self.disposition = b""
        self.name = ""
        self.data = bytearray()
        self.upload: UploadFile | None = None

    def on_part_begin(self) -> None:
        self.headers, self.disposition, self.data, self.upload = [], b"", bytearray(), None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        name = self.header_name.lower()
        if name == b"content-disposition":
            self.disposition = self.header_value
        self.headers.append((name.decode("latin-1"), self.header_value.decode("latin-1")))
        self.header_name = self.header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        if b"name" not in options:
            raise FormError('The Content-Disposition header field "name" must be provided.')
        self.name = _decode(options[b"name"], self.charset)
        if b"filename" in options:
            if len(self.files) + 1 > self.limits.max_files:
                raise FormError(f"Too many files. Maximum number of files is {self.limits.max_files}.")
            self.upload = UploadFile(_SpooledFile(max_size=SPOOL_MAX_SIZE), size=0,
                                     filename=_decode(options[b"filename"], self.charset),
                                     headers=Headers(self.headers))
            self.files.append(self.upload)
        else:
            self.fields += 1
            if self.fields > self.limits.max_fields:
                raise FormError(f"Too many fields. Maximum number of fields is {self.limits.max_fields}.")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        upload = self.upload
        if upload is None:
            if len(self.data) + end - start > self.limits.max_part_size:
                raise FormError(f"Part exceeded maximum size of {_kib(self.limits.max_part_size)}KB.")
            self.data += data[start:end]
        else:
            # PERF: written inline; a spooled file is memory or a local temporary file.
            upload.file.write(data[start:end])
            upload.size += end - start  # type: ignore[operator]

    def on_part_end(self) -> None:
        if self.upload is None:
            self.items.append((self.name, _decode(self.data, self.charset)))
        else:
            self.upload.file.seek(0)
            self.items.append((self.name, self.upload))

    def parse(self, chunks: Iterable[bytes]) -> FormData:
        parser = multipart.MultipartParser(self.boundary, {
            "on_part_begin": self.on_part_begin, "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end, "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value, "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
        })
        try:
            for chunk in chunks:
                parser.write(chunk)
            parser.finalize()
        except BaseException as exc:
            for upload in self.files:
                upload.file.close()
            if isinstance(exc, FormParserError):
                raise FormError("Invalid multipart data.") from exc
            raise
        return FormData(self.items)


def parse_form(content_type: str | None, chunks: Iterable[bytes], limits: FormLimits | None = None) -> FormData:
    """Parse a form body read from ``chunks``; any other content type gives an empty form (as Starlette)."""
    ensure_multipart()
    limits = limits or FormLimits()
    media_type, _ = parse_options_header(content_type)
    if media_type == b"multipart/form-data":
        return _MultipartParser(content_type or "", limits).parse(chunks)
    if media_type == b"application/x-www-form-urlencoded":
        return _UrlencodedParser(limits).parse(chunks)
    return FormData()

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
import stat
from collections.abc import Callable, Iterable, Mapping
from email.utils import parsedate
from typing import Any

from fastrapi.exceptions import HTTPException
from fastrapi.requests import Request, request_path
from fastrapi.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from fastrapi.types import MOUNTED_KEY

PathLike = str | os.PathLike[str]
StartResponse = Callable[..., Any]
_NOT_MODIFIED_HEADERS = ("cache-control", "content-location", "date", "etag", "expires", "vary")


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
                return FileResponse(full_path, stat_result=st, status_code=404, media_type=_media_type(full_path))
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
                if exc.errno == errno.ENAMETOOLONG:  # 404 at once, as Starlette: no 404.html, no other directory
                    raise HTTPException(404) from None
                raise
        return "", None

    def file_response(self, full_path: str, st: os.stat_result, environ: dict[str, Any],
                      status_code: int = 200) -> Response:
        """The file, or a 304 when the client's copy is current."""
        response = FileResponse(full_path, status_code=status_code, stat_result=st, media_type=_media_type(full_path))
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


def _media_type(path: str) -> str:
    return mimetypes.guess_type(path)[0] or "application/octet-stream"

"""``app.frontend("/", directory="dist")``: a built frontend (an SPA) served after every API route.

A frontend route claims a path prefix and answers only requests no other route took (a path that
matched with another method is still that route's 405, a path with(out) its trailing slash still
redirects there). GET and HEAD get the file, the directory's ``index.html`` (``/about`` redirects
to ``/about/``), else the fallback: ``404.html`` with status 404, or ``index.html`` with 200 for a
browser's navigation (an ``Accept`` naming HTML), as FastAPI 0.165 does. Other methods get 405 for
a path that is a file, else 404. Files go out through ``StaticFiles`` (validators, ranges, no way
out of the directory). The app's and routers' ``dependencies`` run before a GET or HEAD is answered.
"""

from __future__ import annotations

import os
import stat
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from fastrapi.dependencies.analysis import RoutePlan
from fastrapi.dependencies.compile import compile_route
from fastrapi.exceptions import HTTPException
from fastrapi.requests import Request, request_path
from fastrapi.responses import JSONResponse, RedirectResponse, Response
from fastrapi.routing.endpoint import call_endpoint
from fastrapi.routing.routes import BaseRoute
from fastrapi.staticfiles import StaticFiles, safe_parts
from fastrapi.types import Environ, StartResponse

Fallback = Literal["auto", "index.html", "404.html"] | None
_FALLBACKS = ("auto", "index.html", "404.html", None)
_NAVIGATION_TYPES = ("text/html", "application/xhtml+xml")


def normalize_path(path: str) -> str:
    """A ``frontend()`` path as matched: starting with ``/``, without a trailing one."""
    assert path, "A frontend path cannot be empty"
    assert path.startswith("/"), "A frontend path must start with '/'"
    return path if path == "/" else path.rstrip("/")


def join_paths(prefix: str, path: str) -> str:
    """``path`` under a router's or ``include_router``'s ``prefix``."""
    if not prefix:
        return path
    return prefix if path == "/" else prefix + path


def _missing_directory(directory: str | os.PathLike[str]) -> str:
    return (f"Frontend directory '{os.fspath(directory)}' does not exist. "
            f"Resolved absolute path: '{os.path.realpath(directory)}'")


def resolve_check_dir(directory: str | os.PathLike[str], check_dir: bool | Literal["auto"], stacklevel: int) -> bool:
    """``check_dir="auto"``: check, except with ``FASTAPI_ENV=development`` (``fastapi dev``'s), where a
    missing directory is a warning pointing at the caller ``stacklevel`` frames up."""
    if check_dir != "auto":
        return bool(check_dir)
    if os.environ.get("FASTAPI_ENV") != "development":
        return True
    if not os.path.isdir(directory):
        warnings.warn(_missing_directory(directory), stacklevel=stacklevel + 1)
    return False


def accepts_html(accept: str) -> bool:
    """Whether an ``Accept`` header names an HTML type with a non-zero quality (``*/*`` does not count):
    a browser navigating, the one request the ``index.html`` fallback answers."""
    for item in accept.split(","):
        media_type, _, params = item.partition(";")
        if media_type.strip().lower() not in _NAVIGATION_TYPES:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip().strip('"'))
                except ValueError:
                    pass  # an unreadable q counts as 1, as FastAPI reads it
                break
        if quality != 0:
            return True
    return False


class FrontendFiles:
    """One ``frontend()`` directory: its files, directory indexes and fallback, for a path relative to it."""

    def __init__(self, directory: str | os.PathLike[str], fallback: Fallback, check_dir: bool) -> None:
        assert fallback in _FALLBACKS, "fallback must be 'auto', 'index.html', '404.html', or None"
        if check_dir and not os.path.isdir(directory):
            raise RuntimeError(_missing_directory(directory))
        self.directory = directory
        self.fallback = fallback
        self.static = StaticFiles(directory=directory, check_dir=False)
        if check_dir and fallback in ("index.html", "404.html"):
            self._fallback_file(fallback)

    def response(self, relative: str, environ: Environ) -> Response:
        """The answer to a GET or HEAD of ``relative`` (raises ``HTTPException(404)`` when there is none)."""
        self._check_config()
        found = self._resource(relative)
        if found is not None:
            full_path, st, is_index = found
            if is_index and not request_path(environ).endswith("/"):
                url = Request(environ).url
                return RedirectResponse(url.replace(path=url.path + "/"))
            return self.static.file_response(full_path, st, environ)
        fallback = self.fallback
        if fallback == "404.html" or (fallback == "auto" and self._exists("404.html")):
            full_path, st = self._fallback_file("404.html")
            return self.static.file_response(full_path, st, environ, status_code=404)
        if ((fallback == "index.html" or (fallback == "auto" and self._exists("index.html")))
                and accepts_html(environ.get("HTTP_ACCEPT", ""))):
            full_path, st = self._fallback_file("index.html")
            return self.static.file_response(full_path, st, environ)
        raise HTTPException(404)

    def refusal(self, relative: str) -> HTTPException:
        """What another method gets: 405 for a path that is a file (or a directory index), else 404."""
        self._check_config()
        return HTTPException(405 if self._resource(relative) is not None else 404)

    def _check_config(self) -> None:
        static = self.static
        if not static.config_checked:
            static.check_config()
            static.config_checked = True

    def _resource(self, relative: str) -> tuple[str, os.stat_result, bool] | None:
        """``(file, stat, is a directory's index.html)`` for ``relative``, or None."""
        parts = safe_parts(relative)
        if parts is None:
            if "\x00" in relative:
                raise HTTPException(404)  # no file name has one: not even the fallback
            return None  # climbs out of the directory: missing, the fallback answers
        full_path, st = self.static.lookup(parts)
        if st is None:
            return None
        if stat.S_ISREG(st.st_mode):
            return full_path, st, False
        if stat.S_ISDIR(st.st_mode):
            full_path, st = self.static.lookup([*parts, "index.html"])
            if st is not None and stat.S_ISREG(st.st_mode):
                return full_path, st, True
        return None

    def _exists(self, name: str) -> bool:
        _, st = self.static.lookup([name])
        return st is not None and stat.S_ISREG(st.st_mode)

    def _fallback_file(self, name: str) -> tuple[str, os.stat_result]:
        full_path, st = self.static.lookup([name])
        if st is None or not stat.S_ISREG(st.st_mode):
            raise RuntimeError(
                f"Frontend fallback file '{name}' does not exist in directory '{os.fspath(self.directory)}'. "
                f"Resolved absolute directory: '{os.path.realpath(self.directory)}'")
        return full_path, st


class FrontendRoute(BaseRoute):
    """``frontend()``'s route: tried last (``tried_last``), the longest matching path first."""

    tried_last = True
    include_in_schema = False
    methods = ("GET", "HEAD")
    # What answering through call_endpoint reads of a path operation (the endpoint returns a Response).
    plain_json = False
    status_code = None
    status_line = "200 OK"
    serializer = None
    response_class = JSONResponse
    stream = None

    def __init__(self, path: str, files: FrontendFiles, dependencies: Sequence[Any] = ()) -> None:
        self.path = path
        self.files = files
        self.dependencies = list(dependencies)
        self.specificity = 0 if path == "/" else len(path)
        # With dependencies, the endpoint also takes their ``response`` to copy its headers onto the file's.
        self.endpoint = self._serve_with_headers if self.dependencies else self._serve
        self.plan: RoutePlan = compile_route(self.endpoint, set(), "frontend", {}, self.dependencies)
        self._overridden: tuple[object, RoutePlan] | None = None

    def relative_path(self, path: str) -> str | None:
        """``path`` inside this frontend's directory, or None when the path is not under it."""
        own = self.path
        if own == "/":
            return path.lstrip("/")
        if path == own:
            return ""
        if path.startswith(own) and path[len(own)] == "/":
            return path[len(own) + 1:]
        return None

    def included(self, prefix: str, dependencies: Sequence[Any]) -> FrontendRoute:
        """This frontend as an ``include_router(prefix=..., dependencies=...)`` serves it."""
        return FrontendRoute(join_paths(prefix, self.path), self.files, [*dependencies, *self.dependencies])

    def matches_method(self, method: str) -> bool:
        return method in self.methods

    def handle(self, environ: Environ, start_response: StartResponse, path_params: dict[str, Any]) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] not in self.methods:
            raise self.files.refusal(self._relative(environ))  # before any dependency runs, as FastAPI
        if not self.dependencies:  # PERF: nothing to solve, straight to the file (as a StaticFiles mount)
            return self._serve_environ(environ)(environ, start_response)
        return call_endpoint(self, environ, start_response, path_params)

    def plan_for(self, overrides: Mapping[Any, Any]) -> RoutePlan:
        """The plan with an app's ``dependency_overrides``, made again only after they change."""
        version = getattr(overrides, "version", None)
        cached = self._overridden
        if cached is not None and version is not None and cached[0] is version:
            return cached[1]
        plan = compile_route(self.endpoint, set(), "frontend", {}, self.dependencies, overrides)
        self._overridden = (version, plan)
        return plan

    def _relative(self, environ: Environ) -> str:
        relative = self.relative_path(request_path(environ))
        assert relative is not None  # the matcher chose this route for the path
        return relative

    def _serve_environ(self, environ: Environ) -> Response:
        return self.files.response(self._relative(environ), environ)

    def _serve(self, request: Request) -> Response:
        return self._serve_environ(request.environ)

    def _serve_with_headers(self, request: Request, response: Response) -> Response:
        answer = self._serve_environ(request.environ)
        for name, value in response.headers.raw():
            answer.headers.append(name, value)
        return answer

    def __repr__(self) -> str:
        return f"{type(self).__name__}(path={self.path!r}, directory={os.fspath(self.files.directory)!r})"


def frontend_route(prefix: str, path: str, *, directory: str | os.PathLike[str], fallback: Fallback,
                   check_dir: bool, dependencies: Sequence[Any]) -> FrontendRoute:
    """The route ``router.frontend(path, ...)`` adds to a router with ``prefix`` and ``dependencies``."""
    normalized = normalize_path(path)
    return FrontendRoute(join_paths(prefix, normalized), FrontendFiles(directory, fallback, check_dir), dependencies)

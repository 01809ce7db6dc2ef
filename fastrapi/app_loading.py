"""Loading the user's app for the command line, with one clear paragraph for each common mistake.

A module that does not import shows the user's own traceback (not importlib's or fastrapi's frames); a missing
attribute lists the FastrAPI objects the module has; an ASGI app or a non-callable is named as such; a taken
port says so before any server starts.
"""

from __future__ import annotations

import errno
import importlib
import inspect
import socket
import sys
import traceback
from typing import Any


class AppLoadError(Exception):
    """The app cannot be served: the message is the whole report (the CLI exits with status 1)."""


def import_module(module: str, directory: str | None = None) -> Any:
    """Import ``module`` (after putting ``directory`` first on sys.path); its errors as an ``AppLoadError``."""
    if directory and directory not in sys.path:
        sys.path.insert(0, directory)
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (module == exc.name or module.startswith(exc.name + ".")):
            where = f" in {directory}" if directory else ""
            raise AppLoadError(f"Could not import module {module!r}: no such module{where}. Give the app as "
                               f"module:attribute (e.g. main:app) or as a file (main.py), from the directory "
                               f"that holds it.") from None
        raise AppLoadError(_import_failure(module, exc)) from None
    except Exception as exc:  # the user's code raised while importing: show where
        raise AppLoadError(_import_failure(module, exc)) from None


def _import_failure(module: str, exc: BaseException) -> str:
    report = traceback.TracebackException.from_exception(exc)
    report.stack = traceback.StackSummary.from_list(
        [frame for frame in report.stack if not _is_machinery(frame.filename)])
    details = "".join(report.format()).rstrip()
    return f"Importing module {module!r} failed; the error is in the application's code:\n{details}"


def _is_machinery(filename: str) -> bool:
    return filename.startswith("<frozen importlib") or filename in (__file__, importlib.__file__)


def fastrapi_apps(module: Any) -> list[str]:
    """The names of the module's FastrAPI (and FastAPI-alias) applications: what has a router, an OpenAPI
    document and a WSGI call (told by shape, so that loading an app needs nothing of ``applications``)."""
    return [name for name, value in vars(module).items()
            if not isinstance(value, type) and callable(value) and hasattr(value, "router")
            and callable(getattr(value, "openapi", None)) and hasattr(value, "add_api_route")]


def get_app(module: Any, attribute: str) -> Any:
    """``module.attribute``, checked to be a WSGI application."""
    name = module.__name__
    try:
        app = getattr(module, attribute)
    except AttributeError:
        apps = fastrapi_apps(module)
        if apps:
            found = ", ".join(apps)
            hint = f"FastrAPI apps in it: {found}; run it as {name}:{apps[0]}."
        else:
            hint = "It has no FastrAPI app: create one there (app = FastrAPI()) or name the module that has it."
        raise AppLoadError(f"Module {name!r} has no attribute {attribute!r}. {hint}") from None
    check_wsgi(app, f"{name}:{attribute}")
    return app


def is_asgi(app: Any) -> bool:
    """An ASGI app: ``async def __call__(scope, receive, send)`` (FastAPI, Starlette), or a coroutine function."""
    if inspect.isfunction(app) or inspect.ismethod(app):
        return inspect.iscoroutinefunction(app)
    return callable(app) and inspect.iscoroutinefunction(type(app).__call__)


def check_wsgi(app: Any, label: str) -> None:
    """Raise an ``AppLoadError`` unless ``app`` looks like a WSGI callable."""
    if is_asgi(app):
        raise AppLoadError(
            f"{label} is an ASGI application ({type(app).__module__}.{type(app).__qualname__}); fastrapi serves "
            f"WSGI applications. For a FastAPI app, import FastAPI from fastrapi instead of fastapi "
            f"(from fastrapi import FastAPI); run other ASGI apps with uvicorn.")
    if not callable(app):
        raise AppLoadError(
            f"{label} is a {type(app).__name__}, not a WSGI application (a callable taking environ and "
            f"start_response). Point the command at the FastrAPI() object itself, e.g. main:app.")


def check_port_free(host: str, port: int, option: str = " (--port)") -> None:
    """Fail now, in one paragraph, when ``host:port`` cannot be bound (most often: another server has it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind: TIME_WAIT is no obstacle
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise AppLoadError(bind_failure(host, port, exc, option)) from None


def bind_failure(host: str, port: int, exc: OSError, option: str = "") -> str:
    """The paragraph for a listening socket that could not be bound (``option``: how to pick another port)."""
    if exc.errno == errno.EADDRINUSE:
        return (f"Cannot listen on {host}:{port}: the address is already in use (another server is running "
                f"there?). Stop that process (`lsof -i :{port}` finds it) or choose another port{option}.")
    if exc.errno == errno.EACCES:
        return (f"Cannot listen on {host}:{port}: permission denied (ports below 1024 need privileges). "
                f"Choose a port above 1023.")
    return f"Cannot listen on {host}:{port}: {exc.strerror or exc}."

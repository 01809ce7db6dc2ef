"""Middleware: ``Middleware(cls, *args, **kwargs)`` entries and the WSGI middleware that ship with fastrapi.

A middleware here is any WSGI middleware: ``cls(app, *args, **kwargs)`` returns a WSGI callable
wrapping ``app``. The built-in ones (CORS, GZip, trusted hosts, HTTPS redirect, sessions) work
around any WSGI app, not only FastrAPI, and are importable from here as FastrAPI (the Rust project)
spells it (``from fastrapi.middleware import CORSMiddleware``) or from their modules as FastAPI
does (``from fastrapi.middleware.cors import CORSMiddleware``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastrapi.middleware.cors import CORSMiddleware
from fastrapi.middleware.gzip import GZipMiddleware
from fastrapi.middleware.httpsredirect import HTTPSRedirectMiddleware
from fastrapi.middleware.sessions import SessionMiddleware
from fastrapi.middleware.trustedhost import TrustedHostMiddleware


class Middleware:
    """One entry of ``FastrAPI(middleware=[...])``: the class and the options it is built with."""

    __slots__ = ("cls", "args", "kwargs")

    def __init__(self, cls: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.cls = cls
        self.args = args
        self.kwargs = kwargs

    def __iter__(self) -> Iterator[Any]:
        return iter((self.cls, self.args, self.kwargs))

    def __repr__(self) -> str:
        parts = [getattr(self.cls, "__name__", "")]
        parts += [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{type(self).__name__}({', '.join(parts)})"


__all__ = [
    "CORSMiddleware", "GZipMiddleware", "HTTPSRedirectMiddleware", "Middleware", "SessionMiddleware",
    "TrustedHostMiddleware",
]

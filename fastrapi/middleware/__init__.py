"""Middleware: ``Middleware(cls, *args, **kwargs)`` entries and the WSGI middleware that ship with fastrapi.

A middleware here is any WSGI middleware: ``cls(app, *args, **kwargs)`` returns a WSGI callable
wrapping ``app``. The built-in ones (CORS, GZip, trusted hosts, HTTPS redirect, sessions) work
around any WSGI app, not only FastrAPI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


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


__all__ = ["Middleware"]

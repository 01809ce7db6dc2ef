"""Refuse ASGI apps and ASGI middleware where a WSGI one is expected, when they are added, not at the first request."""

from __future__ import annotations

import inspect
from typing import Any

_ASGI_PARAMETERS = ("scope", "receive", "send")


def _takes_asgi_call(func: Any, bound: bool) -> bool:
    """``func`` is ``async def`` or takes ``(scope, receive, send)`` (after ``self`` when not ``bound``)."""
    if inspect.iscoroutinefunction(func):
        return True
    try:
        names = list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return False
    if not bound and names:
        names = names[1:]
    return tuple(names[:3]) == _ASGI_PARAMETERS


def is_asgi_app(app: Any) -> bool:
    """An ASGI application object: a coroutine function, or an object whose ``__call__`` is ASGI's.

    A ``FastrAPI`` is WSGI here: its ``__call__(environ, start_response, send=None)`` answers ASGI calls
    only for tests (``fastrapi.asgi_adapter``).
    """
    if inspect.isfunction(app) or inspect.ismethod(app):
        return _takes_asgi_call(app, bound=True)
    if isinstance(app, type) or not callable(app):
        return False
    return _takes_asgi_call(type(app).__call__, bound=False)


def is_asgi_middleware(cls: Any) -> bool:
    """An ASGI middleware class: its instances' ``__call__`` is ASGI's (Starlette's and FastAPI's are)."""
    return isinstance(cls, type) and _takes_asgi_call(cls.__call__, bound=False)


def _label(obj: Any) -> str:
    cls = obj if isinstance(obj, type) else type(obj)
    return f"{cls.__qualname__} ({cls.__module__})"


def check_mountable(app: Any, path: str) -> None:
    """Raise ``TypeError`` unless ``app`` can be mounted at ``path`` (a WSGI callable)."""
    if is_asgi_app(app):
        raise TypeError(
            f"Cannot mount {_label(app)} at {path!r}: it is an ASGI application, and fastrapi apps are WSGI. "
            "Mount a WSGI app (Flask, Django's WSGI handler, fastrapi.staticfiles.StaticFiles, another FastrAPI), "
            "or serve the ASGI app on its own (uvicorn).")
    if not callable(app):
        raise TypeError(f"Cannot mount a {type(app).__name__} at {path!r}: a WSGI app (environ, start_response) "
                        "is needed.")


def check_middleware(cls: Any) -> None:
    """Raise ``TypeError`` when ``cls`` is ASGI middleware; name the WSGI one fastrapi ships, if any."""
    if not is_asgi_middleware(cls):
        return
    import fastrapi.middleware

    hint = "use WSGI middleware (cls(app, **options) returning a WSGI app)"
    if isinstance(getattr(fastrapi.middleware, cls.__name__, None), type):
        hint = f"use fastrapi.middleware.{cls.__name__}, its WSGI counterpart"
    raise TypeError(f"{_label(cls)} is ASGI middleware (its __call__ takes scope, receive, send) and fastrapi apps "
                    f"are WSGI: {hint}.")

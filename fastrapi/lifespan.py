"""Startup and shutdown for WSGI, which has no lifespan protocol: an idempotent state machine.

Triggers: ``app.serve()`` (before binding), ``with TestClient(app)``, the first request (lazily,
under gunicorn or any WSGI server), or eagerly from ``fastrapi.gunicorn_conf``'s
``post_worker_init``; shutdown from ``atexit``, ``serve()`` or ``worker_exit``.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
from collections.abc import Callable, Sequence
from typing import Any

import gevent.lock

from fastrapi.concurrency import bridge, run_async

logger = logging.getLogger("fastrapi")

LifespanContext = Callable[[Any], Any]

# FastAPI's DeprecationWarning for ``on_event``, word for word (tests filter on it).
ON_EVENT_DEPRECATED = """
        on_event is deprecated, use lifespan event handlers instead.

        Read more about it in the
        [FastAPI docs for Lifespan Events](https://fastapi.tiangolo.com/advanced/events/).
        """


def context_factory(lifespan: LifespanContext) -> LifespanContext:
    """``lifespan`` as a context manager factory: a bare (async) generator function is wrapped, as FastAPI
    accepts one (without a warning); a context manager factory is kept."""
    if inspect.isasyncgenfunction(lifespan):
        return contextlib.asynccontextmanager(lifespan)
    if inspect.isgeneratorfunction(lifespan):
        return contextlib.contextmanager(lifespan)
    return lifespan


def _call(handler: Callable[[], Any]) -> None:
    if inspect.iscoroutinefunction(handler):
        run_async(handler, (), {})
    else:
        handler()


class Lifespan:
    """Runs ``on_startup`` handlers and enters the ``lifespan(app)`` contexts once; ``shutdown`` undoes it once.

    ``lifespan`` may be an async or a sync context manager factory; a mapping it yields becomes
    the initial ``request.state`` of every request. Routers included with lifespans of their own
    add theirs, entered after the app's and exited before it. As in FastAPI, the
    ``on_startup``/``on_shutdown`` handlers run only when the app has no ``lifespan``.
    """

    def __init__(
        self,
        app: Any,
        lifespan: LifespanContext | None,
        on_startup: Sequence[Callable[[], Any]] | None,
        on_shutdown: Sequence[Callable[[], Any]] | None,
    ) -> None:
        self.app = app
        self.contexts: list[LifespanContext] = [context_factory(lifespan)] if lifespan is not None else []
        self.handlers_ignored = lifespan is not None
        self.on_startup = list(on_startup or [])
        self.on_shutdown = list(on_shutdown or [])
        self.started = False
        self.state: dict[str, Any] = {}
        self._entered: list[Any] = []
        # A greenlet-aware lock: concurrent first requests in one thread wait for the first.
        self._lock = gevent.lock.RLock()

    @property
    def lifespan(self) -> LifespanContext | None:
        return self.contexts[0] if self.contexts else None

    def include(self, router: Any) -> None:
        """Add an included router's startup/shutdown handlers and lifespan."""
        self.on_startup.extend(getattr(router, "on_startup", ()))
        self.on_shutdown.extend(getattr(router, "on_shutdown", ()))
        self.contexts.extend(context_factory(context) for context in getattr(router, "lifespan_contexts", ()))

    def startup(self) -> None:
        """Run startup once; later calls return at once. A failed startup can be retried."""
        if self.started:
            return
        with self._lock:
            if self.started:
                return
            try:
                for handler in () if self.handlers_ignored else self.on_startup:
                    _call(handler)
                for factory in self.contexts:
                    context = factory(self.app)
                    if hasattr(context, "__aenter__"):
                        state = bridge().run(context.__aenter__())
                    else:
                        state = context.__enter__()
                    self._entered.append(context)
                    if state:
                        # An outer lifespan's keys win over an included router's (FastAPI merges them so).
                        self.state.update({**state, **self.state})
            except BaseException:
                self._exit_contexts()
                raise
            self.started = True

    def shutdown(self) -> None:
        """Run shutdown once, if startup ran."""
        with self._lock:
            if not self.started:
                return
            self.started = False
            self._exit_contexts()
            for handler in () if self.handlers_ignored else self.on_shutdown:
                try:
                    _call(handler)
                except Exception:
                    logger.exception("shutdown handler %r failed", handler)

    def _exit_contexts(self) -> None:
        while self._entered:
            context = self._entered.pop()
            try:
                with contextlib.suppress(StopAsyncIteration, StopIteration):
                    if hasattr(context, "__aexit__"):
                        bridge().run(context.__aexit__(None, None, None))
                    else:
                        context.__exit__(None, None, None)
            except Exception:
                logger.exception("lifespan %r failed on exit", context)

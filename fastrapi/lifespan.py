"""Startup and shutdown for WSGI, which has no lifespan protocol: an idempotent state machine."""

from __future__ import annotations

import contextlib
import inspect
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from fastrapi.concurrency import bridge, run_async

logger = logging.getLogger("fastrapi")


def _call(handler: Callable[[], Any]) -> None:
    if inspect.iscoroutinefunction(handler):
        run_async(handler, (), {})
    else:
        handler()


class Lifespan:
    """Runs ``on_startup`` handlers and enters ``lifespan(app)`` once; ``shutdown`` undoes it once."""

    def __init__(
        self,
        app: Any,
        lifespan: Callable[[Any], Any] | None,
        on_startup: Sequence[Callable[[], Any]] | None,
        on_shutdown: Sequence[Callable[[], Any]] | None,
    ) -> None:
        self.app = app
        self.lifespan = lifespan
        self.on_startup = list(on_startup or [])
        self.on_shutdown = list(on_shutdown or [])
        self.started = False
        self.state: dict[str, Any] = {}
        self._context: Any = None
        self._lock = threading.RLock()

    def startup(self) -> None:
        """Run startup once; later calls return at once."""
        if self.started:
            return
        with self._lock:
            if self.started:
                return
            for handler in self.on_startup:
                _call(handler)
            if self.lifespan is not None:
                context = self.lifespan(self.app)
                is_async = hasattr(context, "__aenter__")
                state = bridge().run(context.__aenter__()) if is_async else context.__enter__()
                self._context = context
                if state:
                    self.state.update(state)
            self.started = True

    def shutdown(self) -> None:
        """Run shutdown once, if startup ran."""
        with self._lock:
            if not self.started:
                return
            self.started = False
            context, self._context = self._context, None
            if context is not None:
                with contextlib.suppress(StopAsyncIteration, StopIteration):
                    if hasattr(context, "__aexit__"):
                        bridge().run(context.__aexit__(None, None, None))
                    else:
                        context.__exit__(None, None, None)
            for handler in self.on_shutdown:
                try:
                    _call(handler)
                except Exception:
                    logger.exception("shutdown handler %r failed", handler)

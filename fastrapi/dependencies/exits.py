"""Dependencies with ``yield``: entering them, and running their exit code exactly once.

A request keeps two lists of entered generators, as FastAPI keeps two exit stacks: the
``scope="function"`` ones exit when the endpoint has returned (before the response is sent), the
others (request scope) after the response has been sent and the background tasks have run. Each
list unwinds in reverse order of entry with ``contextlib.ExitStack``'s rules: an exception is
thrown into each generator in turn, a generator may replace it or swallow it, and the next one
sees the outcome. Entries are popped as they exit, so unwinding twice never runs one twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import gevent
from gevent.hub import Hub
from greenlet import getcurrent

from fastrapi.concurrency import bridge, drive, in_gevent_greenlet, run_sync
from fastrapi.concurrency_limits import ConcurrencyLimit

logger = logging.getLogger("fastrapi")


async def _await(awaitable: Any) -> Any:
    return await awaitable


def _run_async_step(awaitable: Any, suspends: bool) -> Any:
    # PERF: an async generator that never awaits is resumed like a coroutine, without the loop.
    return bridge().run(_await(awaitable)) if suspends else drive(awaitable)


def enter(kind: str, generator: Any, suspends: bool) -> Any:
    """Run a dependency's generator to its ``yield``; the yielded value is the dependency's value."""
    try:
        if kind == "gen":
            return run_sync(next, generator)
        return _run_async_step(generator.__anext__(), suspends)
    except (StopIteration, StopAsyncIteration):
        raise RuntimeError("generator didn't yield") from None


class YieldExit:
    """An entered generator, waiting for its exit code to run."""

    __slots__ = ("generator", "is_async", "suspends")

    def __init__(self, generator: Any, is_async: bool, suspends: bool) -> None:
        self.generator = generator
        self.is_async = is_async
        self.suspends = suspends

    def _resume(self, exc: BaseException | None) -> None:
        generator = self.generator
        if self.is_async:
            awaitable = generator.__anext__() if exc is None else generator.athrow(exc)
            _run_async_step(awaitable, self.suspends)
        elif exc is None:
            run_sync(next, generator)
        else:
            run_sync(generator.throw, exc)

    def exit(self, exc: BaseException | None) -> bool:
        """Run the exit code, throwing ``exc`` in; True when the generator swallowed ``exc``
        (``contextmanager.__exit__``'s rules); raises what the exit code raises."""
        stop = StopAsyncIteration if self.is_async else StopIteration
        if exc is None:
            try:
                self._resume(None)
            except stop:
                return False
            raise RuntimeError("generator didn't stop")
        try:
            self._resume(exc)
        except stop as done:
            return done is not exc
        except RuntimeError as error:
            if error is exc:
                return False
            # A StopIteration thrown in comes back wrapped in a RuntimeError (PEP 479).
            if isinstance(exc, (StopIteration, StopAsyncIteration)) and error.__cause__ is exc:
                return False
            raise
        except BaseException as error:
            if error is exc:
                return False
            raise
        raise RuntimeError("generator didn't stop after throw()")


class LimitedYieldExit(YieldExit):
    """An entered generator that holds a slot of its declaration's ``max_concurrency`` until its
    exit code has run, however that ends."""

    __slots__ = ("limit",)

    def __init__(self, generator: Any, is_async: bool, suspends: bool, limit: ConcurrencyLimit) -> None:
        super().__init__(generator, is_async, suspends)
        self.limit = limit

    def exit(self, exc: BaseException | None) -> bool:
        try:
            return super().exit(exc)
        finally:
            self.limit.release()


def unwind(entries: list[YieldExit], exc: BaseException | None) -> BaseException | None:
    """Exit ``entries`` last first; the exception that comes out (None: none, or swallowed)."""
    while entries:
        entry = entries.pop()
        try:
            if entry.exit(exc):
                exc = None
        except BaseException as error:
            exc = error
    return exc


class RequestExits:
    """The ``yield`` dependencies a request entered, by scope."""

    __slots__ = ("function", "request")

    def __init__(self) -> None:
        self.function: list[YieldExit] = []
        self.request: list[YieldExit] = []

    def push(self, entry: YieldExit, function_scope: bool) -> None:
        (self.function if function_scope else self.request).append(entry)

    def exit_function(self, exc: BaseException | None) -> BaseException | None:
        """Exit the ``scope="function"`` dependencies (the endpoint returned or raised ``exc``)."""
        return unwind(self.function, exc) if self.function else exc

    def exit_request(self, exc: BaseException | None) -> BaseException | None:
        """Exit the request-scoped dependencies."""
        return unwind(self.request, exc) if self.request else exc

    def after_response(self, reraise: bool) -> Callable[[], None]:
        """The cleanup to run once the response is sent and its tasks have run: an exception
        from exit code is logged (the response is gone); ``reraise`` (TestClient) raises it too."""

        def cleanup() -> None:
            error = self.exit_request(None)
            if error is not None:
                logger.error("Exception in the exit code of a dependency with yield, after the response was sent",
                             exc_info=error)
                if reraise:
                    raise error

        return cleanup


class ExitingBody:
    """The body iterable of a request with request-scoped exits: ``close()`` closes the body,
    then calls ``finish`` (the runner's: tasks, then exits) exactly once.

    A server that never calls ``close()`` breaks PEP 3333; then ``finish`` runs when the body is
    garbage-collected (at once under CPython when the server drops it), with a warning, in a new
    greenlet inside gevent so that the collector never blocks.
    """

    __slots__ = ("_body", "_finish")

    def __init__(self, body: Iterable[bytes], finish: Callable[[], None]) -> None:
        self._body = body
        self._finish: Callable[[], None] | None = finish

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        finish, self._finish = self._finish, None
        if finish is None:
            return
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            finish()

    def __del__(self) -> None:
        if self._finish is None:
            return
        logger.warning("The server never called close() on a response body: finishing the request "
                       "(background tasks, then the exit code of its dependencies) now")
        if in_gevent_greenlet() or isinstance(getcurrent(), Hub):
            gevent.spawn(self._close_logged)
        else:
            self._close_logged()

    def _close_logged(self) -> None:
        try:
            self.close()
        except Exception:
            logger.exception("Finishing a request whose body was never closed failed")

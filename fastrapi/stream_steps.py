"""Step through a streamed body's iterator from the server: one item at a time, each step waited
for with an optional timeout, and the iterator stopped from outside (its ``finally`` runs).

Where a step runs: a sync iterator in the caller's greenlet (or, in an unpatched gevent server, on
a pool thread: see ``run_sync``); an ``async`` iterator on the asyncio bridge loop, unless its code
never awaits, in which case it is driven right here without a loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import dis
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from typing import Any, Protocol

import gevent
import gevent.event
from gevent.hub import get_hub

from fastrapi.concurrency import bridge, drive, in_gevent_greenlet, needs_thread, run_sync

CLOSE_TIMEOUT = 10.0
"""How long ``close()`` waits for an async iterator's cleanup before leaving it to the loop."""

# Only these make an async generator wait on the loop; its own yields do not (unlike a coroutine's).
_AWAITING_OPS = {"GET_AWAITABLE", "GET_AITER", "GET_ANEXT", "BEFORE_ASYNC_WITH", "SEND"}

Step = tuple[bool, Any]  # (done, item): ``done`` once the iterator is exhausted


class Steps(Protocol):
    """An iterator, one step at a time: ``start()``, then ``wait()`` until it is ready, then ``take()``."""

    def start(self) -> None:
        """Begin making the next item."""

    def wait(self, timeout: float | None) -> bool:
        """Whether the item begun is ready, after waiting at most ``timeout`` seconds (None: until it is)."""

    def take(self) -> Step:
        """The item begun (``wait`` said it is ready); raises what the iterator raised."""

    def close(self) -> None:
        """Stop the iterator: its ``finally`` runs (for a step still running in a thread: once it returns)."""


def awaits(code: Any) -> bool:
    """Whether an async generator's code can wait on an event loop (await, async for, async with)."""
    return code is None or any(op.opname in _AWAITING_OPS for op in dis.get_instructions(code))


def steps_for(content: Iterable[Any] | AsyncIterable[Any], concurrent_steps: bool = False) -> Steps:
    """Steps through ``content``. ``concurrent_steps``: a step must be able to run while the caller
    waits with a timeout (for keep-alives); else a sync step runs inside ``wait``."""
    if hasattr(content, "__aiter__"):
        iterator = content.__aiter__()
        if not awaits(getattr(iterator, "ag_code", None)):
            return DrivenSteps(iterator)
        return BridgeSteps(iterator)
    if concurrent_steps and in_gevent_greenlet():
        return GreenletSteps(content)
    return SyncSteps(content)


def iterate(steps: Steps) -> Iterator[Any]:
    """The items of ``steps``, each waited for as long as it takes."""
    while True:
        steps.start()
        steps.wait(None)
        done, item = steps.take()
        if done:
            return
        yield item


_END = object()


def _closer(content: Iterable[Any], iterator: Iterator[Any]) -> Callable[[], Any] | None:
    """What stops ``content``: its own ``close`` (a WSGI body's), else its iterator's (a generator's)."""
    close = getattr(content, "close", None)
    return close if close is not None else getattr(iterator, "close", None)


class MappedSteps:
    """``steps`` with ``function`` applied to each item as it is taken."""

    __slots__ = ("_steps", "_function")

    def __init__(self, steps: Steps, function: Callable[[Any], Any]) -> None:
        self._steps = steps
        self._function = function

    def start(self) -> None:
        self._steps.start()

    def wait(self, timeout: float | None) -> bool:
        return self._steps.wait(timeout)

    def take(self) -> Step:
        done, item = self._steps.take()
        return (True, None) if done else (False, self._function(item))

    def close(self) -> None:
        self._steps.close()


class SyncSteps:
    """A sync iterator stepped in the caller's greenlet (``run_sync``: a pool thread when unpatched)."""

    __slots__ = ("_iterator", "_close", "_step")

    def __init__(self, content: Iterable[Any]) -> None:
        self._iterator = iter(content)
        self._close = _closer(content, self._iterator)
        self._step: Step | None = None

    def start(self) -> None:
        self._step = None

    def wait(self, timeout: float | None) -> bool:
        if self._step is None:
            item = run_sync(next, self._iterator, _END)
            self._step = (item is _END, item)
        return True

    def take(self) -> Step:
        self.wait(None)
        step, self._step = self._step, None
        assert step is not None
        return step

    def close(self) -> None:
        if self._close is not None:
            run_sync(self._close)


class GreenletSteps:
    """A sync iterator stepped in a greenlet of its own, so the caller can time out waiting for it."""

    __slots__ = ("_iterator", "_close", "_context", "_pending", "_threaded")

    def __init__(self, content: Iterable[Any]) -> None:
        self._iterator = iter(content)
        self._close = _closer(content, self._iterator)
        self._context = contextvars.copy_context()  # the request's context, for every step
        self._pending: gevent.Greenlet[Any, Any] | None = None
        self._threaded = needs_thread()

    def _next(self) -> tuple[bool, Any]:
        # The error is handed back as a value: gevent would print a traceback for a raising greenlet.
        try:
            return False, self._context.run(run_sync, next, self._iterator, _END)
        except Exception as exc:
            return True, exc

    def start(self) -> None:
        self._pending = gevent.spawn(self._next)

    def wait(self, timeout: float | None) -> bool:
        pending = self._pending
        assert pending is not None
        pending.join(timeout)
        return pending.ready()

    def take(self) -> Step:
        pending, self._pending = self._pending, None
        assert pending is not None
        failed, item = pending.get()
        if failed:
            raise item
        return item is _END, item

    def close(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None and not pending.ready():
            if self._threaded:
                # A pool thread cannot be interrupted: the iterator is closed once its step returns.
                gevent.spawn(self._close_after, pending)
                return
            pending.kill()  # GreenletExit where the generator waits: its finally runs now
        self._close_now()

    def _close_after(self, pending: gevent.Greenlet[Any, Any]) -> None:
        pending.join()
        self._close_now()

    def _close_now(self) -> None:
        if self._close is not None:
            self._context.run(run_sync, self._close)


class DrivenSteps:
    """An async generator that never awaits, driven inline without an event loop."""

    __slots__ = ("_iterator", "_step")

    def __init__(self, iterator: AsyncIterator[Any]) -> None:
        self._iterator = iterator
        self._step: Step | None = None

    def start(self) -> None:
        self._step = None

    def wait(self, timeout: float | None) -> bool:
        if self._step is None:
            try:
                self._step = (False, drive(self._iterator.__anext__()))  # type: ignore[arg-type]
            except StopAsyncIteration:
                self._step = (True, None)
        return True

    def take(self) -> Step:
        self.wait(None)
        step, self._step = self._step, None
        assert step is not None
        return step

    def close(self) -> None:
        aclose = getattr(self._iterator, "aclose", None)
        if aclose is not None:
            drive(aclose())


class BridgeSteps:
    """An async iterator stepped on the asyncio bridge loop; the caller waits on a future for each step."""

    __slots__ = ("_iterator", "_loop", "_future", "_task", "_hub", "_ready")

    def __init__(self, iterator: AsyncIterator[Any]) -> None:
        self._iterator = iterator
        self._loop = bridge().loop
        self._future: concurrent.futures.Future[Step] | None = None
        self._task: asyncio.Task[Any] | None = None  # the step running now; read and written on the loop only
        self._hub = get_hub() if in_gevent_greenlet() else None
        self._ready = gevent.event.Event() if self._hub is not None else None

    async def _step(self) -> Step:
        self._task = asyncio.current_task()
        try:
            return False, await self._iterator.__anext__()
        except StopAsyncIteration:
            return True, None
        finally:
            self._task = None

    async def _shutdown(self) -> None:
        # Runs after the last step's task has started (both were scheduled in order on the loop).
        task = self._task
        if task is not None:
            task.cancel()  # CancelledError where the generator awaits: its finally runs
            try:
                await task
            except BaseException:  # the step's outcome has nobody left to read it
                pass
        aclose = getattr(self._iterator, "aclose", None)
        if aclose is not None:
            await aclose()

    def _submit(self, coro: Any, ready: gevent.event.Event | None) -> concurrent.futures.Future[Any]:
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        if ready is not None:
            hub = self._hub
            ready.clear()
            future.add_done_callback(lambda _: hub.loop.run_callback_threadsafe(ready.set))  # type: ignore[union-attr]
        return future

    def _wait(self, future: concurrent.futures.Future[Any], ready: gevent.event.Event | None,
              timeout: float | None) -> bool:
        if ready is not None:
            return ready.wait(timeout)
        concurrent.futures.wait([future], timeout)
        return future.done()

    def start(self) -> None:
        self._future = self._submit(self._step(), self._ready)

    def wait(self, timeout: float | None) -> bool:
        assert self._future is not None
        return self._wait(self._future, self._ready, timeout)

    def take(self) -> Step:
        future, self._future = self._future, None
        assert future is not None
        return future.result()

    def close(self) -> None:
        self._future = None
        # An event of its own: a step's late wake-up must not pass for the shutdown's.
        ready = gevent.event.Event() if self._hub is not None else None
        future = self._submit(self._shutdown(), ready)
        if self._wait(future, ready, CLOSE_TIMEOUT) and not future.cancelled():
            future.result()

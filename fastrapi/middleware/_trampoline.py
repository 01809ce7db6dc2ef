"""Run an ``async def`` on the bridge loop while some of its awaits run back in the request's greenlet.

A ``@app.middleware("http")`` coroutine may await real asyncio work (``asyncio.sleep``, an async
client), so it runs on the bridge loop; but ``call_next`` and reading the response body are WSGI
calls that belong to the request's greenlet (or thread), where gevent and the bridge work. Each
such await is a *hop*: the loop posts the call to the request side, which runs it and sends the
result back.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine, Generator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import gevent
import gevent.event
import gevent.monkey

from fastrapi.concurrency import bridge, in_gevent_greenlet, request_hop, settle

if TYPE_CHECKING:
    from gevent._types import _AsyncWatcher  # a stub-only Protocol: what loop.async_() returns

T = TypeVar("T")

_Item = tuple[Callable[[], Any], "asyncio.Future[Any]"] | None


class Trampoline:
    """One coroutine's trip: ``run(coro)`` in the request; ``await hop(fn)`` inside the coroutine."""

    __slots__ = ("_inbox", "_loop", "_notify", "_wait", "_watcher")
    _notify: Callable[[], None]
    _wait: Callable[[], object]
    _watcher: _AsyncWatcher | None

    def __init__(self) -> None:
        self._inbox: deque[_Item] = deque()
        self._loop = bridge().loop
        if in_gevent_greenlet():
            # An async watcher is the hub's thread-safe wake-up.
            event = gevent.event.Event()
            watcher = gevent.get_hub().loop.async_()
            watcher.start(event.set)
            self._notify = watcher.send

            def wait() -> None:
                event.wait()
                event.clear()

            self._wait = wait
            self._watcher = watcher
        else:
            queue = gevent.monkey.get_original("queue", "SimpleQueue")()
            self._notify = lambda: queue.put(None)
            self._wait = queue.get
            self._watcher = None

    def _post(self, item: _Item) -> None:
        self._inbox.append(item)
        self._notify()

    async def hop(self, fn: Callable[[], T]) -> T:
        """Run ``fn()`` in the request's greenlet and return its result (awaited on the loop)."""
        future: asyncio.Future[T] = self._loop.create_future()
        self._post((fn, future))
        return await future

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the bridge loop, serving its hops here; return its result."""
        token = request_hop.set(self.hop)  # body reads in the coroutine hop here too
        try:
            done = asyncio.run_coroutine_threadsafe(coro, self._loop)
        finally:
            request_hop.reset(token)
        done.add_done_callback(lambda _: self._post(None))
        try:
            while True:
                self._wait()
                while self._inbox:
                    item = self._inbox.popleft()
                    if item is None:
                        return done.result()
                    self._serve(*item)
        finally:
            if self._watcher is not None:
                self._watcher.close()

    def _serve(self, fn: Callable[[], Any], future: asyncio.Future[Any]) -> None:
        try:
            result = fn()
        except BaseException as exc:  # handed to the coroutine, which decides
            self._loop.call_soon_threadsafe(settle, future, None, exc)
        else:
            self._loop.call_soon_threadsafe(settle, future, result, None)


class Immediate(Generic[T]):
    """An awaitable computed when awaited, with no suspension (usable with no event loop)."""

    __slots__ = ("_fn",)

    def __init__(self, fn: Callable[[], T]) -> None:
        self._fn = fn

    def __await__(self) -> Generator[None, None, T]:
        return _immediately(self._fn)


def _immediately(fn: Callable[[], T]) -> Generator[None, None, T]:
    return fn()
    yield  # a generator that returns without ever yielding
